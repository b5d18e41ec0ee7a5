import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Skeleton,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { Suspense, lazy, useCallback, useEffect, useState, type ReactNode } from 'react';
import type { ApiClient } from '../api/client.js';
import type { Person, PhoneNumber, Presence } from '../api/contract.js';
import { useSectionStyles } from '../app/Section.js';
import type { TeamsHost } from '../app/TeamsHost.js';
import { strings } from '../i18n/strings.js';
import { WebexAccountCard } from './account/WebexAccountCard.js';
import { useWebexLink } from './account/useWebexLink.js';
import type { BootstrapHandle } from './bootstrap/useBootstrap.js';
import { CallPanel } from './call/CallPanel.js';
import { isFinished, useCall } from './call/useCall.js';
import { DialPad } from './dial-pad/DialPad.js';
import { SearchPanel } from './search/SearchPanel.js';
import { speedDialFor } from './speed-dials/edits.js';
import { SpeedDialsPanel } from './speed-dials/SpeedDialsPanel.js';
import { useSpeedDials } from './speed-dials/useSpeedDials.js';

// Below the fold and not needed for the first paint: their own chunk, loaded right after.
const RecentCallsPanel = lazy(() =>
  import('./history/RecentCallsPanel.js').then((m) => ({ default: m.RecentCallsPanel })),
);
const VoicemailPanel = lazy(() =>
  import('./history/VoicemailPanel.js').then((m) => ({ default: m.VoicemailPanel })),
);
const SyncCard = lazy(() => import('./sync/SyncCard.js').then((m) => ({ default: m.SyncCard })));

const useStyles = makeStyles({
  // The call panel follows the user's eye: pinned under the header while a call is live.
  callPanel: {
    position: 'sticky',
    top: 0,
    zIndex: 1,
    backgroundColor: tokens.colorNeutralBackground2,
    paddingBlock: tokens.spacingVerticalXS,
  },
});

export interface CallTabProps {
  readonly api: ApiClient;
  readonly host: TeamsHost;
  readonly bootstrap: BootstrapHandle;
  /** Places a section across both columns on wide layouts. */
  readonly fullRow: string;
}

/** Everything a signed-in user sees, fed by one bootstrap and kept fresh by each section. */
export function CallTab({ api, host, bootstrap, fullRow }: CallTabProps) {
  const styles = useStyles();
  const data = bootstrap.data;
  const answered = data !== undefined;
  const webex = useWebexLink(api, host, answered ? data.webex : undefined);
  const dials = useSpeedDials(api, data?.speedDials);
  const call = useCall(api);
  const [addedPresence, setAddedPresence] = useState<Record<string, Presence>>({});
  const presence = { ...data?.presence, ...addedPresence };

  const linkKey =
    webex.state.kind === 'ready'
      ? `${String(webex.state.status.linked)}:${String(webex.state.status.needsRelink ?? false)}`
      : webex.state.kind;

  // A call that just ended belongs at the top of recent calls: reload them when one does.
  const historyKey =
    call.state.kind === 'webex' && isFinished(call.state.call) ? `${linkKey}:${call.state.call.id}` : linkKey;

  // The bootstrap answered without speed dials (that section failed): ask for them on their own.
  const needsDials = bootstrap.source === 'network' && data?.speedDials === null && dials.base === undefined;
  const { reload: reloadDials } = dials;
  useEffect(() => {
    if (needsDials) reloadDials();
  }, [needsDials, reloadDials]);

  const addPerson = useCallback(
    (person: Person, phone: PhoneNumber) => {
      dials.edit({
        kind: 'add',
        entry: speedDialFor(dials.entries, person.displayName, phone.number, person.aadObjectId),
      });
      const { aadObjectId, presence: known } = person;
      if (aadObjectId !== undefined && known !== undefined)
        setAddedPresence((p) => ({ ...p, [aadObjectId]: known }));
    },
    [dials],
  );

  return (
    <>
      <PageNotice bootstrap={bootstrap} className={fullRow} />
      <CallPanel call={call} onLinkWebex={webex.link} className={mergeClasses(fullRow, styles.callPanel)} />
      <SearchPanel
        api={api}
        speedDials={dials.entries}
        onCall={call.place}
        onAddSpeedDial={addPerson}
        className={fullRow}
      />
      <SpeedDialsPanel dials={dials} presence={presence} loading={!answered} onCall={call.place} />
      <DialPad
        onCall={call.place}
        onAddSpeedDial={(number) => {
          dials.edit({ kind: 'add', entry: speedDialFor(dials.entries, number, number) });
        }}
      />
      <Suspense fallback={<Skeleton aria-label={strings.recent.loading} />}>
        <RecentCallsPanel api={api} linkKey={historyKey} onCall={call.place} />
        <VoicemailPanel api={api} linkKey={linkKey} onCall={call.place} />
        <SyncCard
          api={api}
          host={host}
          initial={answered ? data.sync : undefined}
          linkKey={linkKey}
          onLinkWebex={webex.link}
        />
      </Suspense>
      <WebexAccountCard webex={webex} />
    </>
  );
}

/**
 * Page-wide: the bootstrap failed (with or without something cached to show) or its presence
 * section did. Other sections that failed say so in their own card, with their own retry.
 */
function PageNotice({
  bootstrap,
  className,
}: {
  readonly bootstrap: BootstrapHandle;
  readonly className: string;
}) {
  const section = useSectionStyles();
  const { data, error, loading } = bootstrap;
  let title: string | undefined;
  let body: ReactNode;
  if (error !== undefined && !loading) {
    title = data === undefined ? strings.tab.loadFailedTitle : strings.tab.offlineTitle;
    body = data === undefined ? strings.tab.loadFailedBody : strings.tab.offlineBody;
  } else if (
    bootstrap.source === 'network' &&
    data?.problems.some((p) => p.section === 'presence') === true
  ) {
    body = strings.tab.partialBody(strings.tab.sectionNames.presence);
  } else {
    return null;
  }
  return (
    <MessageBar
      intent={title === undefined ? 'warning' : 'error'}
      layout="multiline"
      className={className}
      data-testid="page-notice"
    >
      <MessageBarBody>
        {title === undefined ? null : (
          <MessageBarTitle className={section.noticeTitle}>{title}</MessageBarTitle>
        )}
        {body}
      </MessageBarBody>
      <MessageBarActions>
        <Button onClick={bootstrap.reload}>{strings.tab.retry}</Button>
      </MessageBarActions>
    </MessageBar>
  );
}
