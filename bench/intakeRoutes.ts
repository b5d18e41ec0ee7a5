import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TokenKeyRing } from '../bot/src/auth/key-ring.js';
import { createTokenVault, type TokenVault } from '../bot/src/auth/token-vault.js';
import { createLogger } from '../bot/src/observability/logger.js';
import { createNotificationIntake } from '../bot/src/presence-sync/intake/intake.js';
import { openStore } from '../bot/src/store/open.js';
import { GRAPH_SUBSCRIPTION_MAX_MEMBERS, type InboxRepo, type Store } from '../bot/src/store/store.js';
import { graphRouteUnderTest } from './intakeGraph.js';
import {
  BENCH_TENANT,
  inParallel,
  type NotificationRouteUnderTest,
  type SeededUser,
} from './intakeShared.js';
import { webexRouteUnderTest } from './intakeWebex.js';
import { LOAD_COLUMNS, loadNote, loadRow, type BenchContext, type Benchmark, type Row } from './lib/bench.js';
import { loadRequestMaker, type LoadResult, type LoadSpec, type RequestMakerRef } from './lib/load.js';
import { fsyncLatency, measure } from './lib/measure.js';
import { openBenchPostgres } from './lib/postgres.js';
import { discardingLogger, startOurService, type RunningServer } from './lib/servers.js';

/**
 * Our notification intake routes as production composes them (one `createNotificationIntake`
 * shared by `createWebexCallWebhooks` and `createGraphPresenceSubscriptions`, as
 * `createPresenceSync` does), against seeded rows, under the same closed-loop load as the bare
 * server: signed Webex call deliveries and Graph presence notifications, each checked, stored
 * (group commit) and only then acknowledged. A last case turns group commit off (`maxBatch: 1`,
 * one transaction per notification) so its effect shows in the same run. No upstream calls.
 */

const ROUTE_LOAD = { warmup: 200, requests: 2_000, concurrency: 32 } as const;
/** Each case gets at most this long per phase, less when the bench runs late. */
const CASE_MAX_SECONDS = 4;
/** Load phases of this bench share this many seconds (on top of seeding), so it stays near 20 s. */
const BENCH_LOAD_SECONDS = 18;
/** Two full Graph subscriptions: a user recurs every 1,300 requests, past Graph's 500 ms coalescing window. */
const USERS = 2 * GRAPH_SUBSCRIPTION_MAX_MEMBERS;

const ROUTES: readonly NotificationRouteUnderTest[] = [webexRouteUnderTest, graphRouteUnderTest];

interface CaseSpec {
  readonly route: NotificationRouteUnderTest;
  /** Undefined: the intake's default (group commit). */
  readonly maxBatch?: number;
}

const CASES: readonly CaseSpec[] = [
  ...ROUTES.map((route) => ({ route })),
  { route: webexRouteUnderTest, maxBatch: 1 },
];

/** What the intake's `inbox.enqueueMany` calls did: one call is one transaction. */
interface CommitStats {
  transactions: number;
  rows: number;
  inserted: number;
  maxRows: number;
}

interface CaseResult {
  readonly name: string;
  readonly result: LoadResult;
  readonly commits: CommitStats;
  readonly stored: number;
}

