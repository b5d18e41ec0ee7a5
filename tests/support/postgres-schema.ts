import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { err, ok, type Result } from '../../bot/src/shared/result.js';

/** The PostgreSQL server tests use; a test without one skips and says so. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  /** TEST_DATABASE_URL with `search_path` pinned to the schema, as an operator could write it. */
  readonly url: string;
  /** Drops the schema with everything in it and disconnects. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty schema on the test server, so suites sharing the server never see each other's
 * rows; or why there is none (no server answering), for the caller to print as its skip reason.
 */
export async function createTestSchema(prefix: string): Promise<Result<TestSchema, string>> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (error) {
    await admin.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    return err(
      `no PostgreSQL server at ${new URL(TEST_DATABASE_URL).host} (${reason}; set TEST_DATABASE_URL)`,
    );
  }
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return ok({
    url: url.toString(),
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  });
}
