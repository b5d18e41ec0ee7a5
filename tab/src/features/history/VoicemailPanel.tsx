import { Badge, Button, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { useCallback, useState } from 'react';
import type { ApiClient } from '../../api/client.js';
import type { VoiceMessage } from '../../api/contract.js';
import { Icon } from '../../app/icons.js';
import { Section, useSectionStyles } from '../../app/Section.js';
import { loadedValue, useLoad } from '../../app/useLoad.js';
import { strings } from '../../i18n/strings.js';
import type { CallTarget } from '../call/useCall.js';
import { ListStates } from './ListStates.js';
import { formatWhen, useHistoryStyles } from './RecentCallsPanel.js';

export interface VoicemailPanelProps {
  readonly api: ApiClient;
  readonly linkKey: string;
  readonly onCall: (target: CallTarget) => void;
  readonly className?: string;
}

export function VoicemailPanel({ api, linkKey, onCall, className }: VoicemailPanelProps) {
  const styles = useHistoryStyles();
  const section = useSectionStyles();
  const fetchVoicemail = useCallback(() => api.voicemail(), [api]);
  const load = useLoad(fetchVoicemail, linkKey);
  const [markFailed, setMarkFailed] = useState(false);
  const unread = loadedValue(load.state)?.unread ?? 0;

  const markRead = (message: VoiceMessage) => {
    setMarkFailed(false);
    const setRead = (read: boolean) => {
      load.update((v) => ({
        ...v,
        unread: Math.max(0, v.unread + (read ? -1 : 1)),
        messages: v.messages.map((m) => (m.id === message.id ? { ...m, read } : m)),
      }));
    };
    setRead(true);
    void api.markVoicemailRead(message.id).then((result) => {
      if (result.ok) return;
      setRead(false);
      setMarkFailed(true);
    });
  };

  return (
    <Section
      heading={strings.voicemail.heading}
      headingExtra={
        unread > 0 ? (
          <Badge appearance="filled" color="danger">
            {strings.voicemail.unread(unread)}
          </Badge>
        ) : null
      }
      className={className}
      testId="voicemail"
      state={load.state.kind}
      busy={load.state.kind === 'loading'}
    >
      {markFailed ? (
        <MessageBar intent="error">
          <MessageBarBody>{strings.voicemail.markReadFailed}</MessageBarBody>
        </MessageBar>
      ) : null}
      <ListStates load={load} isEmpty={(v) => v.messages.length === 0} texts={strings.voicemail}>
        {(value) => (
          <ul className={section.list}>
            {value.messages.map((m) => {
              const from = m.from.name ?? m.from.number ?? strings.voicemail.unknownCaller;
              const number = m.from.number;
              return (
                <li key={m.id} className={styles.item} data-testid="voice-message" data-read={m.read}>
                  <span className={styles.who}>
                    <Text weight={m.read ? 'regular' : 'semibold'} className={section.ellipsis}>
                      {from}
                    </Text>
                    <Text size={200} className={section.muted}>
                      {[
                        formatWhen(m.at),
                        m.durationSeconds === undefined
                          ? undefined
                          : strings.recent.duration(m.durationSeconds),
                      ]
                        .filter((v) => v !== undefined)
                        .join(' · ')}
                    </Text>
                  </span>
                  {m.read ? null : (
                    <Badge appearance="tint" color="brand">
                      {strings.voicemail.newBadge}
                    </Badge>
                  )}
                  {number === undefined ? null : (
                    <Button
                      appearance="subtle"
                      icon={<Icon name="call" />}
                      aria-label={strings.voicemail.callBack(from)}
                      onClick={() => {
                        onCall({
                          destination: number,
                          ...(m.from.name === undefined ? {} : { displayName: m.from.name }),
                        });
                      }}
                    />
                  )}
                  {m.read ? null : (
                    <Button
                      appearance="subtle"
                      icon={<Icon name="check" />}
                      aria-label={strings.voicemail.markRead(from)}
                      onClick={() => {
                        markRead(m);
                      }}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </ListStates>
    </Section>
  );
}
