import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The `clientState` secret of a Graph subscription: Graph echoes it in every change and lifecycle
 * notification, so it is how we tell Graph's posts from anyone else's. Each subscription gets its
 * own random value; only its SHA-256 is stored, so a database reader cannot forge notifications.
 */

/** 32 random bytes, base64url: 43 characters, under Graph's 128-character limit. */
export function newClientState(): { readonly value: string; readonly hash: string } {
  const value = randomBytes(32).toString('base64url');
  return { value, hash: hashClientState(value) };
}

export function hashClientState(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Compares what a notification carries with the stored hash in constant time. Hashing first makes
 * both sides the same length, so neither the comparison nor a length check leaks the secret.
 */
export function clientStateMatches(received: string | null | undefined, storedHash: string): boolean {
  if (typeof received !== 'string' || received === '') return false;
  const actual = Buffer.from(hashClientState(received), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
