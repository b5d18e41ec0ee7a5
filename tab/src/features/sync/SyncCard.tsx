import {
  Button,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Skeleton,
  SkeletonItem,
  Switch,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.js';
import type { SyncAction, SyncRule, SyncStatus } from '../../api/contract.js';
import { Section, useSectionStyles } from '../../app/Section.js';
import type { TeamsHost } from '../../app/TeamsHost.js';
import { strings } from '../../i18n/strings.js';
import { formatWhen } from '../history/RecentCallsPanel.js';
import { CONSENT_POPUP } from '../account/useSignIn.js';

const useStyles = makeStyles({
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
  },
  // The longest rule is wider than a phone's card: the field may shrink and the select with it.
  rule: { minWidth: 0, maxWidth: '100%' },
});

type CardState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'not_available' }
  | { readonly kind: 'failed' }
  | {
      readonly kind: 'ready';
      readonly status: SyncStatus;
      readonly saving: boolean;
      /** Turning it on was refused (409), or the last change failed. */
      readonly problem?:
        | { readonly kind: 'refused'; readonly action: SyncAction; readonly message: string }
        | { readonly kind: 'save_failed' };
    };

export interface SyncCardProps {
  readonly api: ApiClient;
  readonly host: TeamsHost;
  /** From the bootstrap; null when it had none (not available, or failed), undefined before it answered. */
  readonly initial: SyncStatus | null | undefined;
  /** Changes when the Webex link does: a block that said "link Webex" may be gone. */
  readonly linkKey: string;
  readonly onLinkWebex: () => void;
  readonly className?: string;
}

const RULES: readonly SyncRule[] = ['always', 'meetings_only', 'never'];

/** Teams ↔ Webex status sync: on/off, when, last synced, and why it's paused with the fix. */
export function SyncCard({ api, host, initial, linkKey, onLinkWebex, className }: SyncCardProps) {
  const styles = useStyles();
  const section = useSectionStyles();
  const [state, setState] = useState<CardState>(
    initial ? { kind: 'ready', status: initial, saving: false } : { kind: 'loading' },
  );
  const generation = useRef(0);

  const fetchStatus = useCallback(() => {
    const mine = ++generation.current;
    void api.presenceSync().then((result) => {
      if (mine !== generation.current) return;
      if (result.ok) setState({ kind: 'ready', status: result.value, saving: false });
      else setState({ kind: result.error.kind === 'not_found' ? 'not_available' : 'failed' });
    });
  }, [api]);

  // The bootstrap's answer replaces what the card shows (unless a change is being saved)...
  const [seen, setSeen] = useState(initial);
  if (seen !== initial) {
    setSeen(initial);
    if (initial && !(state.kind === 'ready' && state.saving))
      setState({ kind: 'ready', status: initial, saving: false });
  }
  // ...and when it had none (null), the route itself is asked, which also tells "not deployed
  // yet" (404) from "failed".
  useEffect(() => {
    if (initial === null) fetchStatus();
  }, [initial, fetchStatus]);

  const firstLinkKey = useRef(linkKey);
  useEffect(() => {
    if (linkKey !== firstLinkKey.current) fetchStatus();
  }, [linkKey, fetchStatus]);

  const change = (enabled: boolean, rule: SyncRule) => {
    // Controls stay enabled while saving (disabling them would drop keyboard focus); a change
    // made meanwhile is ignored, and the switch shows the saved state when the answer comes.
    if (state.kind !== 'ready' || state.saving) return;
    const { status } = state;
    setState({ kind: 'ready', status, saving: true });
    const mine = ++generation.current;
    void api.setPresenceSync(enabled, rule).then((result) => {
      if (mine !== generation.current) return;
      if (!result.ok) setState({ kind: 'ready', status, saving: false, problem: { kind: 'save_failed' } });
      else if (result.value.kind === 'updated')
        setState({ kind: 'ready', status: result.value.status, saving: false });
      else {
        const { action, message } = result.value;
        setState({ kind: 'ready', status, saving: false, problem: { kind: 'refused', action, message } });
      }
    });
  };

  const fix = (action: SyncAction) => {
    switch (action) {
      case 'link_webex':
        onLinkWebex();
        return;
      case 'sign_in':
        void (async () => {
          const started = await api.startConsent();
          if (started.ok) await host.authenticate({ url: started.value.url, ...CONSENT_POPUP });
          fetchStatus();
        })();
        return;
      case 'admin_consent':
      case 'retry':
        setState({ kind: 'loading' });
        fetchStatus();
        return;
    }
  };

  return (
    <Section
      heading={strings.sync.heading}
      className={className}
      testId="sync-card"
      state={state.kind === 'ready' ? (state.status.blocked === null ? 'ready' : 'blocked') : state.kind}
      busy={state.kind === 'loading'}
    >
      {state.kind === 'loading' ? (
        <Skeleton aria-label={strings.sync.loading}>
          <SkeletonItem size={32} />
        </Skeleton>
      ) : state.kind === 'not_available' ? (
        <Text>{strings.sync.notAvailable}</Text>
      ) : state.kind === 'failed' ? (
        <MessageBar intent="error">
          <MessageBarBody>{strings.sync.loadFailed}</MessageBarBody>
          <MessageBarActions>
            <Button
              onClick={() => {
                fix('retry');
              }}
            >
              {strings.sync.retry}
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : (
        <>
          <div className={styles.row}>
            <Switch
              checked={state.status.enabled}
              aria-busy={state.saving}
              label={`${strings.sync.toggle}: ${state.status.enabled ? strings.sync.on : strings.sync.off}`}
              onChange={(_e, data) => {
                change(data.checked, state.status.rule);
              }}
            />
            <Field label={strings.sync.ruleLabel} className={styles.rule}>
              <Select
                value={state.status.rule}
                disabled={!state.status.enabled}
                onChange={(_e, data) => {
                  const rule = RULES.find((r) => r === data.value);
                  if (rule !== undefined) change(state.status.enabled, rule);
                }}
              >
                {RULES.map((r) => (
                  <option key={r} value={r}>
                    {strings.sync.rules[r]}
                  </option>
                ))}
              </Select>
            </Field>
          </div>
          <Text size={200} className={section.muted} data-testid="sync-last">
            {state.status.lastSyncedAt === null
              ? strings.sync.neverSynced
              : strings.sync.lastSynced(formatWhen(state.status.lastSyncedAt))}
          </Text>
          {state.status.blocked === null && state.problem?.kind !== 'refused' ? null : (
            <Blocked
              {...(state.problem?.kind === 'refused'
                ? state.problem
                : (state.status.blocked ?? { action: 'retry', message: '' }))}
              onFix={fix}
            />
          )}
          {state.problem?.kind === 'save_failed' ? (
            <MessageBar intent="error">
              <MessageBarBody>{strings.sync.saveFailed}</MessageBarBody>
            </MessageBar>
          ) : null}
        </>
      )}
    </Section>
  );
}

function Blocked({
  action,
  message,
  onFix,
}: {
  readonly action: SyncAction;
  readonly message: string;
  readonly onFix: (action: SyncAction) => void;
}) {
  const section = useSectionStyles();
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="sync-blocked" data-action={action}>
      <MessageBarBody>
        <MessageBarTitle className={section.noticeTitle}>{strings.sync.blockedTitle}</MessageBarTitle>
        {message}
        {action === 'admin_consent' ? ` ${strings.sync.adminConsentHint}` : null}
      </MessageBarBody>
      <MessageBarActions>
        <Button
          appearance="primary"
          onClick={() => {
            onFix(action);
          }}
        >
          {strings.sync.actions[action]}
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
