import type { Presence } from '@microsoft/microsoft-graph-types';
import type { RequestIdentity } from '../auth/request-identity.js';
import type { GraphClient, GraphError } from '../integrations/graph/graph.client.js';
import type { PersonPresence } from '../people/person.js';
import type { Result } from '../shared/result.js';
import type { SpeedDials } from '../speed-dials/speed-dial-service.js';
import type { WebexLinkStatus } from '../webex-link/token-service.js';
import type { CallTabDeps, SyncStatus } from './deps.js';

export type BootstrapSection = 'profile' | 'speedDials' | 'presence' | 'webex' | 'sync';

export interface Bootstrap {
  readonly profile: {
    readonly aadObjectId: string;
    readonly displayName: string;
    readonly jobTitle?: string;
  } | null;
  readonly speedDials: SpeedDials | null;
  readonly presence: Record<string, PersonPresence>;
  readonly webex: WebexLinkStatus | null;
  readonly sync: SyncStatus | null;
  readonly problems: { readonly section: BootstrapSection; readonly code: string }[];
}

export type BootstrapDeps = Pick<
  CallTabDeps,
  'sessions' | 'speedDials' | 'webex' | 'syncStatus' | 'logger' | 'bootstrapDeadlineMs'
>;

const PROFILE_SELECT = ['id', 'displayName', 'jobTitle'] as const;
/** Speed-dial people remembered per user, so their presence is asked for alongside the speed dials. */
const MAX_REMEMBERED_USERS = 10_000;

/**
 * Everything the Call tab's first paint needs, in one request. Every upstream call starts at
 * once: the profile, the speed dials, and the presence of the speed-dial people this instance saw
 * last time (their ids are only known once the speed dials arrive, so a changed set costs a second
 * presence call for the newcomers). A section that fails or misses the deadline is `null` and
 * listed in `problems`; the request itself still succeeds.
 */
export function createBootstrap(deps: BootstrapDeps): (identity: RequestIdentity) => Promise<Bootstrap> {
  const deadlineMs = deps.bootstrapDeadlineMs ?? 3_000;
  const knownPeople = new Map<string, readonly string[]>();

  return async (identity) => {
    const userId = identity.user.id;
    const signal = AbortSignal.timeout(deadlineMs);
    const problems: Bootstrap['problems'] = [];
    const webexP = deps.webex?.status(userId);
    const syncP = deps.syncStatus?.(userId);
    // Handled now, settled below: a rejection while Graph is still answering is not an unhandled one.
    void webexP?.catch(ignore);
    void syncP?.catch(ignore);
    const graph = await deps.sessions.forRequest(identity);

    let profile: Bootstrap['profile'] = null;
    let speedDials: SpeedDials | null = null;
    const presence: Record<string, PersonPresence> = {};
    if (!graph.ok) {
      for (const section of ['profile', 'speedDials', 'presence'] as const)
        problems.push({ section, code: graph.error.code });
    } else {
      const client = graph.value;
      const guessed = knownPeople.get(userId) ?? [];
      const profileP = client.getMe(PROFILE_SELECT, { signal });
      const guessP = presenceOf(client, guessed, signal);
      const dials = await deps.speedDials.read(client, signal);
      let presenceFailed: string | undefined;
      if (dials.ok) {
        speedDials = dials.value;
        const ids = [
          ...new Set(
            dials.value.entries.flatMap((e) => (e.aadObjectId === undefined ? [] : [e.aadObjectId])),
          ),
        ];
        remember(knownPeople, userId, ids);
        const missing = ids.filter((id) => !guessed.includes(id));
        const [guess, extra] = await Promise.all([guessP, presenceOf(client, missing, signal)]);
        const wanted = new Set(ids.map((id) => id.toLowerCase()));
        for (const got of [guess, extra]) {
          if (!got.ok) {
            presenceFailed ??= problemCode(got.error);
            continue;
          }
          for (const p of got.value) {
            const id = typeof p.id === 'string' ? p.id.toLowerCase() : undefined;
            if (id === undefined || !wanted.has(id) || typeof p.availability !== 'string') continue;
            presence[id] = { availability: p.availability, activity: p.activity ?? p.availability };
          }
        }
      } else {
        const code = dials.error.code === 'graph' ? problemCode(dials.error.error) : dials.error.code;
        problems.push({ section: 'speedDials', code });
        presenceFailed = 'speed_dials_unavailable';
        void guessP;
      }
      if (presenceFailed !== undefined) problems.push({ section: 'presence', code: presenceFailed });
      const me = await profileP;
      if (me.ok && typeof me.value.id === 'string') {
        profile = {
          aadObjectId: me.value.id,
          displayName: me.value.displayName ?? '',
          ...(typeof me.value.jobTitle === 'string' && me.value.jobTitle !== ''
            ? { jobTitle: me.value.jobTitle }
            : {}),
        };
      } else problems.push({ section: 'profile', code: me.ok ? 'invalid_response' : problemCode(me.error) });
    }

    let webex: WebexLinkStatus | null = null;
    if (webexP === undefined) problems.push({ section: 'webex', code: 'not_configured' });
    else webex = await settle(webexP, 'webex', problems);
    let sync: SyncStatus | null = null;
    if (syncP === undefined) problems.push({ section: 'sync', code: 'not_configured' });
    else sync = await settle(syncP, 'sync', problems);

    if (problems.length > 0)
      deps.logger.info({ userId, problems }, 'bootstrap answered with missing sections');
    return { profile, speedDials, presence, webex, sync, problems };
  };
}

function presenceOf(
  client: Pick<GraphClient, 'getPresence'>,
  ids: readonly string[],
  signal: AbortSignal,
): Promise<Result<Presence[], GraphError>> {
  return ids.length === 0 ? Promise.resolve({ ok: true, value: [] }) : client.getPresence(ids, { signal });
}

function remember(known: Map<string, readonly string[]>, userId: string, ids: readonly string[]): void {
  known.delete(userId);
  known.set(userId, ids);
  // Least recently used users go first.
  for (const key of known.keys()) {
    if (known.size <= MAX_REMEMBERED_USERS) break;
    known.delete(key);
  }
}

/** Short machine codes for `problems`: what failed, not Graph's wording. */
function problemCode(error: GraphError): string {
  if (error.kind === 'aborted' || error.kind === 'timeout') return 'timeout';
  if (error.kind === 'throttled') return 'throttled';
  if (error.status === 403) return 'consent_required';
  if (error.status === 401 || error.kind === 'token_unavailable') return 'interaction_required';
  return 'upstream_unavailable';
}

async function settle<T>(
  pending: Promise<T>,
  section: BootstrapSection,
  problems: Bootstrap['problems'],
): Promise<T | null> {
  try {
    return await pending;
  } catch {
    problems.push({ section, code: 'unavailable' });
    return null;
  }
}

function ignore(): void {
  // The same promise is awaited by settle(), which turns its rejection into a problem.
}
