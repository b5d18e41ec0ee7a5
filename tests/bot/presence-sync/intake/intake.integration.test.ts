import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { createLogger } from '../../../../bot/src/observability/logger.js';
import { createNotificationIntake } from '../../../../bot/src/presence-sync/intake/intake.js';
import { openStore } from '../../../../bot/src/store/open.js';
import type { NewInboxItem, Store } from '../../../../bot/src/store/store.js';

const logger = createLogger({ level: 'silent' });

function item(key: string): NewInboxItem {
  return { source: 'webex', dedupeKey: key, partitionKey: `user-${key}`, payload: JSON.stringify({ key }) };
}

describe('notification intake (SQLite)', function () {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'intake-'));
    const opened = await openStore({ dataDir: dir, databaseUrl: undefined }, logger);
    assert.ok(opened.ok);
    store = opened.value;
  });
  afterEach(async () => {
    sinon.restore();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes concurrent accepts in fewer transactions than callers, each resolved after its rows exist', async function () {
    const enqueueMany = sinon.spy(store.inbox, 'enqueueMany');
    const intake = createNotificationIntake({ store, logger });
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const accepted = await intake.accept([item(`k-${String(i)}`)]);
        // The caller's row is readable the moment it is told "stored".
        const pending = await store.inbox.countPending();
        return { accepted, pending };
      }),
    );
    for (const { accepted, pending } of results) {
      assert.deepEqual(accepted, { ok: true, value: { inserted: 1 } });
      assert.ok(pending >= 1);
    }
    assert.equal(await store.inbox.countPending(), 40);
    assert.equal(enqueueMany.callCount, 1, 'callers of one event-loop turn share one transaction');
  });

  it('bounds a transaction to maxBatch items without splitting a caller', async function () {
    const enqueueMany = sinon.spy(store.inbox, 'enqueueMany');
    const intake = createNotificationIntake({ store, logger, maxBatch: 4 });
    const results = await Promise.all([
      intake.accept([item('a'), item('b'), item('c')]),
      intake.accept([item('d'), item('e')]),
      intake.accept([item('f'), item('g'), item('h'), item('i'), item('j')]),
    ]);
    assert.deepEqual(
      results.map((r) => (r.ok ? r.value.inserted : -1)),
      [3, 2, 5],
    );
    assert.deepEqual(
      enqueueMany.getCalls().map((c) => c.args[0].length),
      [3, 2, 5],
    );
  });

  it('counts only new items per caller: duplicates within and across callers are stored once', async function () {
    const intake = createNotificationIntake({ store, logger });
    const [first, second] = await Promise.all([
      intake.accept([item('x'), item('y')]),
      intake.accept([item('y'), item('z'), item('x')]),
    ]);
    assert.deepEqual(first, { ok: true, value: { inserted: 2 } });
    assert.deepEqual(second, { ok: true, value: { inserted: 1 } });
    assert.deepEqual(await intake.accept([item('z')]), { ok: true, value: { inserted: 0 } });
    assert.equal(await store.inbox.countPending(), 3);
  });

  it('answers store_unavailable to every caller of a failed batch, and recovers for the next', async function () {
    const intake = createNotificationIntake({ store, logger });
    const stub = sinon.stub(store.inbox, 'enqueueMany').rejects(new Error('disk I/O error'));
    const failed = await Promise.all([intake.accept([item('p')]), intake.accept([item('q')])]);
    assert.deepEqual(failed, [
      { ok: false, error: 'store_unavailable' },
      { ok: false, error: 'store_unavailable' },
    ]);
    stub.restore();
    assert.deepEqual(await intake.accept([item('p')]), { ok: true, value: { inserted: 1 } });
  });

  it('answers store_unavailable when the database is closed', async function () {
    const intake = createNotificationIntake({ store, logger });
    await store.close();
    assert.deepEqual(await intake.accept([item('late')]), { ok: false, error: 'store_unavailable' });
  });
});
