/**
 * Statements both dialects run unchanged: ANSI SQL plus the parts SQLite (3.35+) and PostgreSQL
 * share (ON CONFLICT upserts, RETURNING, row-value comparisons), with `$n` placeholders. What
 * only one dialect can say lives in that dialect's folder ({@link DialectSql}) and in the
 * migrations. Every parameter sits next to a column so PostgreSQL can infer its type.
 */

/** The statements that differ per dialect. */
export interface DialectSql {
  /**
   * Run first in the claim transaction to serialise claimers; `null` where the engine already
   * does (SQLite has one writer at a time).
   */
  readonly inboxClaimLock: string | null;
  /** $1 owner, $2 leaseUntil, $3 now, $4 limit; returns the claimed rows. */
  readonly inboxClaim: string;
}

/**
 * Rows a claim may take: pending, due, and in a partition nobody holds a live lease on. Shared
 * by both dialects' claim statements so the selection rule is written once.
 */
export const INBOX_CLAIMABLE = `
  i.status = 'pending' AND i.available_at <= $3
  AND NOT EXISTS (
    SELECT 1 FROM inbox l
    WHERE l.partition_key = i.partition_key AND l.status = 'leased' AND l.lease_until > $3
  )`;

/** Rows per multi-row inbox insert: bounds the distinct statements a driver caches and the parameter count. */
export const INBOX_INSERT_CHUNK = 50;

/**
 * `inboxInsert` for `rows` rows in one statement (6 parameters per row, in `inboxInsert`'s order),
 * returning the keys it stored: a conflicting row is skipped, not returned.
 */