export const intakeRoutes: Benchmark = {
  id: 'notifications',
  async run(ctx) {
    const bare = await ctx.bare('POST');
    const started = performance.now();
    const budget = (casesLeft: number): number => {
      const left = BENCH_LOAD_SECONDS - (performance.now() - started) / 1000;
      return Math.max(1, Math.min(CASE_MAX_SECONDS, left / 2 / casesLeft));
    };
    const rows: Row[] = [loadRow('bare node:http POST → 202', bare, bare)];
    const notes: string[] = [];
    const requestNotes: string[] = [];
    const raw: Record<string, unknown> = { bare };

    const sqliteDir = path.join(ctx.tmpDir, 'notifications-sqlite');
    mkdirSync(sqliteDir, { recursive: true });
    const fsync = fsyncLatency(sqliteDir);
    const sqlite = await openStore(
      { dataDir: sqliteDir, databaseUrl: undefined },
      createLogger({ level: 'silent' }),
    );
    if (!sqlite.ok) throw sqlite.error;
    try {
      // The PostgreSQL cases still to come share the budget.
      const { results, makers } = await onStore(ctx, sqlite.value, 'SQLite', notes, (left) =>
        budget(left + CASES.length),
      );
      rows.push(...results.map((r) => caseRow(r, bare)));
      raw.sqlite = results;
      for (const [route, ref] of makers) requestNotes.push(await describeRequests(route, ref));
    } finally {
      await sqlite.value.close();
    }
    notes.push(
      `SQLite: WAL, synchronous=FULL (one fsync per transaction) in ${sqliteDir}; fsync of 4 KiB there: p50 ${fsync.p50.toFixed(2)} ms, p99 ${fsync.p99.toFixed(2)} ms`,
    );
    raw.fsyncMs = fsync;

    const postgres = await openBenchPostgres();
    if ('skipped' in postgres) {
      console.log(`notifications: PostgreSQL rows skipped: ${postgres.skipped}`);
      for (const c of CASES)
        rows.push({ case: caseName('PostgreSQL', c), skipped: postgres.skipped, values: {} });
    } else {
      try {
        const { results } = await onStore(ctx, postgres.store, 'PostgreSQL', notes, budget);
        rows.push(...results.map((r) => caseRow(r, bare)));
        raw.postgres = results;
        notes.push(`PostgreSQL: ${postgres.server}, pool of 10, fresh schema ${postgres.schema}`);
      } finally {
        await postgres.store.close();
        await postgres.dispose();
      }
    }

    return {
      id: 'notifications',
      title: `Notification intake routes (${ROUTE_LOAD.concurrency} in flight, ${ROUTE_LOAD.requests.toLocaleString('en-US')} requests after ${ROUTE_LOAD.warmup} warm-up; ratios against bare POST of the same run)`,
      columns: [...LOAD_COLUMNS, { key: 'rowsPerTx', label: 'rows/tx', format: 'text' }],
      rows,
      notes: [
        `seeded: ${USERS.toLocaleString('en-US')} users; per route what it checks against (see bench/intakeWebex.ts, bench/intakeGraph.ts); request bodies made per request in the generator (bench/intakeRequests.ts); bare POST bodies are 1.7 KB`,
        `rows/tx: notifications per inbox transaction (mean, warm-up included); at most ${String(ROUTE_LOAD.concurrency)} (the requests in flight) under this closed-loop load. maxBatch 1 stores each in its own transaction: the cost group commit saves`,
        ...requestNotes,
        ...notes,
      ],
      raw,
    };
  },
};

function caseName(store: string, c: CaseSpec): string {
  return `${store} · ${c.route.label}${c.maxBatch === undefined ? '' : ` (maxBatch ${String(c.maxBatch)}: no group commit)`} → 202`;
}

function caseRow({ name, result, commits }: CaseResult, bare: LoadResult): Row {
  const row = loadRow(name, result, bare);
  return {
    ...row,
    values: { ...row.values, rowsPerTx: (commits.rows / Math.max(1, commits.transactions)).toFixed(1) },
  };
}

/** Seeds `store`, then runs every case against it; `budget(casesLeft)` caps a phase's seconds. */
async function onStore(
  ctx: BenchContext,
  store: Store,
  label: string,
  notes: string[],
  budget: (casesLeft: number) => number,
): Promise<{ results: CaseResult[]; makers: ReadonlyMap<NotificationRouteUnderTest, RequestMakerRef> }> {
  const vault = createTokenVault(benchKeyRing());
  const seeded = await measure(async () => {
    const users = await seedUsers(store);
    const makers = new Map<NotificationRouteUnderTest, RequestMakerRef>();
    for (const route of ROUTES) makers.set(route, await route.seed(store, vault, users));
    return makers;
  });
  notes.push(`${label}: seeding took ${(seeded.ms / 1000).toFixed(1)} s (not measured)`);
  const results: CaseResult[] = [];
  let running: Running | undefined;
  try {
    for (const [index, c] of CASES.entries()) {
      if (running === undefined || running.maxBatch !== c.maxBatch) {
        await running?.service.close();
        running = await startRoutes(store, vault, c.maxBatch);
      }
      const name = caseName(label, c);
      Object.assign(running.commits, { transactions: 0, rows: 0, inserted: 0, maxRows: 0 });
      const before = await store.inbox.countPending();
      const requestMaker = seeded.value.get(c.route);
      if (requestMaker === undefined) throw new Error(`${c.route.label} was not seeded`);
      const spec: LoadSpec = {
        ...ROUTE_LOAD,
        maxSeconds: budget(CASES.length - index),
        url: `${running.service.base}${c.route.path}`,
        method: 'POST',
        requestMaker,
        expectStatus: 202,
      };
      const result = await ctx.load.run(spec);
      const stored = (await store.inbox.countPending()) - before;
      const commits = { ...running.commits };
      results.push({ name, result, commits, stored });
      notes.push(caseNote(name, c, result, commits, stored, store.kind === 'postgres'));
    }
  } finally {
    await running?.service.close();
  }
  return { results, makers: seeded.value };
}

