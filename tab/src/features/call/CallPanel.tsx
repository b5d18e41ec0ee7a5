import {
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
import type { CallView } from '../../api/contract.js';
import { Section, useSectionStyles } from '../../app/Section.js';
import { strings } from '../../i18n/strings.js';
import {
  isFinished,
  type CallHandle,
  type CallProblem,
  type CallTarget,
  type EndProblem,
} from './useCall.js';

const useStyles = makeStyles({
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
  },
  status: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  live: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  // The link buttons are anchors; give them a button's look and a visible keyboard focus.
  linkButton: { textDecorationLine: 'none' },
});

export interface CallPanelProps {
  readonly call: CallHandle;
  /** Starts the Webex link flow (the account card shows its progress). */
  readonly onLinkWebex: () => void;
  readonly className?: string;
}

/** What happens to the call the user just placed, in words, with the one next step. */
export function CallPanel({ call, onLinkWebex, className }: CallPanelProps) {
  const { state } = call;
  if (state.kind === 'idle') return null;
  return (
    <Section
      heading={strings.call.heading}
      className={className}
      testId="call-panel"
      state={state.kind === 'webex' ? state.call.state : state.kind}
      busy={state.kind === 'placing'}
    >
      <CallBody call={call} onLinkWebex={onLinkWebex} />
    </Section>
  );
}

function CallBody({ call, onLinkWebex }: { readonly call: CallHandle; readonly onLinkWebex: () => void }) {
  const styles = useStyles();
  const section = useSectionStyles();
  const { state } = call;
  const again = (target: CallTarget) => () => {
    call.place(target);
  };
  const dismiss = (
    <Button appearance="subtle" onClick={call.dismiss}>
      {strings.call.dismiss}
    </Button>
  );
  switch (state.kind) {
    case 'idle':
      return null;
    case 'placing':
      return (
        <div aria-live="polite">
          <Spinner size="small" labelPosition="after" label={strings.call.placing(label(state.target))} />
        </div>
      );
    case 'webex': {
      const finished = isFinished(state.call);
      return (
        <>
          <div className={styles.row}>
            <div className={styles.status} aria-live="polite" aria-atomic="true">
              <span className={styles.live}>
                {finished ? null : <Spinner size="extra-tiny" aria-hidden="true" />}
                <Text weight="semibold" data-testid="call-status">
                  {strings.call.states[state.call.state]}
                </Text>
              </span>
              <Text className={section.muted}>{strings.call.callingTo(label(state.target))}</Text>
              {finished ? <EndReason call={state.call} /> : null}
            </div>
            <div className={styles.actions}>
              {finished ? null : (
                <EndButton
                  call={state.call}
                  target={state.target}
                  ending={state.ending}
                  onEnd={call.hangUp}
                />
              )}
              {finished ? (
                <Button appearance="primary" onClick={again(state.target)}>
                  {strings.call.callAgain}
                </Button>
              ) : null}
              {dismiss}
            </div>
          </div>
          {state.endProblem !== null && !finished ? (
            <EndFailure problem={state.endProblem} onLinkWebex={onLinkWebex} />
          ) : null}
          {state.statusLost && !finished ? (
            <MessageBar intent="warning">
              <MessageBarBody>{strings.call.statusLost}</MessageBarBody>
            </MessageBar>
          ) : null}
        </>
      );
    }
    case 'deep_link':
      return (
        <div className={styles.status} data-testid="deep-link">
          <Text weight="semibold">{strings.call.deepLinkTitle}</Text>
          <Text>{strings.call.deepLinkBody}</Text>
          <Text className={section.muted}>{strings.call.callingTo(label(state.target))}</Text>
          <div className={styles.actions}>
            <AnchorButton href={state.links.webex} primary testId="open-webex">
              {strings.call.openWebex}
            </AnchorButton>
            {state.links.tel === undefined ? null : (
              <AnchorButton href={state.links.tel} testId="open-tel">
                {strings.call.useTel}
              </AnchorButton>
            )}
            {state.links.sip === undefined ? null : (
              <AnchorButton href={state.links.sip} testId="open-sip">
                {strings.call.useSip}
              </AnchorButton>
            )}
            {state.linkWebex ? <Button onClick={onLinkWebex}>{strings.call.linkWebex}</Button> : null}
            {dismiss}
          </div>
        </div>
      );
    case 'error':
      return (
        <MessageBar intent="error" layout="multiline" politeness="assertive" data-testid="call-error">
          <MessageBarBody>
            <MessageBarTitle className={section.noticeTitle}>{strings.call.errorTitle}</MessageBarTitle>
            {problemText(state.problem, state.retryAfterSeconds)}
          </MessageBarBody>
          <MessageBarActions>
            {state.problem === 'webex_relink_required' ? (
              <Button appearance="primary" onClick={onLinkWebex}>
                {strings.call.linkAgain}
              </Button>
            ) : state.problem === 'webex_unavailable' ||
              state.problem === 'network' ||
              state.problem === 'other' ? (
              <Button appearance="primary" onClick={again(state.target)}>
                {strings.call.retry}
              </Button>
            ) : null}
            {dismiss}
          </MessageBarActions>
        </MessageBar>
      );
  }
}

