import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '../../../bot/src/observability/logger.js';
import { MIGRATIONS } from '../../../bot/src/store/migrations/index.js';
import { openStore } from '../../../bot/src/store/open.js';
import type { InboxItem, Store, StoreOptions } from '../../../bot/src/store/store.js';
import { assertOk, describeStoreContract, sealedSecret, tokenPut } from './store.contract.js';

const logger = createLogger({ level: 'silent' });
const BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Every table but schema_migrations, referencing tables before users. */
const TABLES = [
  'presence_sync',
  'webex_webhooks',
  'graph_subscriptions',
  'tokens',
  'users',
  'inbox',
  'conversation_refs',
  'leases',
];

/** The connection string with `search_path` pinned to `schema`, as an operator could write it. */
function urlForSchema(schema: string): string {
  const u = new URL(BASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

function randomSchema(): string {
  return `cb_test_${randomBytes(6).toString('hex')}`;
}

function describeServer(): string {
  try {
    const u = new URL(BASE_URL);
    return `${u.hostname}:${u.port || '5432'}`;
  } catch {
    return 'TEST_DATABASE_URL';
  }
}

describe('PostgreSQL store', function () {
  let admin: pg.Client | undefined;
  const schema = randomSchema();
  const url = urlForSchema(schema);

  async function open(options: StoreOptions = {}, databaseUrl = url): Promise<Store> {
    return assertOk(await openStore({ dataDir: 'unused', databaseUrl }, logger, options));
  }

  before(async function () {
    const client = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      console.log(
        `PostgreSQL suite skipped: no server at ${describeServer()} (${reason}; set TEST_DATABASE_URL)`,
      );
      await client.end().catch(() => undefined);
      this.skip();
    }
    admin = client;
    await admin.query(`CREATE SCHEMA ${schema}`);
    // Migrate once so every test's open (and the truncate before it) finds the tables.
    await (await open()).close();
  });

  after(async function () {
    if (admin === undefined) return;
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  /** Empties every table; DELETE rather than TRUNCATE, which costs a file rewrite per table. */
  async function emptyTables(): Promise<void> {
    await admin!.query(TABLES.map((t) => `DELETE FROM ${schema}.${t};`).join('\n'));
  }

  describeStoreContract('PostgreSQL', async (now) => {
    await emptyTables();
    const store = await open({ now });
    return { store, dispose: () => store.close() };
  });

  describe('PostgreSQL specifics', function () {
    const opened: Store[] = [];
    const track = async (store: Promise<Store>): Promise<Store> => {
      const s = await store;
      opened.push(s);
      return s;
    };

    beforeEach(emptyTables);

    afterEach(async function () {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('is chosen by DATABASE_URL and keeps its tables in the configured schema', async function () {
      const store = await track(open());
      assert.equal(store.kind, 'postgres');
      const { rows } = await admin!.query<{ n: string }>(
        `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2)`,
        [schema, [...TABLES, 'schema_migrations']],
      );
      assert.equal(Number(rows[0]!.n), TABLES.length + 1);
    });

    it('lets only one instance at a time run a guarded function', async function () {
      const [a, b] = await Promise.all([track(open()), track(open())]);
      const name = `job-${randomBytes(4).toString('hex')}`;
      let release!: () => void;
      let started!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const running = new Promise<void>((resolve) => (started = resolve));
      const holding = a.guard.runExclusive(name, async () => {
        started();
        await gate;
        return 'a';
      });
      await running;
      let bRan = false;
      assert.deepEqual(
        await b.guard.runExclusive(name, () => {
          bRan = true;
          return Promise.resolve('b');
        }),
        { ran: false },
      );
      assert.equal(bRan, false);
      release();
      assert.deepEqual(await holding, { ran: true, value: 'a' });
      assert.deepEqual(await b.guard.runExclusive(name, () => Promise.resolve('b')), {
        ran: true,
        value: 'b',
      });
    });

    it('lets exactly one of two instances refreshing the same token version win', async function () {
      const [a, b] = await Promise.all([track(open()), track(open())]);
      const user = await a.users.upsert({ tenantId: 't', aadObjectId: 'u' });
      assertOk(await a.tokens.put(tokenPut(user)));
      for (let round = 1; round <= 10; round++) {
        const results = await Promise.all([
          a.tokens.put(tokenPut(user, { sealed: sealedSecret(`a${round}`), expectedVersion: round })),
          b.tokens.put(tokenPut(user, { sealed: sealedSecret(`b${round}`), expectedVersion: round })),
        ]);
        const winners = results.filter((r) => r.ok);
        assert.equal(winners.length, 1, `round ${round}: exactly one writer wins`);
        const stored = await a.tokens.get({ tenantId: 't', userId: user.id, kind: 'graph_refresh' });
        assert.equal(stored?.version, round + 1);
        assert.deepEqual(stored, assertOk(winners[0]!));
      }
    });

    it('never hands the same inbox row, or a live partition, to two instances', async function () {
      const [a, b] = await Promise.all([track(open()), track(open())]);
      const total = 200;
      for (let i = 0; i < total; i++) {
        await a.inbox.enqueue({
          source: 'graph',
          dedupeKey: `n-${i}`,
          partitionKey: `user-${i % 20}`,
          payload: '{}',
        });
      }
      const claimedBy = new Map<number, string>();
      const holder = new Map<string, string>();
      const violations: string[] = [];

      async function work(store: Store, owner: string): Promise<void> {
        for (;;) {
          const batch = await store.inbox.claim({ owner, limit: 7, leaseMs: 60_000 });
          if (batch.length === 0) {
            if ((await store.inbox.countPending()) === 0) return;
            continue;
          }
          for (const item of batch) {
            const previous = claimedBy.get(item.id);
            if (previous !== undefined) violations.push(`row ${item.id} to ${previous} and ${owner}`);
            claimedBy.set(item.id, owner);
            const current = holder.get(item.partitionKey);
            if (current !== undefined && current !== owner) {
              violations.push(`${item.partitionKey} held by ${current} when ${owner} claimed it`);
            }
            holder.set(item.partitionKey, owner);
          }
          const partitions = new Set(batch.map((i: InboxItem) => i.partitionKey));
          // Released in this map before the store, so it never reports a holder the store freed.
          for (const p of partitions) holder.delete(p);
          for (const item of batch) assertOk(await store.inbox.complete(item.id, owner));
        }
      }

      await Promise.all([work(a, 'a-1'), work(a, 'a-2'), work(b, 'b-1'), work(b, 'b-2')]);
      assert.deepEqual(violations, []);
      assert.equal(claimedBy.size, total);
      assert.ok(new Set(claimedBy.values()).size > 1, 'the work was actually shared');
      assert.deepEqual(await a.inbox.countByStatus(), { pending: 0, leased: 0, done: total, dead: 0 });
    });

    it('applies migrations once when two instances start together on an empty schema', async function () {
      const fresh = randomSchema();
      await admin!.query(`CREATE SCHEMA ${fresh}`);
      try {
        const freshUrl = urlForSchema(fresh);
        const results = await Promise.all(
          [1, 2, 3].map(() => openStore({ dataDir: 'unused', databaseUrl: freshUrl }, logger)),
        );
        for (const r of results) opened.push(assertOk(r));
        const { rows } = await admin!.query<{ version: number }>(
          `SELECT version FROM ${fresh}.schema_migrations ORDER BY version`,
        );
        assert.deepEqual(
          rows.map((r) => r.version),
          MIGRATIONS.map((m) => m.version),
        );
        const store = opened[0]!;
        assert.equal(await store.users.count(), 0);
      } finally {
        await Promise.all(opened.splice(0).map((s) => s.close()));
        await admin!.query(`DROP SCHEMA ${fresh} CASCADE`);
      }
    });

    describe('open errors tell the operator what to fix, without the password', function () {
      const secret = 'Sup3r-S3cret-pw';

      async function failure(databaseUrl: string): Promise<{ code: string; message: string }> {
        const result = await openStore({ dataDir: 'unused', databaseUrl }, logger);
        if (result.ok) {
          await result.value.close();
          assert.fail('expected openStore to fail');
        }
        assert.ok(!result.error.message.includes(secret), `password leaked: ${result.error.message}`);
        return { code: result.error.code, message: result.error.message };
      }

      it('names host and port when the connection is refused', async function () {
        const { code, message } = await failure(`postgres://postgres:${secret}@127.0.0.1:1/test`);
        assert.equal(code, 'unreachable');
        assert.match(message, /PostgreSQL at 127\.0\.0\.1:1 refused the connection: check DATABASE_URL/);
      });

      it('names the database that does not exist', async function () {
        const u = new URL(BASE_URL);
        u.password = secret;
        u.pathname = '/callbridge_no_such_db';
        const { code, message } = await failure(u.toString());
        assert.equal(code, 'database_missing');
        assert.match(message, /no database "callbridge_no_such_db"/);
      });

      it('names the user the server rejected', async function () {
        const u = new URL(BASE_URL);
        u.username = 'callbridge_no_such_role';
        u.password = secret;
        const { code, message } = await failure(u.toString());
        assert.equal(code, 'auth_failed');
        assert.match(message, /rejected user "callbridge_no_such_role"/);
      });
    });
  });
});