/** What the senders send: one sample request's size and headers. */
async function describeRequests(route: NotificationRouteUnderTest, ref: RequestMakerRef): Promise<string> {
  const sample = (await loadRequestMaker(ref))(0);
  const headers = Object.keys(sample.headers ?? {});
  return `${route.label}: ${String(Buffer.byteLength(sample.body ?? ''))}-byte bodies${headers.length === 0 ? '' : ` with ${headers.join(', ')}`}`;
}

function caseNote(
  name: string,
  c: CaseSpec,
  result: LoadResult,
  commits: CommitStats,
  stored: number,
  postgres: boolean,
): string {
  const acked = result.warmupCompleted + result.completed - result.errors;
  const parts = [
    loadNote(name, result, postgres ? 'PostgreSQL' : undefined),
    `${commits.transactions.toLocaleString('en-US')} transactions, ${commits.rows.toLocaleString('en-US')} rows (max ${String(commits.maxRows)} in one)`,
  ];
  // Every 202 must stand for a stored row: one row per notification where every one is distinct;
  // otherwise (Graph) the rows the intake says it inserted, and the folded repeats are counted.
  if (stored !== commits.inserted)
    parts.push(
      `MISMATCH: the intake inserted ${String(commits.inserted)} but ${String(stored)} rows appeared`,
    );
  if (c.route.everyAckStored && stored !== acked)
    parts.push(`MISMATCH: ${String(acked)} acknowledged but ${String(stored)} rows stored`);
  if (!c.route.everyAckStored && stored < acked)
    parts.push(
      `${String(acked - stored)} of ${String(acked)} acknowledged were a user's repeat within 500 ms, folded into one row`,
    );
  return parts.join('; ');
}

interface Running {
  readonly service: RunningServer;
  /** Live counters of the intake's transactions. */
  readonly commits: CommitStats;
  readonly maxBatch: number | undefined;
}

/** Every route on one service around one intake, built the way `createPresenceSync` builds them. */
async function startRoutes(store: Store, vault: TokenVault, maxBatch: number | undefined): Promise<Running> {
  const logger = discardingLogger();
  const counted = countCommits(store.inbox);
  const intake = createNotificationIntake({
    store: { inbox: counted.inbox },
    logger,
    ...(maxBatch === undefined ? {} : { maxBatch }),
  });
  const built = ROUTES.map((route) => route.build({ store, vault, intake, logger }));
  const service = await startOurService(built.flatMap((b) => b.routes));
  return {
    service: {
      base: service.base,
      close: async () => {
        for (const b of built) b.close();
        await service.close();
      },
    },
    commits: counted.stats,
    maxBatch,
  };
}

/** The inbox with `enqueueMany` (the intake's one call: one transaction each) counted. */
function countCommits(inbox: InboxRepo): { inbox: InboxRepo; stats: CommitStats } {
  const stats: CommitStats = { transactions: 0, rows: 0, inserted: 0, maxRows: 0 };
  const enqueueMany: InboxRepo['enqueueMany'] = async (items) => {
    const result = await inbox.enqueueMany(items);
    stats.transactions += 1;
    stats.rows += items.length;
    stats.maxRows = Math.max(stats.maxRows, items.length);
    stats.inserted += result.inserted.filter(Boolean).length;
    return result;
  };
  return {
    inbox: new Proxy(inbox, {
      get(target, key) {
        if (key === 'enqueueMany') return enqueueMany;
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }),
    stats,
  };
}

function benchKeyRing(): TokenKeyRing {
  return { activeKeyId: 'bench', keys: new Map([['bench', randomBytes(32)]]), source: 'configured' };
}

/** Deterministic Entra-object-id-shaped ids. */
const aadObjectId = (i: number): string => `00000000-0000-4000-9100-${i.toString(16).padStart(12, '0')}`;

function seedUsers(store: Store): Promise<SeededUser[]> {
  return inParallel(
    Array.from({ length: USERS }, (_, i) => i),
    async (i) => {
      const user = await store.users.upsert({
        tenantId: BENCH_TENANT,
        aadObjectId: aadObjectId(i),
        status: 'active',
      });
      return { id: user.id, aadObjectId: user.aadObjectId };
    },
  );
}
