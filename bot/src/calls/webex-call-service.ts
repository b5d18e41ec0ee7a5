import { createHash } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js/min';
import {
  WebexClient,
  type CallHistoryRecord,
  type WebexCall,
  type WebexError,
} from '../integrations/webex/webex.client.js';
import type { HttpPolicy } from '../integrations/http-policy.js';
import type { Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import type { PlacedCallRecord, PlacedCallRepo } from '../store/store.js';
import type { WebexTokenError, WebexTokenService } from '../webex-link/token-service.js';
import type {
  CallError,
  CallErrorCode,
  CallService,
  CallState,
  CallView,
  RecentCall,
  VoiceMessage,
} from './call-service.js';
import { ACCEPTED_DESTINATIONS, deepLinks, parseDestination } from './destination.js';

export interface CallServiceDeps {
  readonly tokens: Pick<WebexTokenService, 'getAccessToken'>;
  /** `config.webex.baseUrl`. */
  readonly webexBaseUrl: string;
  readonly policy: HttpPolicy;
  /** ISO 3166 alpha-2 (`config.calling.defaultCountry`). */
  readonly defaultCountry: CountryCode;
  readonly logger: Logger;
  /**
   * Where placed calls are remembered (`store.placedCalls`): Webex forgets a call the moment it
   * ends, and the next poll may reach another instance, which must still answer `ended`.
   */
  readonly placedCalls: PlacedCallRepo;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  /** How long a placed call is remembered after its last sighting, to answer `ended` (default 1 h). */
  readonly trackForMs?: number;
}

export const MAX_RECENT_CALLS = 20;

const MESSAGES: Record<Exclude<CallErrorCode, 'invalid_number'>, string> = {
  not_calling_enabled:
    'Your Webex account is not set up for Webex Calling, so CallBridge cannot place or list calls for you. Ask your Webex administrator for a Webex Calling licence.',
  webex_relink_required:
    'Your Webex connection has expired or was removed. Link Webex again from the Call tab, then try again.',
  webex_unavailable: 'Webex is not answering right now. Try again in a minute.',
  call_not_found: 'That call is not known to CallBridge or Webex. It may have ended a while ago.',
  voicemail_not_found: 'That voice message no longer exists in Webex. It may have been deleted.',
};

function callError(code: Exclude<CallErrorCode, 'invalid_number'>, retryAfterMs?: number): CallError {
  return {
    code,
    message: MESSAGES[code],
    ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }),
  };
}

/** Token problems other than "not linked", in the user's terms. */
function fromTokenError(e: Exclude<WebexTokenError, { code: 'not_linked' }>): CallError {
  if (e.code === 'unavailable') return callError('webex_unavailable', e.retryAfterMs);
  // A token the vault cannot open is replaced by linking again, like a revoked one.
  return callError('webex_relink_required');
}

/**
 * Webex's answer in the user's terms: 403 (no calling licence or role) → not_calling_enabled,
 * 400 → invalid_number, 401 → relink, 404 → the `notFound` code, anything else → unavailable.
 */
function fromWebexError(e: WebexError, notFound: 'call_not_found' | 'voicemail_not_found'): CallError {
  switch (e.code) {
    case 'not_calling_enabled':
    case 'forbidden':
      return callError('not_calling_enabled');
    case 'invalid_destination':
    case 'bad_request':
      return notFound === 'call_not_found' && e.status === 404
        ? callError(notFound)
        : { code: 'invalid_number', message: `Webex could not dial that number. ${ACCEPTED_DESTINATIONS}` };
    case 'unauthorized':
    case 'token_unavailable':
      return callError('webex_relink_required');
    case 'not_found':
      return callError(notFound);
    case 'throttled':
    case 'timeout':
    case 'unavailable':
    case 'network':
    case 'aborted':
    case 'http_error':
    case 'invalid_response':
      return callError('webex_unavailable', e.retryAfterMs);
  }
}

/** A Webex call leg as the Call tab shows it. */
export function callStateOf(call: Pick<WebexCall, 'personality' | 'state'>): CallState {
  switch (call.state) {
    case 'alerting':
      return call.personality === 'clickToDial' ? 'ringing_devices' : 'connecting';
    case 'connecting':
      return 'ringing_remote';
    case 'connected':
      return 'connected';
    case 'held':
    case 'remoteHeld':
      return 'held';
    case 'disconnected':
      return 'ended';
    default:
      return 'connecting';
  }
}

