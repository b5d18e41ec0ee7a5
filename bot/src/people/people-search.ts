import type { AadUserConversationMember, Contact, User } from '@microsoft/microsoft-graph-types';
import type { GraphClient, GraphError } from '../integrations/graph/graph.client.js';
import type { Logger } from '../observability/logger.js';
import type { Result } from '../shared/result.js';
import { decodeSpeedDials, SPEED_DIALS_EXTENSION } from '../speed-dials/codec.js';
import { matchRank, mergeCandidates, page, rankPeople, SOURCE_ORDER, type Candidate } from './merge.js';
import type {
  PeopleSearch,
  PeopleSearchRequest,
  PeopleSearchResult,
  Person,
  PersonSource,
  PhoneNumber,
} from './person.js';

/**
 * People search: conversation members, directory, Outlook contacts and speed dials fan out in
 * parallel as the searching user, each under its own timeout inside the request's deadline; what
 * arrived is merged, de-duplicated, ranked and paged, and presence is added for the page when time
 * remains. Upstream failures never throw: they show up in `slowSources` / `failedSources`.
 * Logs carry the internal user id, source names, outcomes and durations only.
 */

/** The Graph calls the search makes (a GraphClient for the user's delegated token). */
export type PeopleGraph = Pick<
  GraphClient,
  'searchUsers' | 'listContacts' | 'listChatMembers' | 'listChannelMembers' | 'getPresence' | 'getExtension'
>;

export interface PeopleSearchDeps {
  /** A Graph client acting as the user; an error (e.g. no stored token) fails every source. */
  readonly graphFor: (userId: string) => Promise<Result<PeopleGraph, string>>;
  /** Epoch ms, for deadlines and durations (default Date.now). */
  readonly now?: () => number;
  readonly logger: Logger;
  /** A source's own timeout; the deadline (less the presence reserve) caps it. */
  readonly sourceTimeoutMs?: Partial<Record<PersonSource, number>>;
  /** Time kept back from the sources for merging and presence (default min(300, deadline/5)). */
  readonly presenceReserveMs?: number;
  /** Presence is skipped when less than this is left before the deadline (default 100). */
  readonly minPresenceMs?: number;
}

export { SPEED_DIALS_EXTENSION };
export const DIRECTORY_SELECT = [
  'id',
  'displayName',
  'jobTitle',
  'department',
  'mail',
  'businessPhones',
  'mobilePhone',
  'userPrincipalName',
] as const;
const MAX_SOURCE_TOP = 50;
/**
 * Longer queries are cut to this before Graph sees them: the tab refuses them, but the bot's
 * "call <name>" and the messaging extension pass on whatever was typed.
 */
export const MAX_PEOPLE_QUERY_CHARS = 100;
/** Safety margin so the answer is built before the deadline, not at it. */
const FINISH_MARGIN_MS = 30;

type SourceOutcome =
  | { readonly kind: 'ok'; readonly candidates: readonly Candidate[] }
  | { readonly kind: 'slow' }
  | { readonly kind: 'failed'; readonly code: string };

type SourceRun = (graph: PeopleGraph, signal: AbortSignal) => Promise<Result<Candidate[], GraphError>>;

