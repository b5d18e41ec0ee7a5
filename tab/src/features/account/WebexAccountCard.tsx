import {
  Badge,
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useId, useState } from 'react';
import { strings } from '../../i18n/strings.js';
import { Section } from '../../app/Section.js';
import type { WebexCardState, WebexLink, WebexNotice } from './useWebexLink.js';

const useStyles = makeStyles({
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
  },
  summary: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    minWidth: 0,
  },
  detail: {
    color: tokens.colorNeutralForeground2,
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    // Grows so the unlink question, when shown, wraps onto its own line at full width.
    flexGrow: 1,
    justifyContent: 'flex-end',
    gap: tokens.spacingHorizontalS,
  },
  confirmActions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
  },
  noticeTitle: {
    display: 'block',
  },
  confirm: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    flexBasis: '100%',
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteRedBorder2}`,
  },
});

export interface WebexAccountCardProps {
  /** The link state and actions, shared with the call panel's "Link Webex". */
  readonly webex: WebexLink;
  readonly className?: string;
}

/** The Webex account region: link status, Link / Link again, and Unlink behind a confirmation. */
export function WebexAccountCard({ webex, className }: WebexAccountCardProps) {
  return (
    <Section
      heading={strings.webex.heading}
      className={className}
      busy={webex.state.kind === 'loading'}
      testId="webex-card"
      state={dataState(webex.state)}
    >
      <CardContent webex={webex} />
    </Section>
  );
}

function CardContent({ webex }: { readonly webex: WebexLink }) {
  const styles = useStyles();
  const { state } = webex;
  switch (state.kind) {
    case 'loading':
      return <Spinner size="small" labelPosition="after" label={strings.webex.loading} />;
    case 'not_available':
      return <Text>{strings.webex.notAvailable}</Text>;
    case 'load_failed':
      return (
        <MessageBar intent="error">
          <MessageBarBody>{strings.webex.loadFailed}</MessageBarBody>
          <MessageBarActions>
            <Button onClick={webex.reload}>{strings.webex.retry}</Button>
          </MessageBarActions>
        </MessageBar>
      );
    case 'ready':
      break;
  }
  const { status, busy, notice } = state;
  const expired = status.linked && status.needsRelink === true;
  const linking = busy === 'linking';
  const linkButton = (label: string) => (
    <Button
      appearance="primary"
      disabledFocusable={busy !== null}
      icon={linking ? <Spinner size="tiny" /> : null}
      onClick={webex.link}
    >
      {linking ? strings.webex.linking : label}
    </Button>
  );
  return (
    <>
      {expired ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle className={styles.noticeTitle}>{strings.webex.expiredTitle}</MessageBarTitle>
            {strings.webex.expiredBody}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.row}>
        {status.linked && !expired ? (
          <div className={styles.summary}>
            <Badge appearance="filled" color="success">
              {strings.webex.linked}
            </Badge>
            {status.linkedAt === undefined ? null : (
              <Text className={styles.detail}>{strings.webex.linkedSince(formatDate(status.linkedAt))}</Text>
            )}
          </div>
        ) : status.linked ? null : (
          <Text>{strings.webex.notLinked}</Text>
        )}
        <div className={styles.actions}>
          {status.linked && !expired
            ? null
            : linkButton(expired ? strings.webex.linkAgain : strings.webex.link)}
          {status.linked ? <UnlinkButton busy={busy} onConfirm={webex.unlink} /> : null}
        </div>
      </div>
      {notice === undefined ? null : (
        <MessageBar intent={notice === 'link_cancelled' ? 'info' : 'error'} layout="multiline">
          <MessageBarBody>{noticeText(notice)}</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

interface UnlinkButtonProps {
  readonly busy: 'linking' | 'unlinking' | null;
  readonly onConfirm: () => void;
}

/**
 * Unlink asks first, inline rather than in a dialog: the question sits next to what it is about,
 * works the same at 360 px, and keeps the modal machinery out of the tab's bundle.
 */
function UnlinkButton({ busy, onConfirm }: UnlinkButtonProps) {
  const styles = useStyles();
  const [confirming, setConfirming] = useState(false);
  const titleId = useId();
  const unlinking = busy === 'unlinking';
  if (!confirming || unlinking) {
    return (
      <Button
        disabledFocusable={busy !== null}
        icon={unlinking ? <Spinner size="tiny" /> : null}
        onClick={() => {
          setConfirming(true);
        }}
      >
        {unlinking ? strings.webex.unlinking : strings.webex.unlink}
      </Button>
    );
  }
  return (
    <div role="group" aria-labelledby={titleId} className={styles.confirm} data-testid="unlink-confirm">
      <Text id={titleId} weight="semibold">
        {strings.webex.confirmTitle}
      </Text>
      <Text>{strings.webex.confirmBody}</Text>
      <div className={styles.confirmActions}>
        <Button
          appearance="primary"
          onClick={() => {
            setConfirming(false);
            onConfirm();
          }}
        >
          {strings.webex.confirmUnlink}
        </Button>
        <Button
          // The question just appeared in place of the Unlink button: start on the safe choice.
          autoFocus
          onClick={() => {
            setConfirming(false);
          }}
        >
          {strings.webex.cancel}
        </Button>
      </div>
    </div>
  );
}

/** For tests and styling hooks: what the card currently shows. */
function dataState(state: WebexCardState): string {
  if (state.kind !== 'ready') return state.kind;
  if (state.busy !== null) return state.busy;
  if (!state.status.linked) return 'not_linked';
  return state.status.needsRelink === true ? 'needs_relink' : 'linked';
}

function formatDate(epochMs: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(epochMs));
}

function noticeText(notice: WebexNotice): string {
  switch (notice) {
    case 'link_cancelled':
      return strings.webex.linkCancelled;
    case 'link_denied':
      return strings.webex.linkDenied;
    case 'link_taken':
      return strings.webex.linkTaken;
    case 'link_expired':
      return strings.webex.linkExpired;
    case 'link_failed':
      return strings.webex.linkFailed;
    case 'unlink_failed':
      return strings.webex.unlinkFailed;
  }
}
