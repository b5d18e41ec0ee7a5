import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../bot/src/observability/logger.js';
import { openStore } from '../bot/src/store/open.js';
import type { Store } from '../bot/src/store/store.js';
import { LOAD_COLUMNS, loadNote, loadRow, type BenchContext, type Benchmark, type Row } from './lib/bench.js';
import type { LoadResult } from './lib/load.js';
import { fsyncLatency, type LatencySummary } from './lib/measure.js';
import { INTAKE_PATH, graphNotificationTemplate, intakeRoute, startOurService } from './lib/servers.js';

/** Fewer requests than the HTTP runs: every one is a durable write (an fsync on SQLite). */
const INTAKE_LOAD = { warmup: 300, requests: 3_000, concurrency: 32, maxSeconds: 15 } as const;
const PG_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
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
    const acked = INTAKE_LOAD.warmup + result.completed - result.errors;
    if (stored !== acked) notes.push(`${name}: ${acked} acknowledged but ${stored} rows stored`);
    return result;
  } finally {
    await service.close();
    await store.close();
  }
}

type BenchPostgres =
  | { readonly skipped: string }
  | { readonly store: Store; readonly schema: string; readonly server: string; dispose(): Promise<void> };

/** A store in a fresh schema of the test database, or why there is none. */
async function openBenchPostgres(): Promise<BenchPostgres> {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (error) {
    await admin.end().catch(() => undefined);
    return {
      skipped: `no PostgreSQL at ${describe(PG_URL)} (${error instanceof Error ? error.message : String(error)}; set BENCH_DATABASE_URL)`,
    };
  }
  const schema = `cb_bench_${randomBytes(6).toString('hex')}`;
  const dropSchema = async (): Promise<void> => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  };
  try {
    const settings = await admin.query<{ v: string }>(
      `SELECT current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') AS v`,
    );
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(PG_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const opened = await openStore({ dataDir: 'unused', databaseUrl: url.toString() }, silent);
    if (!opened.ok) {
      await dropSchema();
      return { skipped: opened.error.message };
    }
    return {
      store: opened.value,
      schema,
      server: `${describe(PG_URL)} ${settings.rows[0]?.v ?? ''}`,
      dispose: dropSchema,
    };
  } catch (error) {
    await dropSchema().catch(() => undefined);
    return {
      skipped: `PostgreSQL at ${describe(PG_URL)} unusable (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'BENCH_DATABASE_URL';
  }
}
