import assert from 'node:assert/strict';
import type { ApiResult } from '../../tab/src/api/client.js';
import type { SaveSpeedDialsOutcome, SpeedDial, SpeedDials } from '../../tab/src/api/contract.js';
import {
  applyEdits,
  newSpeedDialId,
  speedDialFor,
  stepMove,
  type SpeedDialEdit,
} from '../../tab/src/features/speed-dials/edits.js';
import { SpeedDialSync } from '../../tab/src/features/speed-dials/sync.js';

const A: SpeedDial = { id: 'a', label: 'Ada', number: '1001' };
const B: SpeedDial = { id: 'b', label: 'Bob', number: '1002' };
const C: SpeedDial = { id: 'c', label: 'Cy', number: '1003' };

function set(version: string, entries: SpeedDial[]): SpeedDials {
  return { entries, version, bytesUsed: 100, bytesMax: 2048 };
}

/** A fake speed-dial API whose PUTs wait until the test answers them, in order. */
function fakeApi() {
  const puts: {
    entries: readonly SpeedDial[];
    base: { version: string; entries: readonly SpeedDial[] };
    answer: (result: ApiResult<SaveSpeedDialsOutcome>) => void;
  }[] = [];
  const api = {
    saveSpeedDials: (
      entries: readonly SpeedDial[],
      base: { readonly version: string; readonly entries: readonly SpeedDial[] },
    ) =>
      new Promise<ApiResult<SaveSpeedDialsOutcome>>((resolve) => {
        puts.push({ entries, base: { version: base.version, entries: base.entries }, answer: resolve });
      }),
    speedDials: () => Promise.resolve<ApiResult<SpeedDials>>({ ok: true, value: set('v9', [C]) }),
  };
  return { api, puts };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function saved(s: SpeedDials, merged = false, conflicts: string[] = []): ApiResult<SaveSpeedDialsOutcome> {
  return { ok: true, value: { kind: 'saved', ...s, merged, conflicts } };
}

describe('tab speed dials: edits', () => {
  it('applies add, update, remove and move in order', () => {
    const edits: SpeedDialEdit[] = [
      { kind: 'add', entry: C },
      { kind: 'update', id: 'a', label: 'Ada L.', number: '+1 1001' },
      { kind: 'move', id: 'c', index: 0 },
      { kind: 'remove', id: 'b' },
    ];
    assert.deepEqual(applyEdits([A, B], edits), [C, { ...A, label: 'Ada L.', number: '+1 1001' }]);
  });

  it('ignores edits whose entry is gone, adds an id only once, and clamps moves', () => {
    assert.deepEqual(
      applyEdits(
        [A, B],
        [
          { kind: 'update', id: 'zz', label: 'x', number: '1' },
          { kind: 'move', id: 'zz', index: 0 },
          { kind: 'add', entry: { ...A, label: 'dup' } },
          { kind: 'move', id: 'a', index: 99 },
        ],
      ),
      [B, A],
    );
  });

  it('steps an entry up or down, and not past either end', () => {
    assert.deepEqual(stepMove([A, B, C], 'b', -1), { kind: 'move', id: 'b', index: 0 });
    assert.deepEqual(stepMove([A, B, C], 'b', 1), { kind: 'move', id: 'b', index: 2 });
    assert.equal(stepMove([A, B, C], 'a', -1), undefined);
    assert.equal(stepMove([A, B, C], 'c', 1), undefined);
    assert.equal(stepMove([A, B, C], 'nope', 1), undefined);
  });

  it('makes ids the contract accepts and that are not taken', () => {
    let n = 0;
    // The first candidate collides with an existing id, the second does not.
    const random = () => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5][n++ % 11]!;
    const taken = [{ ...A, id: 'AAAAAAAAAA' }];
    const id = newSpeedDialId(taken, random);
    assert.match(id, /^[A-Za-z0-9_-]{1,12}$/);
    assert.notEqual(id, 'AAAAAAAAAA');
  });

  it('labels a dial-pad entry with its number and trims long labels', () => {
    const entry = speedDialFor([], '  ', ' 4021 ');
    assert.deepEqual({ label: entry.label, number: entry.number }, { label: '4021', number: '4021' });
    assert.equal(speedDialFor([], 'x'.repeat(80), '1').label.length, 64);
    assert.equal(speedDialFor([], 'Ada', '1', 'u-ada').aadObjectId, 'u-ada');
  });
});

