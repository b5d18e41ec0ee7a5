import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { strings } from '../i18n/strings.js';
import type { ShellStatus } from './useHostConnection.js';

/** Two columns from here up; below it (phones, narrow Teams panes) everything stacks. */
const WIDE = '@media (min-width: 720px)';

const useStyles = makeStyles({
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    // Same inset as the content below, so the title lines up with the regions.
    [WIDE]: { paddingInline: tokens.spacingHorizontalXXL },
  },
  title: {
    margin: 0,
  },
  userName: {
    // A long name shrinks to an ellipsis instead of pushing the page wider than 360 px.
    minWidth: 0,
    maxWidth: '100%',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  main: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 1fr)',
    alignContent: 'start',
    gap: tokens.spacingVerticalL,
    padding: tokens.spacingHorizontalL,
    [WIDE]: {
      gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)',
      padding: tokens.spacingHorizontalXXL,
    },
  },
  // Source order is reading order; on wide screens these take a full row and the two
  // list regions sit side by side. (No named areas: an empty one would still add a gap.)
  fullRow: { gridColumn: '1 / -1' },
  connecting: {
    paddingBlock: tokens.spacingVerticalXXXL,
  },
  noticeTitle: {
    // On its own line: the bodies are a few sentences long and read badly run on after it.
    display: 'block',
  },
});

export interface ShellProps {
  readonly status: ShellStatus;
  /**
   * Shown instead of the regions while the user isn't signed in to CallBridge yet (checking,
   * the permission card, a sign-in error). Gets the full-row class.
   */
  readonly gate?: (className: string) => ReactNode;
  /**
   * The signed-in tab's sections, placed in the two-column grid; gets the class that makes a
   * section span both columns.
   */
  readonly content?: (fullRow: string) => ReactNode;
}

/**
 * The tab's frame: header, connection status, the sign-in gate, then the content's sections
 * (labelled landmarks so screen-reader users can jump between them).
 */
export function Shell({ status, gate, content }: ShellProps) {
  const styles = useStyles();
  const userName = status.kind === 'ready' ? status.userName : undefined;

  return (
    <>
      <header className={styles.header}>
        <Text as="h1" size={500} weight="semibold" className={styles.title}>
          {strings.appTitle}
        </Text>
        {userName === undefined ? null : (
          <Text className={styles.userName}>{strings.signedInAs(userName)}</Text>
        )}
      </header>
      <main className={styles.main} aria-busy={status.kind === 'connecting'}>
        {status.kind === 'connecting' ? (
          <Spinner
            className={mergeClasses(styles.fullRow, styles.connecting)}
            label={strings.connecting}
            labelPosition="below"
          />
        ) : null}
        {status.kind === 'unhosted' ? (
          <MessageBar intent="info" layout="multiline" className={styles.fullRow}>
            <MessageBarBody>
              <MessageBarTitle className={styles.noticeTitle}>{strings.unhostedTitle}</MessageBarTitle>
              {strings.unhostedBody}
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {status.kind === 'failed' ? (
          <MessageBar intent="error" layout="multiline" politeness="assertive" className={styles.fullRow}>
            <MessageBarBody>
              <MessageBarTitle className={styles.noticeTitle}>{strings.failedTitle}</MessageBarTitle>
              {strings.failedBody}
            </MessageBarBody>
            <MessageBarActions>
              <Button
                onClick={() => {
                  window.location.reload();
                }}
              >
                {strings.reload}
              </Button>
            </MessageBarActions>
          </MessageBar>
        ) : null}
        {status.kind === 'ready' && gate !== undefined ? gate(styles.fullRow) : null}
        {status.kind === 'ready' && gate === undefined ? content?.(styles.fullRow) : null}
      </main>
    </>
  );
}
