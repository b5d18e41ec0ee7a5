import type { Logger } from '../observability/logger.js';
import type { Store, TokenRecord } from '../store/store.js';
import type { TokenVault } from './token-vault.js';

export interface RotateOptions {
  /** Records per page, 1..1000. */
  readonly batchSize: number;
  readonly logger: Logger;
}

export interface RotateResult {
  /** Re-sealed under the active key. */
  readonly rotated: number;
  /**
   * Changed (or deleted) by someone else while we worked: a refresh writes under the active key,
   * so there is nothing left to rotate and the newer token must not be overwritten.
   */
  readonly skipped: number;
  /** Could not be opened (unknown key id, tampered): they stay as they are; see the warnings. */
  readonly failed: number;
}

/**
 * Re-seals every token record that is not under the vault's active key. Walks the table page by
 * page (keyset paging, so records rotated behind the cursor are not seen again) and writes with
 * compare-and-swap on the version it read. Safe to run while the service is up and to re-run;
 * run it after making a new key active and before removing the old one from the ring.
 */
export async function rotateTokenKeys(
  store: Store,
  vault: TokenVault,
  options: RotateOptions,
): Promise<RotateResult> {
  const log = options.logger.child({ component: 'rotate-keys', activeKeyId: vault.activeKeyId });
  let rotated = 0;
  let skipped = 0;
  let failed = 0;
  let cursor: string | null = null;
  do {
    const page = await store.tokens.list({
      limit: options.batchSize,
      cursor,
      keyIdOtherThan: vault.activeKeyId,
    });
    for (const record of page.items) {
      const outcome = await rotateOne(store, vault, record, log);
      if (outcome === 'rotated') rotated++;
      else if (outcome === 'skipped') skipped++;
      else failed++;
    }
    cursor = page.next;
    log.info({ rotated, skipped, failed }, 'token key rotation progress');
  } while (cursor !== null);
  log.info({ rotated, skipped, failed }, 'token key rotation finished');
  return { rotated, skipped, failed };
}

async function rotateOne(
  store: Store,
  vault: TokenVault,
  record: TokenRecord,
  log: Logger,
): Promise<'rotated' | 'skipped' | 'failed'> {
  // Ids only: the plaintext stays in this function's locals.
  const where = {
    tenantId: record.tenantId,
    userId: record.userId,
    kind: record.kind,
    keyId: record.sealed.keyId,
  };
  if (!vault.needsRotation(record.sealed)) return 'skipped';
  const opened = vault.open(record.sealed, record);
  if (!opened.ok) {
    log.warn(
      { ...where, code: opened.error.code, reason: opened.error.message },
      'token record could not be opened',
    );
    return 'failed';
  }
  const written = await store.tokens.put({
    tenantId: record.tenantId,
    userId: record.userId,
    kind: record.kind,
    sealed: vault.seal(opened.value, record),
    expiresAt: record.expiresAt,
    expectedVersion: record.version,
  });
  if (written.ok) return 'rotated';
  log.info({ ...where, code: written.error.code }, 'token record changed during rotation; left as written');
  return 'skipped';
}
