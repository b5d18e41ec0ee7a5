import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CONSENT_STATE_TTL_MS,
  createConsentStateSigner,
} from '../../../bot/src/admin-consent/consent-state.js';
import type { TokenKeyRing } from '../../../bot/src/auth/key-ring.js';

const ring = (active: string, ...ids: string[]): TokenKeyRing => ({
  activeKeyId: active,
  keys: new Map([active, ...ids].map((id) => [id, Buffer.from(id.padEnd(32, '-'))])),
  source: 'configured',
});

describe('admin consent: signed state', () => {
  it('verifies its own state until it expires', () => {
    let now = 1_000_000;
    const signer = createConsentStateSigner(ring('k1'), () => now);
    const { state, claims } = signer.issue('tenant-1');
    assert.deepEqual(signer.verify(state), { ok: true, value: claims });
    assert.equal(claims.exp, 1_000_000 + CONSENT_STATE_TTL_MS);
    now += CONSENT_STATE_TTL_MS;
    assert.deepEqual(signer.verify(state), { ok: false, error: { code: 'expired' } });
  });

  it('still verifies after the vault key rotates, and refuses other keys, tampering and junk', () => {
    const { state } = createConsentStateSigner(ring('k1')).issue('tenant-1');
    assert.ok(createConsentStateSigner(ring('k2', 'k1')).verify(state).ok, 'old key still in the ring');
    assert.equal(createConsentStateSigner(ring('k2')).verify(state).ok, false);
    const signer = createConsentStateSigner(ring('k1'));
    const [kid, body, sig] = state.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const other = Buffer.from(JSON.stringify({ ...claims, tid: 'tenant-2' })).toString('base64url');
    for (const bad of [
      undefined,
      '',
      'a.b',
      `${kid}.${other}.${sig}`,
      `${kid}.${body}.${randomBytes(32).toString('base64url')}`,
      `${state}x`,
      'x'.repeat(2000),
    ]) {
      assert.deepEqual(signer.verify(bad), { ok: false, error: { code: 'forged' } }, String(bad));
    }
  });

  it('issues a fresh nonce every time', () => {
    const signer = createConsentStateSigner(ring('k1'));
    assert.notEqual(signer.issue('t').claims.n, signer.issue('t').claims.n);
  });
});