describe('tab speed dials: saving', () => {
  it('shows an edit at once and sends the whole set with the base it was made on', async () => {
    const { api, puts } = fakeApi();
    const sync = new SpeedDialSync(api, set('v1', [A, B]));
    sync.edit({ kind: 'remove', id: 'a' });
    assert.deepEqual(sync.getSnapshot().entries, [B]);
    assert.equal(sync.getSnapshot().saving, true);
    assert.equal(puts.length, 1);
    assert.deepEqual(puts[0]!.entries, [B]);
    assert.deepEqual(puts[0]!.base, { version: 'v1', entries: [A, B] });
    puts[0]!.answer(saved(set('v2', [B])));
    await settle();
    assert.deepEqual(sync.getSnapshot().base?.version, 'v2');
    assert.equal(sync.getSnapshot().saving, false);
    assert.equal(sync.getSnapshot().notice, undefined);
  });

  it('replays edits made during a save on the merged answer, so neither device loses an entry', async () => {
    const { api, puts } = fakeApi();
    const sync = new SpeedDialSync(api, set('v1', [A]));
    sync.edit({ kind: 'add', entry: B });
    // While that PUT is in flight the user adds C and moves it first: one PUT at a time.
    sync.edit({ kind: 'add', entry: C });
    sync.edit({ kind: 'move', id: 'c', index: 0 });
    assert.equal(puts.length, 1);
    assert.deepEqual(sync.getSnapshot().entries, [C, A, B]);

    // Another device had added D: the server merged it in.
    const D: SpeedDial = { id: 'd', label: 'Di', number: '1004' };
    puts[0]!.answer(saved(set('v3', [A, D, B]), true));
    await settle();
    assert.equal(puts.length, 2);
    assert.deepEqual(puts[1]!.base, { version: 'v3', entries: [A, D, B] });
    assert.deepEqual(puts[1]!.entries, [C, A, D, B]);
    assert.deepEqual(sync.getSnapshot().notice, { kind: 'merged', conflicts: 0 });

    puts[1]!.answer(saved(set('v4', [C, A, D, B])));
    await settle();
    assert.deepEqual(sync.getSnapshot().entries, [C, A, D, B]);
    assert.equal(sync.getSnapshot().saving, false);
  });

  it('says how many of its edits lost to the other device', async () => {
    const { api, puts } = fakeApi();
    const sync = new SpeedDialSync(api, set('v1', [A]));
    sync.edit({ kind: 'update', id: 'a', label: 'Mine', number: '1001' });
    puts[0]!.answer(saved(set('v5', [{ ...A, label: 'Theirs' }]), true, ['a']));
    await settle();
    assert.deepEqual(sync.getSnapshot().notice, { kind: 'merged', conflicts: 1 });
    assert.equal(sync.getSnapshot().entries[0]?.label, 'Theirs');
  });

  it('drops the edit that did not fit and says the set is full', async () => {
    const { api, puts } = fakeApi();
    const sync = new SpeedDialSync(api, set('v1', [A]));
    sync.edit({ kind: 'add', entry: B });
    puts[0]!.answer({ ok: true, value: { kind: 'full', bytesUsed: 2100, bytesMax: 2048 } });
    await settle();
    const snap = sync.getSnapshot();
    assert.deepEqual(snap.entries, [A]);
    assert.deepEqual(snap.notice, { kind: 'full', bytesMax: 2048 });
    assert.equal(snap.saving, false);
  });

  it('keeps edits after a failed save and sends them again on retry', async () => {
    const { api, puts } = fakeApi();
    const sync = new SpeedDialSync(api, set('v1', [A]));
    sync.edit({ kind: 'add', entry: B });
    puts[0]!.answer({ ok: false, error: { kind: 'network' } });
    await settle();
    assert.deepEqual(sync.getSnapshot().notice, { kind: 'save_failed' });
    assert.deepEqual(sync.getSnapshot().entries, [A, B]);
    // Further edits wait for the retry rather than hammering a dead server.
    sync.edit({ kind: 'add', entry: C });
    assert.equal(puts.length, 1);
    sync.retry();
    assert.equal(puts.length, 2);
    assert.deepEqual(puts[1]!.entries, [A, B, C]);
  });

  it('drops edits the server refuses as invalid, instead of retrying them forever', async () => {
    const { api, puts } = fakeApi();
    const sync = new SpeedDialSync(api, set('v1', [A]));
    sync.edit({ kind: 'add', entry: { id: 'z', label: 'bad', number: '0' } });
    puts[0]!.answer({ ok: false, error: { kind: 'http', status: 400, code: 'invalid_request' } });
    await settle();
    assert.deepEqual(sync.getSnapshot().entries, [A]);
    assert.deepEqual(sync.getSnapshot().notice, { kind: 'rejected' });
    assert.equal(sync.getSnapshot().saving, false);
    sync.edit({ kind: 'add', entry: B });
    assert.equal(puts.length, 2, 'the next edit saves at once');
  });

  it('adopts a fresher set only when nothing is unconfirmed, and saves early edits once a set is known', async () => {
    const { api, puts } = fakeApi();
    const sync = new SpeedDialSync(api);
    sync.edit({ kind: 'add', entry: B });
    assert.equal(puts.length, 0, 'no base yet: nothing to send');
    await sync.reload();
    assert.equal(puts.length, 1);
    assert.deepEqual(puts[0]!.entries, [C, B]);
    sync.adopt(set('v10', [A]));
    assert.equal(sync.getSnapshot().base?.version, 'v9', 'a save is in flight');
    puts[0]!.answer(saved(set('v11', [C, B])));
    await settle();
    sync.adopt(set('v12', [A]));
    assert.deepEqual(sync.getSnapshot().entries, [A]);
  });
});