function epoch(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** History records have no id; a digest of what identifies one gives the tab a stable key. */
function historyId(record: CallHistoryRecord): string {
  return createHash('sha256')
    .update(JSON.stringify([record.type, record.time, record.number ?? '', record.name ?? '']))
    .digest('base64url')
    .slice(0, 16);
}

function direction(type: string): RecentCall['direction'] | undefined {
  return type === 'placed' || type === 'received' || type === 'missed' ? type : undefined;
}

export function createCallService(deps: CallServiceDeps): CallService {
  const now = deps.now ?? Date.now;
  const trackForMs = deps.trackForMs ?? 60 * 60 * 1000;
  // A poll rewrites a call's row only when something changed, or to keep a long call from being
  // pruned; pruning runs at most this often per instance, on the next placed call.
  const refreshAfterMs = trackForMs / 4;
  let prunedAt = Number.NEGATIVE_INFINITY;

  const prune = async (): Promise<void> => {
    const t = now();
    if (t - prunedAt < refreshAfterMs) return;
    prunedAt = t;
    try {
      const removed = await deps.placedCalls.prune(t - trackForMs);
      if (removed > 0) deps.logger.debug({ removed }, 'calls: forgot old placed calls');
    } catch (error) {
      deps.logger.warn({ err: error }, 'calls: could not prune placed calls; will retry on a later call');
    }
  };

  /** Records the call; a store failure must not turn a placed call into an error the user retries. */
  const remember = async (
    userId: string,
    callId: string,
    destination: string,
  ): Promise<PlacedCallRecord | undefined> => {
    try {
      const stored = await deps.placedCalls.put({ userId, callId, destination, state: 'ringing_devices' });
      if (stored.ok) return stored.value;
      deps.logger.warn({ userId, callId, code: stored.error.code }, 'calls: placed call not recorded');
    } catch (error) {
      deps.logger.warn({ userId, callId, err: error }, 'calls: placed call not recorded');
    }
    return undefined;
  };

  /** The call as just seen, written back only when that says something new. */
  const sighted = async (
    known: PlacedCallRecord,
    state: CallState,
    answered: boolean,
  ): Promise<PlacedCallRecord> => {
    const news = known.state !== state || (answered && !known.answered);
    if (!news && now() - known.seenAt < refreshAfterMs) return known;
    // `undefined`: pruned since it was read; the read copy still describes the call.
    return (await deps.placedCalls.observe(known.userId, known.callId, { state, answered })) ?? known;
  };

  const clientWith = (token: string): WebexClient =>
    new WebexClient({
      baseUrl: deps.webexBaseUrl,
      getAccessToken: () => Promise.resolve(token),
      policy: deps.policy,
      logger: deps.logger,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });

  /** The user's Webex client, `undefined` when they have not linked Webex. */
  const webexFor = async (userId: string): Promise<Result<WebexClient | undefined, CallError>> => {
    const token = await deps.tokens.getAccessToken(userId);
    if (token.ok) return ok(clientWith(token.value));
    if (token.error.code === 'not_linked') return ok(undefined);
    deps.logger.info({ userId, code: token.error.code }, 'calls: no usable Webex token');
    return err(fromTokenError(token.error));
  };

  const logFailure = (userId: string, operation: string, e: WebexError): void => {
    deps.logger.warn(
      {
        userId,
        operation,
        code: e.code,
        ...(e.status === undefined ? {} : { status: e.status }),
        ...(e.trackingId === undefined ? {} : { trackingId: e.trackingId }),
      },
      'calls: Webex refused',
    );
  };

  return {
    async place(userId, input) {
      const destination = parseDestination(input.destination, deps.defaultCountry);
      if (!destination.ok) return err({ code: 'invalid_number', message: destination.error });
      const webex = await webexFor(userId);
      if (!webex.ok) return webex;
      if (webex.value === undefined) {
        deps.logger.info({ userId, kind: destination.value.kind }, 'calls: deep link for an unlinked user');
        return ok({ mode: 'deep_link', links: deepLinks(destination.value), linkWebex: true });
      }
      const dialed = await webex.value.dial(destination.value.value);
      if (!dialed.ok) {
        logFailure(userId, 'dial', dialed.error);
        return err(fromWebexError(dialed.error, 'call_not_found'));
      }
      const stored = await remember(userId, dialed.value.callId, destination.value.value);
      await prune();
      const startedAt = stored?.startedAt ?? now();
      deps.logger.info(
        { userId, callId: dialed.value.callId, kind: destination.value.kind },
        'calls: click to dial placed',
      );
      return ok({
        mode: 'webex',
        call: {
          id: dialed.value.callId,
          state: 'ringing_devices',
          destination: destination.value.value,
          startedAt,
        },
      });
    },

    async status(userId, callId) {
      const [known, webex] = await Promise.all([deps.placedCalls.get(userId, callId), webexFor(userId)]);
      if (!webex.ok) return webex;
      if (webex.value === undefined) return err(callError('call_not_found'));
      const got = await webex.value.getCall(callId);
      if (!got.ok) {
        if (got.error.code === 'not_found' && known !== undefined) {
          // Webex lists only live calls: a call we placed that it no longer lists has ended.
          const ended = await sighted(known, 'ended', false);
          return ok(view(ended, ended.answered ? undefined : 'not_answered'));
        }
        if (got.error.code !== 'not_found') logFailure(userId, 'status', got.error);
        return err(fromWebexError(got.error, 'call_not_found'));
      }
      const call = got.value;
      const state = callStateOf(call);
      const answered = state === 'connected' || state === 'held' || call.answered !== undefined;
      const seen = known === undefined ? undefined : await sighted(known, state, answered);
      const startedAt = seen?.startedAt ?? epoch(call.created) ?? now();
      const destination = seen?.destination ?? call.remoteParty?.number ?? '';
      const unanswered = state === 'ended' && !answered && seen?.answered !== true;
      return ok({
        id: call.id,
        state,
        destination,
        startedAt,
        ...(unanswered ? { reason: 'not_answered' as const } : {}),
      });
    },

    async hangup(userId, callId) {
      // Only calls CallBridge placed (and recorded for this user) are ended here: the tab is no
      // general remote control for the user's Webex calls, and another user's id looks unknown.
      const [known, webex] = await Promise.all([deps.placedCalls.get(userId, callId), webexFor(userId)]);
      if (known === undefined) return err(callError('call_not_found'));
      if (known.state === 'ended' || known.state === 'failed') return ok(view(known));
      if (!webex.ok) return webex;
      if (webex.value === undefined) return err(callError('call_not_found'));
      const hung = await webex.value.hangup(callId);
      // 404: Webex had already forgotten the call, which ended on its own just before.
      if (!hung.ok && hung.error.code !== 'not_found') {
        logFailure(userId, 'hangup', hung.error);
        // A 400 says nothing about the number here; the call may still ring, so "try again".
        const refused = hung.error.code === 'bad_request' || hung.error.code === 'invalid_destination';
        return err(refused ? callError('webex_unavailable') : fromWebexError(hung.error, 'call_not_found'));
      }
      const ended =
        (await deps.placedCalls.observe(userId, callId, { state: 'ended', answered: false })) ?? known;
      deps.logger.info({ userId, callId }, 'calls: hung up');
      // No end reason: the user ended it themselves.
      return ok(view(ended));
    },

    async recent(userId) {
      const webex = await webexFor(userId);
      if (!webex.ok) return webex;
      if (webex.value === undefined) return ok({ linked: false, calls: [] });
      const got = await webex.value.callHistory();
      if (!got.ok) {
        logFailure(userId, 'history', got.error);
        return err(fromWebexError(got.error, 'call_not_found'));
      }
      const seen = new Set<string>();
      const calls = got.value
        .flatMap((record): RecentCall[] => {
          const dir = direction(record.type);
          const at = epoch(record.time);
          if (dir === undefined || at === undefined) return [];
          let id = historyId(record);
          for (let n = 2; seen.has(id); n += 1) id = `${historyId(record)}-${String(n)}`;
          seen.add(id);
          const name = record.name?.trim();
          return [
            {
              id,
              direction: dir,
              ...(name === undefined || name === '' ? {} : { name }),
              number: record.privacyEnabled === true ? '' : (record.number ?? ''),
              at,
            },
          ];
        })
        .sort((a, b) => b.at - a.at)
        .slice(0, MAX_RECENT_CALLS);
      return ok({ linked: true, calls });
    },

    async voicemail(userId) {
      const webex = await webexFor(userId);
      if (!webex.ok) return webex;
      if (webex.value === undefined) return ok({ linked: false, messages: [], unread: 0 });
      const got = await webex.value.listVoiceMessages();
      if (!got.ok) {
        logFailure(userId, 'voicemail', got.error);
        return err(fromWebexError(got.error, 'voicemail_not_found'));
      }
      const messages = got.value
        .map((m): VoiceMessage => {
          const name = m.callingParty?.name?.trim();
          const number = m.callingParty?.number?.trim();
          return {
            id: m.id,
            from: {
              ...(name === undefined || name === '' ? {} : { name }),
              ...(number === undefined || number === '' ? {} : { number }),
            },
            at: epoch(m.created) ?? 0,
            ...(m.duration === undefined ? {} : { durationSeconds: m.duration }),
            read: m.read,
          };
        })
        .sort((a, b) => b.at - a.at);
      return ok({ linked: true, messages, unread: messages.filter((m) => !m.read).length });
    },

    async markVoicemailRead(userId, id) {
      const webex = await webexFor(userId);
      if (!webex.ok) return webex;
      if (webex.value === undefined) return err(callError('voicemail_not_found'));
      const marked = await webex.value.markVoiceMessageRead(id);
      if (marked.ok) return ok(undefined);
      if (marked.error.code !== 'not_found') logFailure(userId, 'voicemail.markRead', marked.error);
      return err(fromWebexError(marked.error, 'voicemail_not_found'));
    },
  };
}

function view(known: PlacedCallRecord, reason?: CallView['reason']): CallView {
  return {
    id: known.callId,
    state: known.state,
    destination: known.destination,
    startedAt: known.startedAt,
    ...(reason === undefined ? {} : { reason }),
  };
}
