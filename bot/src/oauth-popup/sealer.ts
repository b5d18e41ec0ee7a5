import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import type { TokenKeyRing } from '../auth/key-ring.js';
import { err, ok, type Result } from '../shared/result.js';

/**
 * Stateless, encrypted and authenticated popup-flow tokens (AES-256-GCM), so any instance can
 * handle any step of the flow without a shared table:
 *
 * - the *attempt* (`<start>?attempt=`): who asked, from an SSO-authenticated API call;
 * - the *state* (OAuth `state`): the same binding plus the PKCE verifier and the hash of the
 *   browser-binding cookie set by the start route.
 *
 * Both may carry a few flow-specific string extras (`x`, e.g. a login hint or claims challenge),
 * copied from the attempt into the state. Keys are derived (HKDF-SHA256) from every key of the
 * token vault's ring with a label of the flow's own, so one flow's values never open in another,
 * and the sealed value names the key id, so a vault key rotation does not break flows in flight.
 * Single use is not encoded here: the routes consume `aid`/`sid` with {@link consumeOnce}.
 */

export const FLOW_TTL_MS = 10 * 60 * 1000;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_SEALED_CHARS = 4096;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

const id = z.string().min(1).max(200);
const extras = z.record(z.string().regex(/^[a-z]{1,16}$/), z.string().max(2048));
const attemptClaims = z.strictObject({
  typ: z.literal('attempt'),
  tid: id,
  uid: id,
  aid: id,
  exp: z.number().int(),
  x: extras.optional(),
});
const stateClaims = z.strictObject({
  typ: z.literal('state'),
  tid: id,
  uid: id,
  aid: id,
  sid: id,
  /** PKCE code_verifier. */
  ver: z.string().regex(/^[A-Za-z0-9\-._~]{43,128}$/),
  /** base64url SHA-256 of the browser-binding cookie value. */
  bh: id,
  exp: z.number().int(),
  x: extras.optional(),
});
export type AttemptClaims = z.infer<typeof attemptClaims>;
export type StateClaims = z.infer<typeof stateClaims>;

/** `forged`: not ours or modified (includes an unknown key id); `expired`: ours but past `exp`. */
export type FlowStateError = { readonly code: 'forged' } | { readonly code: 'expired' };

export interface FlowStateSealer {
  sealAttempt(claims: Omit<AttemptClaims, 'typ'>): string;
  openAttempt(sealed: string | undefined): Result<AttemptClaims, FlowStateError>;
  sealState(claims: Omit<StateClaims, 'typ'>): string;
  openState(sealed: string | undefined): Result<StateClaims, FlowStateError>;
}

/** `label` names the flow and version, e.g. `callbridge/webex-link-state/v1`. */
export function createFlowStateSealer(
  ring: TokenKeyRing,
  label: string,
  now: () => number = Date.now,
): FlowStateSealer {
  const keys = new Map<string, KeyObject>();
  for (const [keyId, bytes] of ring.keys) {
    const derived = Buffer.from(hkdfSync('sha256', bytes, Buffer.alloc(0), label, 32));
    keys.set(keyId, createSecretKey(derived));
  }
  const active = keys.get(ring.activeKeyId);
  if (active === undefined) throw new RangeError('the active token key is not in the key ring');
  const activeId = ring.activeKeyId;
  /** The type, flow and key id are authenticated, so an attempt never opens as a state or vice versa. */
  const aad = (typ: string, keyId: string): Buffer => Buffer.from(`${label}\n${typ}\n${keyId}`, 'utf8');

  const seal = (claims: AttemptClaims | StateClaims): string => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', active, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(claims.typ, activeId));
    const body = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
    const packed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    return `${Buffer.from(activeId, 'utf8').toString('base64url')}.${packed}`;
  };

  const open = <T extends { readonly exp: number }>(
    typ: 'attempt' | 'state',
    schema: z.ZodType<T>,
    sealed: string | undefined,
  ): Result<T, FlowStateError> => {
    const forged = err({ code: 'forged' as const });
    if (sealed === undefined || sealed.length > MAX_SEALED_CHARS) return forged;
    const match = /^([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{40,})$/.exec(sealed);
    if (match?.[1] === undefined || match[2] === undefined) return forged;
    const keyId = Buffer.from(match[1], 'base64url').toString('utf8');
    const key = KEY_ID.test(keyId) ? keys.get(keyId) : undefined;
    if (key === undefined) return forged;
    const packed = Buffer.from(match[2], 'base64url');
    if (packed.length <= IV_BYTES + TAG_BYTES) return forged;
    let text: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(aad(typ, keyId));
      decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      text = Buffer.concat([
        decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return forged;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return forged;
    }
    const claims = schema.safeParse(parsed);
    if (!claims.success) return forged;
    if (claims.data.exp <= now()) return err({ code: 'expired' });
    return ok(claims.data);
  };

  return {
    sealAttempt: (claims) => seal({ typ: 'attempt', ...claims }),
    openAttempt: (sealed) => open('attempt', attemptClaims, sealed),
    sealState: (claims) => seal({ typ: 'state', ...claims }),
    openState: (sealed) => open('state', stateClaims, sealed),
  };
}

/** A random URL-safe identifier (`bytes` of entropy). */
export function randomId(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
