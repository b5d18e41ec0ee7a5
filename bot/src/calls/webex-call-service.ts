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
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  /** How long a placed call is remembered after its last sighting, to answer `ended` (default 1 h). */
  readonly trackForMs?: number;
}

export const MAX_RECENT_CALLS = 20;
const MAX_TRACKED = 10_000;

/** What this instance knows about a call it placed: Webex forgets a call the moment it ends. */
interface Tracked {
  readonly userId: string;
  readonly destination: string;
  readonly startedAt: number;
  state: CallState;
  answered: boolean;
  seenAt: number;
}

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
  const tracked = new Map<string, Tracked>();
  const trackKey = (userId: string, callId: string): string => `${userId}\u0000${callId}`;

  const prune = (): void => {
    const cutoff = now() - trackForMs;
    for (const [key, call] of tracked) if (call.seenAt < cutoff) tracked.delete(key);
    // Oldest first (insertion order) when still too many.
    for (const key of tracked.keys()) {
      if (tracked.size <= MAX_TRACKED) break;
      tracked.delete(key);
    }
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
      const startedAt = now();
      prune();
      tracked.set(trackKey(userId, dialed.value.callId), {
        userId,
        destination: destination.value.value,
        startedAt,
        state: 'ringing_devices',
        answered: false,
        seenAt: startedAt,
      });
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
      const known = tracked.get(trackKey(userId, callId));
      const webex = await webexFor(userId);
      if (!webex.ok) return webex;
      if (webex.value === undefined) return err(callError('call_not_found'));
      const got = await webex.value.getCall(callId);
      if (!got.ok) {
        if (got.error.code === 'not_found' && known !== undefined) {
          // Webex lists only live calls: a call we placed that it no longer lists has ended.
          known.seenAt = now();
          const endedUnanswered = !known.answered;
          known.state = 'ended';
          return ok(view(callId, known, endedUnanswered ? 'not_answered' : undefined));
        }
        if (got.error.code !== 'not_found') logFailure(userId, 'status', got.error);
        return err(fromWebexError(got.error, 'call_not_found'));
      }
      const call = got.value;
      const state = callStateOf(call);
      const startedAt = known?.startedAt ?? epoch(call.created) ?? now();
      const destination = known?.destination ?? call.remoteParty?.number ?? '';
      if (known !== undefined) {
        known.state = state;
        known.seenAt = now();
        if (state === 'connected' || state === 'held' || call.answered !== undefined) known.answered = true;
      }
      const unanswered = state === 'ended' && call.answered === undefined && known?.answered !== true;
      return ok({
        id: call.id,
        state,
        destination,
        startedAt,
        ...(unanswered ? { reason: 'not_answered' as const } : {}),
      });
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

function view(id: string, known: Tracked, reason?: CallView['reason']): CallView {
  return {
    id,
    state: known.state,
    destination: known.destination,
    startedAt: known.startedAt,
    ...(reason === undefined ? {} : { reason }),
  };
}
