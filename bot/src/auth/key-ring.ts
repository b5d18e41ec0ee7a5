import { createHash, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '../shared/result.js';

/**
 * The token vault's key ring, read from configuration:
 *
 * - `TOKEN_ENCRYPTION_KEYS`: comma-separated `<keyId>:<base64 of 32 random bytes>` entries;
 *   every key that may still have sealed a stored record (old ones stay until rotation is done).
 * - `TOKEN_ENCRYPTION_ACTIVE_KEY_ID`: the id of the key that seals new records.
 *
 * Both are required in live mode. In sandbox mode, when both are unset, the ring holds only the
 * {@link SANDBOX_DEV_KEY_ID} key, which is derived from a constant published in this file: it is
 * NOT a secret and protects nothing; it only lets the sandbox run without setup.
 */
export interface TokenKeyRing {
  readonly activeKeyId: string;
  /**
   * Key id → 32 raw key bytes. A `Map`, so an accidental `JSON.stringify` (or pino) of the
   * configuration prints `{}` instead of key bytes.
   */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** `sandbox-dev` when the public development key is the active one. */
  readonly source: 'configured' | 'sandbox-dev';
}

/** Id of the deterministic, public, sandbox-only development key. Refused in live mode. */
export const SANDBOX_DEV_KEY_ID = 'sandbox-dev';

/** Public by design: anyone can recompute the sandbox key. Never use it for real tokens. */
const SANDBOX_DEV_KEY_SEED = 'callbridge/token-vault/sandbox-dev/NOT-A-SECRET/v1';

export const KEY_BYTES = 32;

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const GENERATE_HINT = 'generate one with `openssl rand -base64 32`';

export function sandboxDevKey(): Buffer {
  return createHash('sha256').update(SANDBOX_DEV_KEY_SEED, 'utf8').digest();
}

export interface KeyRingInput {
  readonly keys: string | undefined;
  readonly activeKeyId: string | undefined;
  readonly mode: 'sandbox' | 'live';
}

/**
 * Parses and checks the two variables. Problems are `NAME: what is wrong` lines for the single
 * configuration error; they name key ids and entry positions, never key material.
 */
export function parseTokenKeyRing(input: KeyRingInput): Result<TokenKeyRing, string[]> {
  const rawKeys = blankToUndefined(input.keys);
  const activeKeyId = blankToUndefined(input.activeKeyId);
  const live = input.mode === 'live';

  if (!live && rawKeys === undefined && activeKeyId === undefined) {
    return ok({
      activeKeyId: SANDBOX_DEV_KEY_ID,
      keys: new Map([[SANDBOX_DEV_KEY_ID, sandboxDevKey()]]),
      source: 'sandbox-dev',
    });
  }

  const problems: string[] = [];
  const where = live ? 'required in live mode' : 'required when TOKEN_ENCRYPTION_ACTIVE_KEY_ID is set';
  if (rawKeys === undefined) {
    problems.push(
      `TOKEN_ENCRYPTION_KEYS: ${where}; a comma-separated list of <keyId>:<base64 32-byte key> (${GENERATE_HINT}; ` +
        'put SECRET_TOKEN_ENCRYPTION_KEYS in env/.env.<env>.user)',
    );
  }
  if (activeKeyId === undefined) {
    problems.push(
      `TOKEN_ENCRYPTION_ACTIVE_KEY_ID: ${live ? 'required in live mode' : 'required when TOKEN_ENCRYPTION_KEYS is set'}; ` +
        'the id of the TOKEN_ENCRYPTION_KEYS entry that seals new tokens',
    );
  }

  const keys = new Map<string, Buffer>();
  const namedIds = new Set<string>();
  const devKey = sandboxDevKey();
  const entries = (rawKeys ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  entries.forEach((entry, index) => {
    const position = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    // The entry may be a bare key pasted without its id: never echo it.
    if (colon <= 0) {
      problems.push(`TOKEN_ENCRYPTION_KEYS: ${position} is not <keyId>:<base64 key>`);
      return;
    }
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      problems.push(
        `TOKEN_ENCRYPTION_KEYS: ${position} has an invalid key id (use 1-64 of A-Z a-z 0-9 . _ -)`,
      );
      return;
    }
    const label = `key "${id}"`;
    if (namedIds.has(id)) {
      problems.push(`TOKEN_ENCRYPTION_KEYS: ${label} is listed twice`);
      return;
    }
    namedIds.add(id);
    if (live && id === SANDBOX_DEV_KEY_ID) {
      problems.push(
        `TOKEN_ENCRYPTION_KEYS: ${label} is the public sandbox key id and is refused in live mode`,
      );
      return;
    }
    if (!BASE64.test(material)) {
      problems.push(`TOKEN_ENCRYPTION_KEYS: ${label} is not valid base64 (${GENERATE_HINT})`);
      return;
    }
    const bytes = Buffer.from(material, 'base64');
    if (bytes.length !== KEY_BYTES) {
      problems.push(
        `TOKEN_ENCRYPTION_KEYS: ${label} is ${bytes.length} bytes; AES-256 needs exactly ${KEY_BYTES} (${GENERATE_HINT})`,
      );
      return;
    }
    if (live && timingSafeEqual(bytes, devKey)) {
      problems.push(`TOKEN_ENCRYPTION_KEYS: ${label} is the public sandbox key and is refused in live mode`);
      return;
    }
    keys.set(id, bytes);
  });
  if (rawKeys !== undefined && entries.length === 0) {
    problems.push('TOKEN_ENCRYPTION_KEYS: lists no key');
  }
  // An active id whose entry is listed but broken is already reported above.
  if (activeKeyId !== undefined && rawKeys !== undefined && !namedIds.has(activeKeyId)) {
    problems.push(
      KEY_ID.test(activeKeyId)
        ? `TOKEN_ENCRYPTION_ACTIVE_KEY_ID: key "${activeKeyId}" is not in TOKEN_ENCRYPTION_KEYS`
        : 'TOKEN_ENCRYPTION_ACTIVE_KEY_ID: is not the id of any TOKEN_ENCRYPTION_KEYS entry',
    );
  }
  if (problems.length > 0 || activeKeyId === undefined || !keys.has(activeKeyId)) {
    return err(problems.length > 0 ? problems : ['TOKEN_ENCRYPTION_ACTIVE_KEY_ID: names no usable key']);
  }

  // In the sandbox the development key stays readable, so rows it sealed can be rotated away.
  if (!live && !keys.has(SANDBOX_DEV_KEY_ID)) keys.set(SANDBOX_DEV_KEY_ID, devKey);
  return ok({ activeKeyId, keys, source: 'configured' });
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
