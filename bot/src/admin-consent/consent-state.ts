import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenKeyRing } from '../auth/key-ring.js';
import { err, ok, type Result } from '../shared/result.js';

/**
 * The admin consent `state`: signed (HMAC-SHA256, key derived with HKDF from each key of the
 * token vault's ring under its own label, so no extra secret is needed and a vault key rotation
 * does not break consents in flight), naming the tenant, a single-use nonce and an expiry.
 * Format: `<base64url key id>.<base64url JSON claims>.<base64url MAC>`. Single use is enforced
 * by the callback (a lease per nonce), not here.
 */

export const CONSENT_STATE_TTL_MS = 15 * 60 * 1000;
const LABEL = 'callbridge/admin-consent-state/v1';
const MAX_STATE_CHARS = 1024;

export interface ConsentStateClaims {
  /** The tenant the consent is for. */
  readonly tid: string;
  /** Single-use nonce. */
  readonly n: string;
  /** Expiry, epoch ms. */
  readonly exp: number;
}

/** `forged`: not ours, modified or malformed; `expired`: ours but past `exp`. */
export type ConsentStateError = { readonly code: 'forged' } | { readonly code: 'expired' };

export interface ConsentStateSigner {
  issue(tenantId: string): { readonly state: string; readonly claims: ConsentStateClaims };
  verify(state: string | undefined): Result<ConsentStateClaims, ConsentStateError>;
}

export function createConsentStateSigner(
  ring: TokenKeyRing,
  now: () => number = Date.now,
): ConsentStateSigner {
  const keys = new Map<string, Buffer>();
  for (const [keyId, bytes] of ring.keys) {
    keys.set(keyId, Buffer.from(hkdfSync('sha256', bytes, Buffer.alloc(0), LABEL, 32)));
  }
  const activeId = ring.activeKeyId;
  const active = keys.get(activeId);
  if (active === undefined) throw new RangeError('the active token key is not in the key ring');

  const mac = (key: Buffer, signed: string): Buffer =>
    createHmac('sha256', key).update(signed, 'utf8').digest();

  return {
    issue(tenantId) {
      const claims: ConsentStateClaims = {
        tid: tenantId,
        n: randomBytes(18).toString('base64url'),
        exp: now() + CONSENT_STATE_TTL_MS,
      };
      const signed = `${b64(activeId)}.${b64(JSON.stringify(claims))}`;
      return { state: `${signed}.${mac(active, signed).toString('base64url')}`, claims };
    },
    verify(state) {
      const forged = err({ code: 'forged' as const });
      if (state === undefined || state.length > MAX_STATE_CHARS) return forged;
      const parts = state.split('.');
      if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return forged;
      const [kid, body, sig] = parts as [string, string, string];
      const key = keys.get(Buffer.from(kid, 'base64url').toString('utf8'));
      if (key === undefined) return forged;
      const expected = mac(key, `${kid}.${body}`);
      const given = Buffer.from(sig, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return forged;
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        return forged;
      }
      if (!isClaims(claims)) return forged;
      if (claims.exp <= now()) return err({ code: 'expired' });
      return ok(claims);
    },
  };
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function isClaims(value: unknown): value is ConsentStateClaims {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.tid === 'string' &&
    v.tid !== '' &&
    typeof v.n === 'string' &&
    v.n.length >= 16 &&
    typeof v.exp === 'number' &&
    Number.isSafeInteger(v.exp) &&
    Object.keys(v).length === 3
  );
}
