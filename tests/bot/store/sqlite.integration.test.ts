import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createLogger } from '../../../bot/src/observability/logger.js';
import { MIGRATIONS } from '../../../bot/src/store/migrations/index.js';
import { openStore } from '../../../bot/src/store/open.js';
import { SqliteDriver } from '../../../bot/src/store/sqlite/driver.js';
import { MigrationError, applyMigrations } from '../../../bot/src/store/sql/migrate.js';
import { SQLITE_FILE_NAME } from '../../../bot/src/store/sqlite/sqliteStore.js';
import type { Store } from '../../../bot/src/store/store.js';
import { presencePut } from '../../support/presence-rows.js';
import { assertOk, describeStoreContract } from './store.contract.js';

const logger = createLogger({ level: 'silent' });

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'callbridge-store-'));
}

async function open(dataDir: string, now?: () => number): Promise<Store> {
  const result = await openStore(
    { dataDir, databaseUrl: undefined },
    logger,
    now === undefined ? {} : { now },
  );
  return assertOk(result);
}

describe('SQLite store', function () {
  describeStoreContract('SQLite', async (now) => {
    const dir = tempDir();
    const store = await open(dir, now);
    return {
      store,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });

  describe('SQLite specifics', function () {
    let dir: string;
    const opened: Store[] = [];

    beforeEach(function () {
      dir = tempDir();
    });

    afterEach(async function () {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    });

    async function track(store: Store | Promise<Store>): Promise<Store> {
      const s = await store;
      opened.push(s);
      return s;
    }

    it('is chosen when DATABASE_URL is unset and creates <dataDir>/callbridge.db, making missing directories', async function () {
      const dataDir = path.join(dir, 'nested', 'data');
      const store = await track(open(dataDir));
      assert.equal(store.kind, 'sqlite');
      assert.equal(SQLITE_FILE_NAME, 'callbridge.db');
      assert.ok(existsSync(path.join(dataDir, 'callbridge.db')));
    });

    it('puts the database in WAL mode', async function () {
      await track(open(dir));
      const raw = new Database(path.join(dir, SQLITE_FILE_NAME), { readonly: true });
      try {
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        raw.close();
      }
    });

    it('keeps data and applies each migration once across reopen', async function () {
      const first = await open(dir);
      const user = await first.users.upsert({ tenantId: 't', aadObjectId: 'a' });
      assert.deepEqual(
        await first.inbox.enqueue({
          source: 'webex',
          dedupeKey: 'evt-1',
          partitionKey: user.id,
          payload: '{}',
        }),
        { inserted: true },
      );
      await first.close();

      const second = await track(open(dir));
      assert.deepEqual(await second.users.get(user.id), user);
      assert.equal(await second.inbox.countPending(), 1, 'an acknowledged notification survives a restart');

      const raw = new Database(path.join(dir, SQLITE_FILE_NAME), { readonly: true });
      try {
        const versions = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
        assert.deepEqual(
          versions,
          MIGRATIONS.map((m) => m.version),
        );
      } finally {
        raw.close();
      }
    });

    it('opens a database a newer build migrated further', async function () {
      await (await open(dir)).close();
      const raw = new Database(path.join(dir, SQLITE_FILE_NAME));
      raw
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)')
        .run('future');
      raw.close();
      const store = await track(open(dir));
      assert.equal(await store.ping(), true);
    });

    it('enforces foreign keys on its connection', async function () {
      const store = await track(open(dir));
      const result = await store.presence.upsert(presencePut('nobody'));
      assert.deepEqual(result, { ok: false, error: { code: 'user_not_found' } });
    });

    it('rolls back every migration of a run when one fails', async function () {
      const db = new Database(path.join(dir, 'scratch.db'));
      const driver = new SqliteDriver(db);
      try {
        const good = { version: 1, name: 'good', sqlite: 'CREATE TABLE t1 (x INTEGER)', postgres: '' };
        const bad = {
          version: 2,
          name: 'bad',
          sqlite: 'CREATE TABLE t2 (x INTEGER); SELEC nonsense',
          postgres: '',
        };
        await assert.rejects(
          driver.transaction((tx) => applyMigrations(tx, 'sqlite', [good, bad], 0)),
          (error: unknown) =>
            error instanceof MigrationError && /migration 002_bad failed/.test(error.message),
        );
        const tables = await driver.all("SELECT name FROM sqlite_master WHERE type = 'table'", []);
        assert.deepEqual(tables, [], 'neither t1, t2 nor schema_migrations survived');
      } finally {
        await driver.close();
      }
    });

    it('tells the operator when DATA_DIR cannot be a directory', async function () {
      const file = path.join(dir, 'not-a-dir');
      writeFileSync(file, 'x');
      const result = await openStore({ dataDir: path.join(file, 'data'), databaseUrl: undefined }, logger);
      assert.equal(result.ok, false);
      assert.equal(result.error.code, 'data_dir_unusable');
      assert.match(result.error.message, /not-a-dir/);
      assert.match(result.error.message, /DATA_DIR/);
    });

    it('tells the operator when the database file is not a database', async function () {
      writeFileSync(path.join(dir, SQLITE_FILE_NAME), 'this is not sqlite '.repeat(100));
      const result = await openStore({ dataDir: dir, databaseUrl: undefined }, logger);
      assert.equal(result.ok, false);
      assert.equal(result.error.code, 'file_unusable');
      assert.match(result.error.message, /is not a SQLite database/);
    });
  });
});
