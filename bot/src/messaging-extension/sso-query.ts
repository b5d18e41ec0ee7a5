import type {
  InvokeResponse,
  MessagingExtensionAttachment,
  MessagingExtensionQuery,
  MessagingExtensionResponse,
  TurnContext,
} from 'botbuilder';
import type { GraphTokenService } from '../auth/obo/graph-token-service.js';
import type { SsoIdentity, SsoValidator } from '../auth/sso-validator.js';
import type { Logger } from '../observability/logger.js';
import type { ConversationContext, PeopleSearch } from '../people/person.js';
import type { Store, User } from '../store/store.js';
import { personAttachment } from './cards/person-card.js';

export interface MessagingExtensionSsoDeps {
  readonly validator: Pick<SsoValidator, 'validate'>;
  readonly store: Pick<Store, 'users'>;
  readonly graphTokens: Pick<GraphTokenService, 'exchange' | 'getAccessToken'>;
  /**
   * What the `silentAuth` fallback button opens when Teams cannot get an SSO token silently:
   * the Call tab (`<publicBaseUrl>/tab/index.html`), whose sign-in and consent flow enrols the
   * user; the next query then carries a token that exchanges.
   */
  readonly signInUrl: string;
  readonly logger: Logger;
  /** Fills the results; without it the extension answers with the sign-in contract only. */
  readonly people?: {
    readonly search: PeopleSearch;
    /** The whole search answers by then (Teams allows 5 s for the invoke). */
    readonly deadlineMs: number;
  };
}

/**
 * The query Teams sends. botbuilder's type lacks `authentication`, which Teams adds when it
 * re-invokes after a `silentAuth` answer (`token` is the Teams SSO token for our API).
 */
export type SsoMessagingExtensionQuery = MessagingExtensionQuery & {
  readonly authentication?: {
    readonly id?: string;
    readonly connectionName?: string;
    readonly token?: string;
  };
};

export const SIGN_IN_TITLE = 'Sign in to CallBridge';
export const UNAVAILABLE_TEXT = "CallBridge can't reach Microsoft right now — try again in a moment";
export const INITIAL_RUN_TITLE = 'Search for people to call';
export const PARTIAL_RESULTS_TITLE = 'Some places were slow to answer';

/**
 * The Teams SSO contract of the search messaging extension (`composeExtension/query`):
 * - no SSO token in `value.authentication.token` → `silentAuth` with an openUrl sign-in fallback;
 *   Teams re-invokes with the token;
 * - a token that does not validate → `silentAuth` again (never an error with internals);
 * - a valid token → the CallBridge user (by tenant + Entra object id, enrolled when new), then
 *   on-behalf-of; a user who already holds a fresh Graph token is not exchanged again, so typing
 *   does not cost an Entra round trip per keystroke;
 * - consent or interaction needed → invoke status 412 (empty body): Teams runs its consent flow;
 * - Entra unreachable → a `message` response; success → a `result` list (the people search
 *   fills it in a later issue; `initialRun` shows a single hint card).
 * Nothing here logs or returns a token.
 */
export async function handleQueryWithSso(
  context: TurnContext,
  query: SsoMessagingExtensionQuery | undefined,
  deps: MessagingExtensionSsoDeps,
): Promise<InvokeResponse<MessagingExtensionResponse | undefined>> {
  const log = deps.logger.child({ component: 'messaging-extension', activityId: context.activity.id });
  // Untrusted JSON from the channel: only a non-empty string is a token.
  const token: unknown = query?.authentication?.token;
  if (typeof token !== 'string' || token === '') return silentAuth(deps.signInUrl);

  const validated = await deps.validator.validate(token);
  if (!validated.ok) {
    log.info({ code: validated.error.code }, 'messaging extension SSO token refused; asking Teams again');
    return silentAuth(deps.signInUrl);
  }
  const sso = validated.value;
  const user =
    (await deps.store.users.getByAadObjectId(sso.tenantId, sso.aadObjectId)) ??
    (await deps.store.users.upsert({ tenantId: sso.tenantId, aadObjectId: sso.aadObjectId }));

  const access = await graphAccess(sso, user, deps, log);
  switch (access) {
    case 'ok':
      return answer({ composeExtension: await results(context, query ?? {}, user, deps) });
    case 'consent':
      return { status: 412 };
    case 'unavailable':
      return answer({ composeExtension: { type: 'message', text: UNAVAILABLE_TEXT } });
    case 'failed':
      return answer({
        composeExtension: {
          type: 'message',
          text: 'CallBridge could not sign you in. Open the CallBridge Call tab to sign in, then search again.',
        },
      });
  }
}