export function createPeopleSearch(deps: PeopleSearchDeps): PeopleSearch {
  const now = deps.now ?? Date.now;
  const minPresenceMs = deps.minPresenceMs ?? 100;

  return {
    async search(request: PeopleSearchRequest): Promise<PeopleSearchResult> {
      const started = now();
      const deadlineMs = Math.max(1, request.deadlineMs);
      const deadline = started + deadlineMs;
      const query = request.query.trim().slice(0, MAX_PEOPLE_QUERY_CHARS).trim();
      const skip = Math.max(0, Math.floor(request.skip));
      const count = Math.max(0, Math.floor(request.count));
      const top = Math.min(MAX_SOURCE_TOP, Math.max(10, skip + count + 1));
      const sources = planSources(request, query, top);
      const planned = [...sources.keys()];

      const graph = await deps.graphFor(request.userId);
      if (!graph.ok) {
        deps.logger.info(
          { userId: request.userId, reason: graph.error, failedSources: planned, ms: now() - started },
          'people search: no Graph client for the user',
        );
        return { people: [], hasMore: false, slowSources: [], failedSources: planned };
      }

      const reserve = deps.presenceReserveMs ?? Math.min(300, Math.floor(deadlineMs / 5));
      const sourcesBudget = Math.max(1, deadline - reserve - now());
      const outcomes = await Promise.all(
        planned.map(async (source) => {
          const run = sources.get(source);
          const budget = Math.min(sourcesBudget, deps.sourceTimeoutMs?.[source] ?? sourcesBudget);
          const t0 = now();
          const timed =
            run === undefined ? failed('not_planned') : await withTimeout(run, graph.value, budget);
          const outcome: SourceOutcome =
            timed.kind === 'ok' ? { kind: 'ok', candidates: timed.value } : timed;
          return { source, outcome, ms: now() - t0 };
        }),
      );

      const candidates: Candidate[] = [];
      const slowSources: PersonSource[] = [];
      const failedSources: PersonSource[] = [];
      for (const { source, outcome } of outcomes) {
        if (outcome.kind === 'ok') candidates.push(...outcome.candidates);
        else if (outcome.kind === 'slow') slowSources.push(source);
        else failedSources.push(source);
      }

      const ranked = rankPeople(mergeCandidates(candidates), query);
      const paged = page(ranked, skip, count);
      let people: Person[] = paged.items;
      let presence: 'added' | 'skipped' | 'slow' | 'failed' | 'none' = 'none';
      const ids = [...new Set(people.flatMap((p) => (p.aadObjectId === undefined ? [] : [p.aadObjectId])))];
      if (ids.length > 0) {
        const left = deadline - now() - FINISH_MARGIN_MS;
        if (left < minPresenceMs) presence = 'skipped';
        else {
          const got = await withTimeout((g, signal) => g.getPresence(ids, { signal }), graph.value, left);
          if (got.kind === 'ok') {
            const byId = new Map(
              got.value.flatMap((p) => (typeof p.id === 'string' ? [[p.id.toLowerCase(), p] as const] : [])),
            );
            people = people.map((person) => {
              const p = person.aadObjectId === undefined ? undefined : byId.get(person.aadObjectId);
              const availability = str(p?.availability);
              const activity = str(p?.activity);
              return availability === undefined || activity === undefined
                ? person
                : { ...person, presence: { availability, activity } };
            });
            presence = 'added';
          } else presence = got.kind;
        }
      }

      deps.logger.info(
        {
          userId: request.userId,
          sources: outcomes.map(({ source, outcome, ms }) => ({
            source,
            outcome: outcome.kind,
            ...(outcome.kind === 'failed' ? { code: outcome.code } : {}),
            ms,
          })),
          presence,
          results: ranked.length,
          ms: now() - started,
        },
        'people search',
      );
      return { people, hasMore: paged.hasMore, slowSources, failedSources };
    },
  };
}

function failed(code: string): Timed<never> {
  return { kind: 'failed', code };
}

/**
 * Runs `run` with an AbortSignal that fires after `budgetMs`, and stops waiting then even if the
 * call has not yet noticed the abort. A timed-out or aborted call is slow; a Result error failed.
 */
type Timed<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'slow' }
  | { readonly kind: 'failed'; readonly code: string };

async function withTimeout<T>(
  run: (graph: PeopleGraph, signal: AbortSignal) => Promise<Result<T, GraphError>>,
  graph: PeopleGraph,
  budgetMs: number,
): Promise<Timed<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'slow'>((resolve) => {
    timer = setTimeout(
      () => {
        controller.abort();
        resolve('slow');
      },
      Math.max(1, budgetMs),
    );
  });
  try {
    const settled = await Promise.race([
      run(graph, controller.signal).catch(() => 'threw' as const),
      timedOut,
    ]);
    if (settled === 'slow') return { kind: 'slow' };
    if (settled === 'threw') return { kind: 'failed', code: 'unexpected_error' };
    if (settled.ok) return { kind: 'ok', value: settled.value };
    if (controller.signal.aborted || settled.error.kind === 'aborted' || settled.error.kind === 'timeout')
      return { kind: 'slow' };
    return { kind: 'failed', code: settled.error.code };
  } finally {
    clearTimeout(timer);
  }
}

function planSources(request: PeopleSearchRequest, query: string, top: number): Map<PersonSource, SourceRun> {
  const plan = new Map<PersonSource, SourceRun>();
  const conversation = conversationSource(request, query);
  if (conversation !== undefined) plan.set('conversation', conversation);
  plan.set('speedDials', async (graph, signal) => {
    const got = await graph.getExtension(SPEED_DIALS_EXTENSION, { signal });
    if (!got.ok) return got;
    return { ok: true, value: speedDialCandidates(got.value, query) };
  });
  if (query !== '') {
    plan.set('directory', async (graph, signal) => {
      const got = await graph.searchUsers(query, { signal, top, select: DIRECTORY_SELECT });
      return got.ok ? { ok: true, value: got.value.map(directoryCandidate) } : got;
    });
    plan.set('contacts', async (graph, signal) => {
      const got = await graph.listContacts(query, top, { signal });
      return got.ok ? { ok: true, value: got.value.map(contactCandidate) } : got;
    });
  }
  // Keep the tier order for stable logs and source lists.
  return new Map(SOURCE_ORDER.flatMap((s) => (plan.has(s) ? [[s, plan.get(s) as SourceRun] as const] : [])));
}

