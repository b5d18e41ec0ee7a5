import assert from 'node:assert/strict';
import {
  decodeSpeedDials,
  encodeSpeedDials,
  mergeSpeedDials,
  versionOf,
  type SpeedDial,
} from '../../../bot/src/speed-dials/codec.js';

const a: SpeedDial = { id: 'a', label: 'A', number: '+14255550100' };
const b: SpeedDial = { id: 'b', label: 'B', number: '4100' };
const c: SpeedDial = { id: 'c', label: 'C', number: '4101', aadObjectId: 'x' };
const d: SpeedDial = { id: 'd', label: 'D', number: '4102' };

describe('speed dial codec', () => {
  it('round-trips entries and revision', () => {
    const decoded = decodeSpeedDials(encodeSpeedDials([a, c], 7));
    assert.deepEqual(decoded.entries, [a, c]);
    assert.equal(decoded.revision, 7);
    assert.equal(decoded.version, versionOf([a, c], 7));
    assert.equal(decoded.exists, true);
  });

  it('tells versions apart by revision even for equal lists', () => {
    assert.notEqual(versionOf([a], 1), versionOf([a], 2));
    assert.notEqual(versionOf([a], 1), versionOf([b], 1));
  });

  it('reads a missing extension as empty and skips what it cannot read', () => {
    assert.deepEqual(decodeSpeedDials(undefined).entries, []);
    assert.equal(decodeSpeedDials(undefined).exists, false);
    assert.deepEqual(decodeSpeedDials({ entries: '{broken' }).entries, []);
    const odd = decodeSpeedDials({
      entries: JSON.stringify([
        { id: 'a', label: 'A', number: '1' },
        { id: 'a', label: 'Again', number: '2' },
        3,
        {},
      ]),
      revision: -1,
    });
    assert.equal(odd.revision, 0);
    assert.equal(odd.entries.length, 2);
    assert.notEqual(odd.entries[0]?.id, odd.entries[1]?.id, 'duplicate ids are made unique');
  });
});

describe('three-way speed dial merge', () => {
  it('keeps adds from both sides and applies deletes from either', () => {
    // Base a,b,c. Stored (other client): removed b, added d. Proposed (this client): removed c, added e.
    const e: SpeedDial = { id: 'e', label: 'E', number: '4103' };
    const merged = mergeSpeedDials([a, b, c], [a, c, d], [a, b, e]);
    assert.deepEqual(
      merged.entries.map((x) => x.id),
      ['a', 'e', 'd'],
    );
    assert.deepEqual(merged.conflicts, []);
  });

  it('takes the edit from whichever side made it', () => {
    const mine = mergeSpeedDials([a, b], [a, b], [{ ...a, label: 'Mine' }, b]);
    assert.equal(mine.entries[0]?.label, 'Mine');
    const theirs = mergeSpeedDials([a, b], [{ ...a, label: 'Theirs' }, b], [a, b]);
    assert.equal(theirs.entries[0]?.label, 'Theirs');
  });

  it('keeps the stored side of an entry edited on both sides and reports it', () => {
    const merged = mergeSpeedDials([a], [{ ...a, number: '4999' }], [{ ...a, label: 'Mine' }]);
    assert.deepEqual(merged.entries, [{ ...a, number: '4999' }]);
    assert.deepEqual(merged.conflicts, ['a']);
    const same = mergeSpeedDials([a], [{ ...a, label: 'Both' }], [{ ...a, label: 'Both' }]);
    assert.deepEqual(same.conflicts, []);
  });

  it('follows the proposed order', () => {
    const merged = mergeSpeedDials([a, b, c], [a, b, c], [c, a, b]);
    assert.deepEqual(
      merged.entries.map((x) => x.id),
      ['c', 'a', 'b'],
    );
  });
});
