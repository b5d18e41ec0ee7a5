import type { LeaseRepo } from '../store/store.js';
import { randomId } from './sealer.js';

/**
 * Marks a single-use value (flow attempt, OAuth state) as used, across instances: a lease named
 * after it (under the flow's `namespace`), taken by a fresh random owner, held until the value
 * has expired anyway. A second use finds the lease held by someone else and is refused. No lease
 * is ever released, so a value cannot be used again while it is still valid; expired lease rows
 * are harmless (one per use).
 *
 * Resolves `true` for the first use, `false` for a replay.
 */
export async function consumeOnce(
  leases: Pick<LeaseRepo, 'tryAcquire'>,
  namespace: string,
  name: string,
  expiresAt: number,
  now: number,
): Promise<boolean> {
  // One minute past expiry covers clock skew between instances (the store uses one clock).
  const ttlMs = Math.max(1, expiresAt - now) + 60_000;
  const token = await leases.tryAcquire(`${namespace}:${name}`, `consume:${randomId(16)}`, ttlMs);
  return token !== null;
}