export function inboxInsertMany(rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => {
    const p = (k: number): string => `$${String(r * 6 + k)}`;
    return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, 'pending', 0, ${p(6)})`;
  });
  return `
    INSERT INTO inbox (source, dedupe_key, partition_key, payload, received_at, status, attempts, available_at)
    VALUES ${values.join(', ')}
    ON CONFLICT (source, dedupe_key) DO NOTHING
    RETURNING source, dedupe_key`;
}

export const SQL = {
  // users ------------------------------------------------------------------------------------
  // $1 id, $2 tenant, $3 aad, $4 status for a new row, $5 now, $6 status override (nullable)
  userUpsert: `
    INSERT INTO users (id, tenant_id, aad_object_id, status, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $5)
    ON CONFLICT (tenant_id, aad_object_id) DO UPDATE SET
      status = COALESCE($6, users.status),
      updated_at = CASE WHEN $6 IS NULL OR $6 = users.status THEN users.updated_at ELSE $5 END
    RETURNING *`,
  userGet: `SELECT * FROM users WHERE id = $1`,
  userGetByAad: `SELECT * FROM users WHERE tenant_id = $1 AND aad_object_id = $2`,
  userGetByWebex: `SELECT * FROM users WHERE webex_person_id = $1`,
  userSetStatus: `UPDATE users SET status = $2, updated_at = $3 WHERE id = $1 RETURNING *`,
  // Relinking the same person keeps the original linkedAt.
  userLinkWebex: `
    UPDATE users SET
      webex_linked_at = CASE WHEN webex_person_id = $2 THEN webex_linked_at ELSE $4 END,
      webex_person_id = $2, webex_org_id = $3, updated_at = $4
    WHERE id = $1 RETURNING *`,
  userUnlinkWebex: `
    UPDATE users SET webex_person_id = NULL, webex_org_id = NULL, webex_linked_at = NULL, updated_at = $2
    WHERE id = $1 RETURNING *`,
  userDelete: `DELETE FROM users WHERE id = $1`,
  userListIds: `SELECT id FROM users WHERE id > $1 ORDER BY id LIMIT $2`,
  userCount: `SELECT COUNT(*) AS n FROM users`,

  // tokens -----------------------------------------------------------------------------------
  tokenGet: `SELECT * FROM tokens WHERE tenant_id = $1 AND user_id = $2 AND kind = $3`,
  // $1 tenant, $2 user, $3 kind, $4 key id, $5 iv, $6 tag, $7 ciphertext, $8 expiresAt, $9 now
  tokenInsert: `
    INSERT INTO tokens (tenant_id, user_id, kind, key_id, iv, tag, ciphertext, expires_at, version, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)
    ON CONFLICT (tenant_id, user_id, kind) DO NOTHING
    RETURNING *`,
  // ... $10 expected version
  tokenUpdate: `
    UPDATE tokens SET key_id = $4, iv = $5, tag = $6, ciphertext = $7, expires_at = $8,
      version = version + 1, updated_at = $9
    WHERE tenant_id = $1 AND user_id = $2 AND kind = $3 AND version = $10
    RETURNING *`,
  tokenDelete: `DELETE FROM tokens WHERE tenant_id = $1 AND user_id = $2 AND kind = $3`,
  tokenDeleteVersion: `DELETE FROM tokens WHERE tenant_id = $1 AND user_id = $2 AND kind = $3 AND version = $4`,
  tokenDeleteUser: `DELETE FROM tokens WHERE tenant_id = $1 AND user_id = $2`,
  // $4: key id to skip; '' (no key id is empty) to list everything
  tokenList: `
    SELECT * FROM tokens
    WHERE (tenant_id, user_id, kind) > ($1, $2, $3) AND key_id <> $4
    ORDER BY tenant_id, user_id, kind LIMIT $5`,

  // graph subscriptions ----------------------------------------------------------------------
  graphSubInsert: `
    INSERT INTO graph_subscriptions
      (id, tenant_id, owner_user_id, resource, member_user_ids, client_state_hash, expires_at, status,
       version, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)
    ON CONFLICT (id) DO NOTHING
    RETURNING *`,
  graphSubGet: `SELECT * FROM graph_subscriptions WHERE id = $1`,
  // NULL leaves a column as it is: one statement for every patch shape.
  graphSubUpdate: `
    UPDATE graph_subscriptions SET
      resource = COALESCE($3, resource),
      member_user_ids = COALESCE($4, member_user_ids),
      client_state_hash = COALESCE($5, client_state_hash),
      expires_at = COALESCE($6, expires_at),
      status = COALESCE($7, status),
      version = version + 1, updated_at = $8
    WHERE id = $1 AND version = $2
    RETURNING *`,
  graphSubDelete: `DELETE FROM graph_subscriptions WHERE id = $1`,
  graphSubExpiring: `
    SELECT * FROM graph_subscriptions
    WHERE status <> 'removed' AND expires_at < $1
    ORDER BY expires_at, id LIMIT $2`,
  graphSubByOwner: `SELECT * FROM graph_subscriptions WHERE owner_user_id = $1 ORDER BY created_at, id`,
  graphSubList: `SELECT * FROM graph_subscriptions WHERE id > $1 ORDER BY id LIMIT $2`,
  graphSubWatchable: `
    SELECT p.user_id, u.tenant_id, u.aad_object_id, u.status
    FROM presence_sync p JOIN users u ON u.id = p.user_id
    WHERE p.enabled AND p.user_id > $1
    ORDER BY p.user_id LIMIT $2`,

  // webex webhooks ---------------------------------------------------------------------------
  webhookInsert: `
    INSERT INTO webex_webhooks
      (id, user_id, resource, event, target_url, secret_key_id, secret_iv, secret_tag, secret_ciphertext,
       status, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
    ON CONFLICT (id) DO NOTHING
    RETURNING *`,
  webhookGet: `SELECT * FROM webex_webhooks WHERE id = $1`,
  webhookUpdate: `
    UPDATE webex_webhooks SET
      target_url = COALESCE($2, target_url),
      secret_key_id = COALESCE($3, secret_key_id),
      secret_iv = COALESCE($4, secret_iv),
      secret_tag = COALESCE($5, secret_tag),
      secret_ciphertext = COALESCE($6, secret_ciphertext),
      status = COALESCE($7, status),
      updated_at = $8
    WHERE id = $1
    RETURNING *`,
  webhookDelete: `DELETE FROM webex_webhooks WHERE id = $1`,
  webhookByUser: `SELECT * FROM webex_webhooks WHERE user_id = $1 ORDER BY created_at, id`,
  webhookList: `SELECT * FROM webex_webhooks WHERE id > $1 ORDER BY id LIMIT $2`,

  // presence sync ----------------------------------------------------------------------------
  presenceGet: `SELECT * FROM presence_sync WHERE user_id = $1`,
  // $1 user, $2 enabled, $3 rule, $4 lastSyncedAt, $5 error code, $6 error action, $7 teams, $8 webex, $9 now
  presenceInsert: `
    INSERT INTO presence_sync
      (user_id, enabled, rule, last_synced_at, last_error_code, last_error_action, teams_state, webex_state,
       version, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)
    ON CONFLICT (user_id) DO NOTHING
    RETURNING *`,
  // ... $10 expected version
  presenceUpdate: `
    UPDATE presence_sync SET enabled = $2, rule = $3, last_synced_at = $4, last_error_code = $5,
      last_error_action = $6, teams_state = $7, webex_state = $8, version = version + 1, updated_at = $9
    WHERE user_id = $1 AND version = $10
    RETURNING *`,
  presenceListEnabled: `SELECT * FROM presence_sync WHERE enabled AND user_id > $1 ORDER BY user_id LIMIT $2`,

  // inbox ------------------------------------------------------------------------------------
  inboxInsert: `
    INSERT INTO inbox (source, dedupe_key, partition_key, payload, received_at, status, attempts, available_at)
    VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6)
    ON CONFLICT (source, dedupe_key) DO NOTHING`,
  inboxGet: `SELECT * FROM inbox WHERE id = $1`,
  inboxLeasedBy: `SELECT attempts FROM inbox WHERE id = $1 AND status = 'leased' AND lease_owner = $2`,
  inboxComplete: `
    UPDATE inbox SET status = 'done', completed_at = $3, lease_owner = NULL, lease_until = NULL
    WHERE id = $1 AND status = 'leased' AND lease_owner = $2`,
  // The attempts guard makes read-then-write a compare-and-swap: a reclaim in between loses.
  inboxFail: `
    UPDATE inbox SET status = $4, available_at = $5, last_error = $6, lease_owner = NULL, lease_until = NULL
    WHERE id = $1 AND status = 'leased' AND lease_owner = $2 AND attempts = $3`,
  inboxReclaim: `
    UPDATE inbox SET
      status = CASE WHEN attempts >= $2 THEN 'dead' ELSE 'pending' END,
      available_at = $1, lease_owner = NULL, lease_until = NULL, last_error = 'lease_expired'
    WHERE status = 'leased' AND lease_until <= $1`,
  inboxPrune: `DELETE FROM inbox WHERE status = 'done' AND completed_at < $1`,
  inboxCountPending: `SELECT COUNT(*) AS n FROM inbox WHERE status = 'pending'`,
  inboxCountByStatus: `SELECT status, COUNT(*) AS n FROM inbox GROUP BY status`,

  // conversation references ------------------------------------------------------------------
  conversationUpsert: `
    INSERT INTO conversation_refs (tenant_id, aad_object_id, reference, updated_at)
    VALUES ($1, $2, $3, $4)
    ON CONFLICT (tenant_id, aad_object_id) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at
    RETURNING *`,
  conversationGet: `SELECT * FROM conversation_refs WHERE tenant_id = $1 AND aad_object_id = $2`,
  conversationDelete: `DELETE FROM conversation_refs WHERE tenant_id = $1 AND aad_object_id = $2`,

  // leases -----------------------------------------------------------------------------------
  // $1 name, $2 owner, $3 expiresAt, $4 now. The token only ever grows, also across release.
  leaseAcquire: `
    INSERT INTO leases (name, owner, token, expires_at) VALUES ($1, $2, 1, $3)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, token = leases.token + 1, expires_at = excluded.expires_at
    WHERE leases.owner IS NULL OR leases.expires_at <= $4 OR leases.owner = excluded.owner
    RETURNING token`,
  leaseRenew: `UPDATE leases SET expires_at = $4 WHERE name = $1 AND owner = $2 AND token = $3`,
  leaseRelease: `UPDATE leases SET owner = NULL, expires_at = 0 WHERE name = $1 AND owner = $2 AND token = $3`,

  // tenant consents ---------------------------------------------------------------------------
  tenantConsentUpsert: `
    INSERT INTO tenant_consents (tenant_id, granted_by, granted_at, scopes, roles, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (tenant_id) DO UPDATE SET granted_by = excluded.granted_by, granted_at = excluded.granted_at,
      scopes = excluded.scopes, roles = excluded.roles, updated_at = excluded.updated_at
    RETURNING *`,
  tenantConsentGet: `SELECT * FROM tenant_consents WHERE tenant_id = $1`,

  // placed calls ------------------------------------------------------------------------------
  // $1 user, $2 call, $3 destination, $4 state, $5 now
  placedCallPut: `
    INSERT INTO placed_calls (user_id, call_id, destination, state, answered, started_at, seen_at)
    VALUES ($1, $2, $3, $4, FALSE, $5, $5)
    ON CONFLICT (user_id, call_id) DO UPDATE SET destination = excluded.destination, state = excluded.state,
      answered = excluded.answered, started_at = excluded.started_at, seen_at = excluded.seen_at
    RETURNING *`,
  placedCallGet: `SELECT * FROM placed_calls WHERE user_id = $1 AND call_id = $2`,
  // $1 user, $2 call, $3 state, $4 answered, $5 now; answered never goes back to false.
  placedCallObserve: `
    UPDATE placed_calls SET state = $3, answered = (answered OR $4), seen_at = $5
    WHERE user_id = $1 AND call_id = $2
    RETURNING *`,
  placedCallPrune: `DELETE FROM placed_calls WHERE seen_at < $1`,

  ping: `SELECT 1 AS ok`,
} as const;