type Access = 'ok' | 'consent' | 'unavailable' | 'failed';

async function graphAccess(
  sso: SsoIdentity,
  user: User,
  deps: MessagingExtensionSsoDeps,
  log: Logger,
): Promise<Access> {
  // An active user's cached (or stored) access token is reused: no on-behalf-of per keystroke.
  if (user.status === 'active') {
    const cached = await deps.graphTokens.getAccessToken(user.id);
    if (cached.ok) return 'ok';
  }
  const exchanged = await deps.graphTokens.exchange(sso, user);
  if (exchanged.ok) return 'ok';
  const error = exchanged.error;
  switch (error.code) {
    case 'consent_required':
    case 'interaction_required':
      return 'consent';
    case 'unavailable':
      return 'unavailable';
    case 'invalid_assertion':
    case 'misconfigured':
      log.warn(
        { userId: user.id, code: error.code, aadsts: error.aadsts },
        'messaging extension sign-in failed',
      );
      return 'failed';
  }
}

function answer(body: MessagingExtensionResponse): InvokeResponse<MessagingExtensionResponse> {
  return { status: 200, body };
}

function silentAuth(signInUrl: string): InvokeResponse<MessagingExtensionResponse> {
  return answer({
    composeExtension: {
      type: 'silentAuth',
      suggestedActions: { actions: [{ type: 'openUrl', value: signInUrl, title: SIGN_IN_TITLE }] },
    },
  });
}

const MAX_PAGE = 25;

async function results(
  context: TurnContext,
  query: MessagingExtensionQuery,
  user: User,
  deps: MessagingExtensionSsoDeps,
): Promise<NonNullable<MessagingExtensionResponse['composeExtension']>> {
  const parameters = query.parameters ?? [];
  const initialRun = parameters.some((p) => p.name === 'initialRun' && String(p.value) === 'true');
  const text: unknown = parameters.find((p) => p.name === 'query')?.value;
  const found =
    deps.people === undefined
      ? undefined
      : await deps.people.search.search({
          userId: user.id,
          query: initialRun || typeof text !== 'string' ? '' : text.trim(),
          ...conversationOf(context),
          skip: Math.max(0, query.queryOptions?.skip ?? 0),
          count: Math.min(MAX_PAGE, Math.max(1, query.queryOptions?.count ?? MAX_PAGE)),
          deadlineMs: deps.people.deadlineMs,
        });
  // Every card offers "Call with Webex": whoever presses it gets a card for their own Webex link.
  const attachments = (found?.people ?? []).map((person) => personAttachment(person));
  // Teams shows only cards, so an incomplete answer says so in a last card of its own.
  const incomplete = found !== undefined && (found.slowSources.length > 0 || found.failedSources.length > 0);
  if (incomplete) {
    attachments.push(
      hintCard(PARTIAL_RESULTS_TITLE, 'Some people may be missing: keep typing or search again in a moment.'),
    );
  }
  if (attachments.length > 0 || !initialRun) return { type: 'result', attachmentLayout: 'list', attachments };
  return {
    type: 'result',
    attachmentLayout: 'list',
    attachments: [
      hintCard(INITIAL_RUN_TITLE, 'Type a name to find a colleague and share a Webex call link.'),
    ],
  };
}

function hintCard(title: string, text: string): MessagingExtensionAttachment {
  const card = { contentType: 'application/vnd.microsoft.card.thumbnail', content: { title, text } };
  return { ...card, preview: card };
}

/** Where the query was typed, from the activity Teams sent: its members are searched first. */
function conversationOf(context: TurnContext): { conversation?: ConversationContext } {
  const activity = context.activity;
  const kind = activity.conversation.conversationType;
  const channelData = activity.channelData as
    { team?: { aadGroupId?: unknown }; channel?: { id?: unknown } } | undefined;
  if (kind === 'channel') {
    const teamId = channelData?.team?.aadGroupId;
    const channelId = channelData?.channel?.id;
    return typeof teamId === 'string' && typeof channelId === 'string'
      ? { conversation: { kind: 'channel', teamId, channelId } }
      : {};
  }
  if (kind === 'groupChat' || kind === 'personal') {
    return { conversation: { kind, chatId: activity.conversation.id } };
  }
  return {};
}
