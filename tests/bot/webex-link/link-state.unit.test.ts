import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TokenKeyRing } from '../../../bot/src/auth/key-ring.js';
import { createLinkStateSealer, LINK_FLOW_TTL_MS } from '../../../bot/src/webex-link/link-state.js';

function ring(keys: Record<string, Buffer>, activeKeyId: string): TokenKeyRing {
  return { activeKeyId, keys: new Map(Object.entries(keys)), source: 'configured' };
}

describe('Webex link state sealer', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  let nowMs = 1_700_000_000_000;
  const now = () => nowMs;
  const claims = {
    tid: 'tenant-1',
    uid: 'user-1',
    aid: 'attempt-1',
    sid: 'state-1',
    ver: 'v'.repeat(64),
    bh: 'browser-hash',
    exp: nowMs + LINK_FLOW_TTL_MS,
  };

  it('round-trips a state and an attempt, and hides what they carry', () => {
    const sealer = createLinkStateSealer(ring({ k1 }, 'k1'), now);
    const state = sealer.sealState(claims);
    assert.deepEqual(sealer.openState(state), { ok: true, value: { typ: 'state', ...claims } });
    assert.ok(
      !state.includes('user-1') && !Buffer.from(state, 'base64url').toString('latin1').includes('vvvv'),
    );
    const attempt = sealer.sealAttempt({ tid: 't', uid: 'u', aid: 'a', exp: claims.exp });
    assert.equal(sealer.openAttempt(attempt).ok, true);
  });

  it('never opens an attempt as a state or the reverse', () => {
    const sealer = createLinkStateSealer(ring({ k1 }, 'k1'), now);
    const attempt = sealer.sealAttempt({ tid: 't', uid: 'u', aid: 'a', exp: claims.exp });
    assert.deepEqual(sealer.openState(attempt), { ok: false, error: { code: 'forged' } });
    assert.deepEqual(sealer.openAttempt(sealer.sealState(claims)), { ok: false, error: { code: 'forged' } });
  });

  it('refuses other keys, tampering, junk and oversize input as forged', () => {
    const sealer = createLinkStateSealer(ring({ k1 }, 'k1'), now);
    const stranger = createLinkStateSealer(ring({ k1: k2 }, 'k1'), now);
    const state = sealer.sealState(claims);
    assert.equal(stranger.openState(state).ok, false);
    const flipped = state.slice(0, -2) + (state.endsWith('A') ? 'BB' : 'AA');
    for (const bad of [flipped, 'x', '', `${state}.x`, 'a'.repeat(5000), undefined]) {
      assert.deepEqual(
        sealer.openState(bad),
        { ok: false, error: { code: 'forged' } },
        String(bad).slice(0, 20),
      );
    }
  });

  it('keeps flows in flight working across a vault key rotation', () => {
    const before = createLinkStateSealer(ring({ k1 }, 'k1'), now);
    const after = createLinkStateSealer(ring({ k1, k2 }, 'k2'), now);
    assert.equal(after.openState(before.sealState(claims)).ok, true);
  });

  it('says expired once past exp', () => {
    const sealer = createLinkStateSealer(ring({ k1 }, 'k1'), now);
    const state = sealer.sealState(claims);
    nowMs += LINK_FLOW_TTL_MS;
    assert.deepEqual(sealer.openState(state), { ok: false, error: { code: 'expired' } });
  });
});