/** Cancel while the call rings, Hang up once answered; stays focusable while the request runs. */
function EndButton({
  call,
  target,
  ending,
  onEnd,
}: {
  readonly call: CallView;
  readonly target: CallTarget;
  readonly ending: boolean;
  readonly onEnd: () => void;
}) {
  const answered = call.state === 'connected' || call.state === 'held';
  const text = answered ? strings.call.hangUp : strings.call.cancel;
  const name = answered ? strings.call.hangUpLabel(label(target)) : strings.call.cancelLabel(label(target));
  return (
    <Button
      appearance="primary"
      data-testid="call-end"
      aria-label={ending ? `${name}. ${strings.call.ending}` : name}
      disabledFocusable={ending}
      icon={ending ? <Spinner size="extra-tiny" aria-hidden="true" /> : null}
      onClick={onEnd}
    >
      {ending ? strings.call.ending : text}
    </Button>
  );
}

function EndFailure({
  problem,
  onLinkWebex,
}: {
  readonly problem: EndProblem;
  readonly onLinkWebex: () => void;
}) {
  const section = useSectionStyles();
  const errors = strings.call.hangUpErrors;
  const text =
    problem.problem === 'webex_relink_required'
      ? errors.webex_relink_required
      : problem.problem === 'webex_unavailable'
        ? errors.webex_unavailable(problem.retryAfterSeconds)
        : problem.problem === 'network'
          ? errors.network
          : errors.other;
  return (
    <MessageBar intent="error" layout="multiline" politeness="assertive" data-testid="call-end-error">
      <MessageBarBody>
        <MessageBarTitle className={section.noticeTitle}>{strings.call.hangUpErrorTitle}</MessageBarTitle>
        {text}
      </MessageBarBody>
      {problem.problem === 'webex_relink_required' ? (
        <MessageBarActions>
          <Button onClick={onLinkWebex}>{strings.call.linkAgain}</Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}

function EndReason({ call }: { readonly call: CallView }) {
  if (call.state !== 'failed' && call.reason === undefined) return null;
  return <Text data-testid="call-reason">{strings.call.reasons[call.reason ?? 'unknown']}</Text>;
}

function AnchorButton({
  href,
  primary = false,
  testId,
  children,
}: {
  readonly href: string;
  readonly primary?: boolean;
  readonly testId: string;
  readonly children: string;
}) {
  const styles = useStyles();
  // Fluent's Button renders an anchor when given `as="a"`; it keeps the button's focus ring.
  return (
    <Button
      as="a"
      href={href}
      appearance={primary ? 'primary' : 'secondary'}
      className={styles.linkButton}
      data-testid={testId}
      target="_blank"
      rel="noopener noreferrer"
    >
      {children}
    </Button>
  );
}

function label(target: CallTarget): string {
  return target.displayName === undefined
    ? target.destination
    : `${target.displayName} (${target.destination})`;
}

function problemText(problem: CallProblem, retryAfterSeconds: number | undefined): string {
  switch (problem) {
    case 'invalid_number':
      return strings.call.errors.invalid_number;
    case 'not_calling_enabled':
      return strings.call.errors.not_calling_enabled;
    case 'webex_relink_required':
      return strings.call.errors.webex_relink_required;
    case 'webex_unavailable':
      return strings.call.errors.webex_unavailable(retryAfterSeconds);
    case 'network':
      return strings.call.errors.network;
    case 'other':
      return strings.call.errors.other;
  }
}
