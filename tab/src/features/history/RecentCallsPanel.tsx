import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback } from 'react';
import type { ApiClient } from '../../api/client.js';
import type { RecentCall } from '../../api/contract.js';
import { Icon } from '../../app/icons.js';
import { Section, useSectionStyles } from '../../app/Section.js';
import { useLoad } from '../../app/useLoad.js';
import { strings } from '../../i18n/strings.js';
import type { CallTarget } from '../call/useCall.js';
import { ListStates } from './ListStates.js';

export const useHistoryStyles = makeStyles({
  item: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, minWidth: 0 },
  main: { maxWidth: '100%', minWidth: 0, justifyContent: 'flex-start', textAlign: 'start' },
  who: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    flexGrow: 1,
    minWidth: 0,
    paddingInlineStart: tokens.spacingHorizontalXS,
  },
  missed: { color: tokens.colorPaletteRedForeground1, paddingInlineStart: tokens.spacingHorizontalM },
});

export interface RecentCallsPanelProps {
  readonly api: ApiClient;
  /** Changes when the Webex link does (and when a call ends), so the list reloads. */
  readonly linkKey: string;
  readonly onCall: (target: CallTarget) => void;
  readonly className?: string;
}

export function RecentCallsPanel({ api, linkKey, onCall, className }: RecentCallsPanelProps) {
  const styles = useHistoryStyles();
  const section = useSectionStyles();
  const fetchRecent = useCallback(() => api.recentCalls(), [api]);
  const load = useLoad(fetchRecent, linkKey);
  return (
    <Section
      heading={strings.recent.heading}
      className={className}
      testId="recent-calls"
      state={load.state.kind}
      busy={load.state.kind === 'loading'}
    >
      <ListStates load={load} isEmpty={(v) => v.calls.length === 0} texts={strings.recent}>
        {(value) => (
          <ul className={section.list}>
            {value.calls.map((c) => (
              <li key={c.id} className={styles.item} data-testid="recent-call">
                <span className={styles.who}>
                  <Button
                    appearance="subtle"
                    className={styles.main}
                    icon={<Icon name="call" />}
                    aria-label={strings.recent.redial(c.name ?? c.number)}
                    onClick={() => {
                      onCall({
                        destination: c.number,
                        ...(c.name === undefined ? {} : { displayName: c.name }),
                      });
                    }}
                  >
                    <span className={section.ellipsis}>{c.name ?? c.number}</span>
                  </Button>
                  <Text size={200} className={c.direction === 'missed' ? styles.missed : section.muted}>
                    {describe(c)}
                  </Text>
                </span>
              </li>
            ))}
          </ul>
        )}
      </ListStates>
    </Section>
  );
}

function describe(call: RecentCall): string {
  const parts = [strings.recent.directions[call.direction], formatWhen(call.at)];
  if (call.durationSeconds !== undefined && call.durationSeconds > 0)
    parts.push(strings.recent.duration(call.durationSeconds));
  if (call.name !== undefined) parts.push(call.number);
  return parts.join(' · ');
}

export function formatWhen(epochMs: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' }).format(
    new Date(epochMs),
  );
}
