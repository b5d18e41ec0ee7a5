import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { fragmentsOf, startHarness, type Harness } from './harness.js';

/**
 * The Identity issue's promise that a stolen database yields no token, checked on PostgreSQL:
 * enrol and refresh through the real code path, then read every row of every table as text and
 * as raw bytes and look for any fragment of any credential the run saw.
 */

const BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const HOUR = 60 * 60 * 1000;

describe('tokens at rest on PostgreSQL', function () {
  this.timeout(30_000);
  const schema = `cb_rest_${randomBytes(6).toString('hex')}`;
  let admin: pg.Client | undefined;
  let h: Harness | undefined;

  before(async function () {
    const client = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      console.log(
        `      PostgreSQL tokens-at-rest test skipped: no server at ${new URL(BASE_URL).host} (${
          error instanceof Error ? error.message : String(error)
        }; set TEST_DATABASE_URL)`,
      );
      await client.end().catch(() => undefined);
      this.skip();
    }
    admin = client;
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(BASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    h = await startHarness({ databaseUrl: url.toString() });
    try {
      await fetch(`${h.entra.url}/_sandbox/entra`);
    } catch {
      console.log('      (skipped: the sandbox CA is not trusted; run through node scripts/test.mjs)');
      this.skip();
    }
  });

  after(async () => {
    await h?.close();
    if (admin !== undefined) {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });

  it('stores no fragment of any access, refresh or SSO token in any row', async () => {
    const harness = h!;
    const demo = harness.org.users[7]!;
    const service = harness.service();
    const user = await harness.enrolUser(demo.id);
    const enrolled = await service.exchange(await harness.sso(demo.id), user);
    assert.ok(enrolled.ok);
    harness.advance(HOUR);
    assert.ok(
      (await harness.service().getAccessToken(user.id)).ok,
      'a background refresh rotated the tokens',
    );
    assert.equal((await harness.storedRefreshToken(user))?.version, 2);

    const tables = await admin!.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    assert.ok(tables.rows.some((t) => t.table_name === 'tokens'));
    let dump = '';
    let bytes = Buffer.alloc(0);
    for (const { table_name } of tables.rows) {
      const rows = await admin!.query<Record<string, unknown>>(`SELECT * FROM ${schema}.${table_name}`);
      for (const row of rows.rows) {
        for (const value of Object.values(row)) {
          if (Buffer.isBuffer(value)) bytes = Buffer.concat([bytes, value]);
          else dump += `${JSON.stringify(value)}\n`;
        }
      }
    }
    assert.ok(bytes.length > 0, 'sealed tokens are stored as bytes');
    const haystacks = [dump, bytes.toString('latin1'), bytes.toString('base64'), bytes.toString('hex')];
    assert.ok(harness.secrets.size >= 3);
    for (const secret of harness.secrets) {
      for (const fragment of fragmentsOf(secret)) {
        for (const haystack of haystacks) {
          assert.ok(!haystack.includes(fragment), 'a token fragment was found in PostgreSQL');
        }
      }
    }
  });
});