function conversationSource(request: PeopleSearchRequest, query: string): SourceRun | undefined {
  const c = request.conversation;
  if (c === undefined) return undefined;
  const members = (list: readonly AadUserConversationMember[]): Candidate[] =>
    list.flatMap((m) => {
      const candidate = memberCandidate(m);
      return candidate !== undefined && matchRank(query, candidate.displayName, candidate.email) !== undefined
        ? [candidate]
        : [];
    });
  if (c.kind === 'channel') {
    const { teamId, channelId } = c;
    if (teamId === undefined || channelId === undefined) return undefined;
    return async (graph, signal) => {
      const got = await graph.listChannelMembers(teamId, channelId, { signal });
      return got.ok ? { ok: true, value: members(got.value) } : got;
    };
  }
  const chatId = c.chatId;
  if (chatId === undefined) return undefined;
  return async (graph, signal) => {
    const got = await graph.listChatMembers(chatId, { signal });
    return got.ok ? { ok: true, value: members(got.value) } : got;
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function memberCandidate(m: AadUserConversationMember): Candidate | undefined {
  const aadObjectId = str(m.userId);
  const email = str(m.email);
  if (aadObjectId === undefined && email === undefined) return undefined;
  return {
    source: 'conversation',
    aadObjectId,
    displayName: str(m.displayName) ?? email ?? '',
    email,
    phones: [],
  };
}

function directoryCandidate(u: User): Candidate {
  const upn = str(u.userPrincipalName);
  const email = str(u.mail) ?? (upn !== undefined && !upn.includes('#EXT#') ? upn : undefined);
  const phones: PhoneNumber[] = [
    ...(u.businessPhones ?? []).flatMap((n) =>
      str(n) === undefined ? [] : [{ type: 'business' as const, number: n }],
    ),
    ...(str(u.mobilePhone) === undefined
      ? []
      : [{ type: 'mobile' as const, number: u.mobilePhone as string }]),
  ];
  return {
    source: 'directory',
    aadObjectId: str(u.id),
    displayName: str(u.displayName) ?? email ?? '',
    jobTitle: str(u.jobTitle),
    department: str(u.department),
    email,
    phones,
  };
}

function contactCandidate(c: Contact): Candidate {
  const email = (c.emailAddresses ?? []).map((e) => str(e.address)).find((a) => a !== undefined);
  const phones: PhoneNumber[] = [
    ...(c.businessPhones ?? []).flatMap((n) =>
      str(n) === undefined ? [] : [{ type: 'business' as const, number: n }],
    ),
    ...(str(c.mobilePhone) === undefined
      ? []
      : [{ type: 'mobile' as const, number: c.mobilePhone as string }]),
    ...(c.homePhones ?? []).flatMap((n) =>
      str(n) === undefined ? [] : [{ type: 'home' as const, number: n }],
    ),
  ];
  return {
    source: 'contacts',
    displayName: str(c.displayName) ?? email ?? '',
    jobTitle: str(c.jobTitle),
    email,
    phones,
  };
}

/**
 * The user's speed dials (bot/src/speed-dials/codec.ts; anything unreadable is skipped, never an
 * error) filtered by a word-prefix match on the label or a digit-prefix match on the number.
 */
export function speedDialCandidates(extension: unknown, query: string): Candidate[] {
  const queryDigits = query.replace(/\D/g, '');
  const digitsOnly = query !== '' && /^[\d\s+().-]+$/.test(query);
  return decodeSpeedDials(extension).entries.flatMap((entry): Candidate[] => {
    const { number, label } = entry;
    if (number.replace(/\D/g, '') === '') return [];
    const matches = digitsOnly
      ? number.replace(/\D/g, '').startsWith(queryDigits)
      : matchRank(query, label) !== undefined;
    if (!matches) return [];
    return [
      {
        source: 'speedDials',
        aadObjectId: entry.aadObjectId,
        displayName: label,
        phones: [{ type: 'other', number }],
      },
    ];
  });
}
