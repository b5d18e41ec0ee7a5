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
import { useId } from 'react';
import { strings } from '../../i18n/strings.js';
import { usePanelStyles } from './panel.js';
import type { GrantProblem, SignIn, SignInError } from './useSignIn.js';

const useStyles = makeStyles({
  checking: {
    paddingBlock: tokens.spacingVerticalXXXL,
  },
  card: {
    maxWidth: '40rem',
  },
  title: {
    margin: 0,
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
  },
  noticeTitle: {
    display: 'block',
  },
});

export interface SignInGateProps {
  readonly signIn: SignIn;
  readonly className?: string;
}

/** What the tab shows until the user is signed in: a spinner, the permission card, or an error with Retry. */
export function SignInGate({ signIn, className }: SignInGateProps) {
  const styles = useStyles();
  const { state } = signIn;
  switch (state.kind) {
    case 'signed_in':
      return null;
    case 'checking':
      return (
        <div className={className} data-testid="sign-in-checking">
          <Spinner className={styles.checking} label={strings.signIn.checking} labelPosition="below" />
        </div>
      );
    case 'error':
      return (
        <MessageBar
          intent="error"
          layout="multiline"
          politeness="assertive"
          className={className}
          data-testid="sign-in-error"
        >
          <MessageBarBody>
            <MessageBarTitle className={styles.noticeTitle}>{strings.signIn.errorTitle}</MessageBarTitle>
            {errorBody(state.error)}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={signIn.retry}>{strings.signIn.retry}</Button>
          </MessageBarActions>
        </MessageBar>
      );
    case 'needs_permission':
      return (
        <PermissionCard
          className={className}
          interaction={state.reason === 'interaction'}
          granting={state.granting}
          problem={state.problem}
          onGrant={signIn.grant}
        />
      );
  }
}

interface PermissionCardProps {
  readonly className: string | undefined;
  readonly interaction: boolean;
  readonly granting: boolean;
  readonly problem: GrantProblem | undefined;
  readonly onGrant: () => void;
}

function PermissionCard({ className, interaction, granting, problem, onGrant }: PermissionCardProps) {
  const styles = useStyles();
  const panel = usePanelStyles();
  const titleId = useId();
  return (
    <section className={className} aria-labelledby={titleId} data-testid="permission-card">
      <div className={mergeClasses(panel.panel, styles.card)}>
        <Text as="h2" id={titleId} size={500} weight="semibold" className={styles.title}>
          {interaction ? strings.signIn.interactionTitle : strings.signIn.permissionTitle}
        </Text>
        <Text>{interaction ? strings.signIn.interactionBody : strings.signIn.permissionBody}</Text>
        {problem === undefined || granting ? null : (
          <MessageBar intent={problem === 'cancelled' ? 'warning' : 'error'} layout="multiline">
            <MessageBarBody>{problemText(problem)}</MessageBarBody>
          </MessageBar>
        )}
        <div className={styles.actions}>
          <Button
            appearance="primary"
            // Stays focusable while busy so keyboard focus isn't dropped to the page.
            disabledFocusable={granting}
            icon={granting ? <Spinner size="tiny" /> : null}
            onClick={onGrant}
          >
            {granting
              ? strings.signIn.granting
              : interaction
                ? strings.signIn.signInAgain
                : strings.signIn.grant}
          </Button>
        </div>
      </div>
    </section>
  );
}

function problemText(problem: GrantProblem): string {
  switch (problem) {
    case 'cancelled':
      return strings.signIn.popupCancelled;
    case 'blocked':
      return strings.signIn.popupBlocked;
    case 'still_missing':
      return strings.signIn.stillMissing;
    case 'failed':
      return strings.signIn.popupFailed;
  }
}

function errorBody(error: SignInError): string {
  switch (error) {
    case 'unavailable':
      return strings.signIn.unavailableBody;
    case 'network':
      return strings.signIn.networkBody;
    case 'no_token':
      return strings.signIn.noTokenBody;
    case 'unauthorized':
      return strings.signIn.unauthorizedBody;
    case 'other':
      return strings.signIn.otherBody;
  }
}
