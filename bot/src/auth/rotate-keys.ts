import type { Logger } from '../observability/logger.js';
import { WEBHOOK_SECRET_KIND } from '../presence-sync/webex/secrets.js';
import type { Page, SealedSecret, Store, TokenRecord, WebexWebhook } from '../store/store.js';
import type { TokenVault, VaultBinding } from './token-vault.js';

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
   * so there is nothing left to rotate and the newer token must not be overwritten; a deleted
   * webhook (or its deleted owner) leaves nothing to re-seal.
   */
  readonly skipped: number;
  /** Could not be opened (unknown key id, tampered): they stay as they are; see the warnings. */
  readonly failed: number;
}

/** Everything the vault seals at rest, by kind. */
export interface RotateAllResult {
  readonly tokens: RotateResult;
  readonly webhookSecrets: RotateResult;
}

/** `current`: already under the active key, so not counted. */
type Outcome = 'rotated' | 'skipped' | 'failed' | 'current';

/**
 * Re-seals everything the vault keeps at rest (user tokens, then Webex webhook secrets) under the
 * active key. Run it after making a new key active and before removing the old one from the ring:
 * a webhook secret left under a dropped key would make every delivery of that webhook fail its
 * signature check.
 */
export async function rotateKeys(
  store: Store,
  vault: TokenVault,
  options: RotateOptions,
): Promise<RotateAllResult> {
  const tokens = await rotateTokenKeys(store, vault, options);
  const webhookSecrets = await rotateWebhookSecretKeys(store, vault, options);
  return { tokens, webhookSecrets };
}

/**
 * Re-seals every token record that is not under the vault's active key. Walks the table page by
 * page (keyset paging, so records rotated behind the cursor are not seen again) and writes with
 * compare-and-swap on the version it read. Safe to run while the service is up and to re-run.
 */
export async function rotateTokenKeys(
  store: Store,
  vault: TokenVault,
  options: RotateOptions,
): Promise<RotateResult> {
  return rotatePaged(
    (cursor) => store.tokens.list({ limit: options.batchSize, cursor, keyIdOtherThan: vault.activeKeyId }),
    (record, log) => rotateToken(store, vault, record, log),
    options.logger.child({ component: 'rotate-keys', activeKeyId: vault.activeKeyId }),
    'token',
  );
}

/**
 * Re-seals every Webex webhook's HMAC secret that is not under the active key, with the same
 * binding the webhook code seals it with. Pages through all webhooks by id (one per enrolled user,
 * so no key-id filter is needed) and skips those already rotated, so a re-run after a crash only
 * does what is left. Only the reconciler writes a secret, and only when it creates a new webhook
 * (new id), so a plain update cannot overwrite a newer secret; a webhook deleted meanwhile is
 * skipped.
 */
export async function rotateWebhookSecretKeys(
  store: Store,
  vault: TokenVault,
  options: RotateOptions,
): Promise<RotateResult> {
  return rotatePaged(
    (cursor) => store.webexWebhooks.list({ limit: options.batchSize, cursor }),
    (webhook, log) => rotateWebhookSecret(store, vault, webhook, log),
    options.logger.child({ component: 'rotate-keys', activeKeyId: vault.activeKeyId }),
    'webhook secret',
  );
}

async function rotatePaged<T>(
  list: (cursor: string | null) => Promise<Page<T>>,
  rotateOne: (item: T, log: Logger) => Promise<Outcome>,
  log: Logger,
  what: string,
): Promise<RotateResult> {
  let rotated = 0;
  let skipped = 0;
  let failed = 0;
  let cursor: string | null = null;
  do {
    const page = await list(cursor);
    for (const item of page.items) {
      const outcome = await rotateOne(item, log);
      if (outcome === 'rotated') rotated++;
      else if (outcome === 'skipped') skipped++;
      else if (outcome === 'failed') failed++;
    }
    cursor = page.next;
    log.info({ rotated, skipped, failed }, `${what} key rotation progress`);
  } while (cursor !== null);
  log.info({ rotated, skipped, failed }, `${what} key rotation finished`);
  return { rotated, skipped, failed };
}

async function rotateToken(
  store: Store,
  vault: TokenVault,
  record: TokenRecord,
  log: Logger,
): Promise<Outcome> {
  // Ids only: the plaintext stays in this function's locals.
  const where = {
    tenantId: record.tenantId,
    userId: record.userId,
    kind: record.kind,
    keyId: record.sealed.keyId,
  };
  if (!vault.needsRotation(record.sealed)) return 'skipped';
  const sealed = reseal(vault, record.sealed, record, (why) => {
    log.warn({ ...where, ...why }, 'token record could not be opened');
  });
  if (sealed === undefined) return 'failed';
  const written = await store.tokens.put({
    tenantId: record.tenantId,
    userId: record.userId,
    kind: record.kind,
    sealed,
    expiresAt: record.expiresAt,
    expectedVersion: record.version,
  });
  if (written.ok) return 'rotated';
  log.info({ ...where, code: written.error.code }, 'token record changed during rotation; left as written');
  return 'skipped';
}

async function rotateWebhookSecret(
  store: Store,
  vault: TokenVault,
  webhook: WebexWebhook,
  log: Logger,
): Promise<Outcome> {
  if (!vault.needsRotation(webhook.secret)) return 'current';
  const where = { webhookId: webhook.id, userId: webhook.userId, keyId: webhook.secret.keyId };
  // The binding needs the owner's tenant, which the webhook row does not carry.
  const owner = await store.users.get(webhook.userId);
  if (owner === undefined) {
    log.info(where, 'webhook owner removed during rotation; left as is');
    return 'skipped';
  }
  const binding: VaultBinding = {
    tenantId: owner.tenantId,
    userId: webhook.userId,
    kind: WEBHOOK_SECRET_KIND,
  };
  const secret = reseal(vault, webhook.secret, binding, (why) => {
    log.warn({ ...where, ...why }, 'webhook secret could not be opened');
  });
  if (secret === undefined) return 'failed';
  const written = await store.webexWebhooks.update(webhook.id, { secret });
  if (written.ok) return 'rotated';
  log.info({ ...where, code: written.error.code }, 'webhook deleted during rotation; nothing to re-seal');
  return 'skipped';
}

/**
 * Opens under whichever ring key sealed it and seals again under the active key, so the plaintext
 * never leaves this function; `undefined` (after `warn` with the reason) when it does not open.
 */
function reseal(
  vault: TokenVault,
  sealed: SealedSecret,
  binding: VaultBinding,
  warn: (fields: { readonly code: string; readonly reason: string }) => void,
): SealedSecret | undefined {
  const opened = vault.open(sealed, binding);
  if (opened.ok) return vault.seal(opened.value, binding);
  warn({ code: opened.error.code, reason: opened.error.message });
  return undefined;
}
