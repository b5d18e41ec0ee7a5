import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '../../bot/src/observability/logger.js';
import { openStore } from '../../bot/src/store/open.js';
import type { Store } from '../../bot/src/store/store.js';

/** Where the PostgreSQL rows of the benchmarks run: a fresh schema of this database per run. */
export const PG_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

export type BenchPostgres =
  | { readonly skipped: string }
  | { readonly store: Store; readonly schema: string; readonly server: string; dispose(): Promise<void> };

/** A store in a fresh schema of the test database (dropped by `dispose`), or why there is none. */
export async function openBenchPostgres(): Promise<BenchPostgres> {
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
    const opened = await openStore(
      { dataDir: 'unused', databaseUrl: url.toString() },
      createLogger({ level: 'silent' }),
    );
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

/** host:port/database of a connection string, without credentials. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'BENCH_DATABASE_URL';
  }
}
