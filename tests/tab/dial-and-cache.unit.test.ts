import assert from 'node:assert/strict';
import type { Bootstrap } from '../../tab/src/api/contract.js';
import { createBootstrapCache } from '../../tab/src/features/bootstrap/cache.js';
import { problemFor } from '../../tab/src/features/call/useCall.js';
import { parseDialInput } from '../../tab/src/features/dial-pad/number.js';
import { presenceStatus } from '../../tab/src/features/presence/PresenceDot.js';

describe('tab dial pad input', () => {
  it('strips the formatting people paste', () => {
    for (const [raw, destination] of [
      ['+1 (415) 555-0100', '+14155550100'],
      ['tel:+44 20 7946 0958', '+442079460958'],
      ['  4021 ', '4021'],
      ['ext. 4021', '4021'],
      ['020.7946.0958', '02079460958'],
      ['*72#', '*72#'],
      ['+1 415 555 0100,,123#', '+14155550100,,123#'],
    ] as const) {
      assert.deepEqual(parseDialInput(raw), { ok: true, destination }, raw);
    }
  });

  it('keeps SIP addresses, adding the scheme to a bare user@host', () => {
    assert.deepEqual(parseDialInput('sip:ada@example.com'), { ok: true, destination: 'sip:ada@example.com' });
    assert.deepEqual(parseDialInput('SIPS:ada@example.com'), {
      ok: true,
      destination: 'SIPS:ada@example.com',
    });
    assert.deepEqual(parseDialInput('ada@example.com'), { ok: true, destination: 'sip:ada@example.com' });
  });

  it('refuses empty and undialable input', () => {
    assert.deepEqual(parseDialInput('   '), { ok: false, reason: 'empty' });
    for (const raw of ['call ada', '12a4', 'sip:', 'sip:no-host', '++1', 'a@b@c', '+']) {
      assert.deepEqual(parseDialInput(raw), { ok: false, reason: 'invalid' }, raw);
    }
  });
});

describe('tab call errors', () => {
  it('maps each contract error to the problem the panel explains', () => {
    assert.deepEqual(problemFor({ kind: 'http', status: 422, code: 'invalid_number' }), {
      problem: 'invalid_number',
    });
    assert.deepEqual(problemFor({ kind: 'http', status: 403, code: 'not_calling_enabled' }), {
      problem: 'not_calling_enabled',
    });
    assert.deepEqual(problemFor({ kind: 'http', status: 409, code: 'webex_relink_required' }), {
      problem: 'webex_relink_required',
    });
    assert.deepEqual(problemFor({ kind: 'unavailable', retryAfterSeconds: 20 }), {
      problem: 'webex_unavailable',
      retryAfterSeconds: 20,
    });
    assert.deepEqual(problemFor({ kind: 'network' }), { problem: 'network' });
    assert.deepEqual(problemFor({ kind: 'http', status: 418 }), { problem: 'other' });
  });
});

describe('tab presence dots', () => {
  it('draws Graph availabilities as Teams does, unknown for anything else', () => {
    assert.equal(
      presenceStatus({ availability: 'AvailableIdle', activity: 'Available' }).status,
      'available',
    );
    assert.equal(presenceStatus({ availability: 'BeRightBack', activity: 'Away' }).status, 'away');
    assert.equal(
      presenceStatus({ availability: 'DoNotDisturb', activity: 'Presenting' }).status,
      'do-not-disturb',
    );
    assert.deepEqual(presenceStatus({ availability: 'Offline', activity: 'OutOfOffice' }), {
      status: 'offline',
      outOfOffice: true,
      label: 'Out of office',
    });
    assert.equal(presenceStatus(undefined).status, 'unknown');
    assert.equal(presenceStatus({ availability: 'Glowing', activity: 'x' }).label, 'Status unknown');
  });
});

describe('tab bootstrap cache', () => {
  const BOOT: Bootstrap = {
    profile: { aadObjectId: 'u1', displayName: 'Me' },
    speedDials: {
      entries: [{ id: 'a', label: 'Ada', number: '1' }],
      version: 'v1',
      bytesUsed: 1,
      bytesMax: 2048,
    },
    presence: {},
    webex: { linked: false },
    sync: null,
    problems: [],
  };

  function memoryStorage() {
    const items = new Map<string, string>();
    return {
      items,
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => {
        items.set(k, v);
      },
      removeItem: (k: string) => {
        items.delete(k);
      },
    };
  }

  it('keeps the last bootstrap per user and reads it back', () => {
    const storage = memoryStorage();
    const cache = createBootstrapCache(storage, () => 42);
    cache.write('u1', BOOT);
    assert.deepEqual(cache.read('u1'), BOOT);
    assert.equal(cache.read('u2'), undefined);
    assert.deepEqual(JSON.parse([...storage.items.values()][0]!), { savedAt: 42, bootstrap: BOOT });
  });

  it('treats unreadable or tampered storage as empty, and survives a throwing storage', () => {
    const storage = memoryStorage();
    const cache = createBootstrapCache(storage);
    storage.setItem('callbridge.bootstrap.v1.u1', '{not json');
    assert.equal(cache.read('u1'), undefined);
    storage.setItem('callbridge.bootstrap.v1.u1', JSON.stringify({ bootstrap: { problems: 'x' } }));
    assert.equal(cache.read('u1'), undefined);
    const throwing = createBootstrapCache({
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => undefined,
    });
    assert.doesNotThrow(() => {
      throwing.write('u1', BOOT);
    });
    assert.equal(throwing.read('u1'), undefined);
    assert.equal(createBootstrapCache(undefined).read('u1'), undefined);
  });
});
