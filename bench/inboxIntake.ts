import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../bot/src/observability/logger.js';
import { openStore } from '../bot/src/store/open.js';
import type { Store } from '../bot/src/store/store.js';
import { LOAD_COLUMNS, loadNote, loadRow, type BenchContext, type Benchmark, type Row } from './lib/bench.js';
import type { LoadResult } from './lib/load.js';
import { fsyncLatency, type LatencySummary } from './lib/measure.js';
import { openBenchPostgres } from './lib/postgres.js';
import { INTAKE_PATH, graphNotificationTemplate, intakeRoute, startOurService } from './lib/servers.js';

/** Fewer requests than the HTTP runs: every one is a durable write (an fsync on SQLite). */
const INTAKE_LOAD = { warmup: 300, requests: 3_000, concurrency: 32, maxSeconds: 15 } as const;
const silent = createLogger({ level: 'silent' });

/**
 * The "acknowledge only what is stored" path: POST a notification, `inbox.enqueue` it, then 202.
 * The ack latency is the request's latency, as Graph or Webex would see it.
 */
export const inboxIntake: Benchmark = {
  id: 'intake',
  async run(ctx) {
    const bare = await ctx.bare('POST');
    const notes: string[] = [];
    const rows: Row[] = [];
    const raw: Record<string, LoadResult | LatencySummary> = {};

    const sqliteDir = path.join(ctx.tmpDir, 'intake-sqlite');
    mkdirSync(sqliteDir, { recursive: true });
    const fsync = fsyncLatency(sqliteDir);
    const sqlite = await openStore({ dataDir: sqliteDir, databaseUrl: undefined }, silent);
    if (!sqlite.ok) throw sqlite.error;
    const sqliteResult = await intakeOn(ctx, sqlite.value, notes, 'SQLite');
    rows.push(loadRow('SQLite enqueue → 202', sqliteResult, bare));
    raw.sqlite = sqliteResult;
    notes.push(
      `SQLite: WAL, synchronous=FULL: one fsync per enqueue, on the event loop (better-sqlite3 is synchronous); ` +
        `fsync of 4 KiB in ${sqliteDir}: p50 ${fsync.p50.toFixed(2)} ms, p99 ${fsync.p99.toFixed(2)} ms`,
    );
    raw.fsyncMs = fsync;

    const postgres = await openBenchPostgres();
    if ('skipped' in postgres) {
      rows.push({ case: 'PostgreSQL enqueue → 202', skipped: postgres.skipped, values: {} });
    } else {
      try {
        const result = await intakeOn(ctx, postgres.store, notes, 'PostgreSQL');
        rows.push(loadRow('PostgreSQL enqueue → 202', result, bare));
        raw.postgres = result;
        notes.push(`PostgreSQL: ${postgres.server}, pool of 10, fresh schema ${postgres.schema}`);
      } finally {
        await postgres.dispose();
      }
    }
    return {
      id: 'intake',
      title: `Inbox intake (${INTAKE_LOAD.concurrency} in flight, ${INTAKE_LOAD.requests.toLocaleString('en-US')} requests after ${INTAKE_LOAD.warmup} warm-up; ratios against bare POST)`,
      columns: LOAD_COLUMNS,
      rows,
      notes,
      raw,
    };
  },
};

async function intakeOn(ctx: BenchContext, store: Store, notes: string[], name: string): Promise<LoadResult> {
  const service = await startOurService([intakeRoute((item) => store.inbox.enqueue(item))]);
  try {
    const result = await ctx.load.run({
      ...INTAKE_LOAD,
      url: `${service.base}${INTAKE_PATH}`,
      method: 'POST',
      bodyTemplate: graphNotificationTemplate(),
      expectStatus: 202,
    });
    notes.push(loadNote(name, result, store.kind === 'postgres' ? 'PostgreSQL' : undefined));
    // Every 202 must stand for a stored row.
    const stored = await store.inbox.countPending();
    const acked = result.warmupCompleted + result.completed - result.errors;
    if (stored !== acked) notes.push(`${name}: ${acked} acknowledged but ${stored} rows stored`);
    return result;
  } finally {
    await service.close();
    await store.close();
  }
}
