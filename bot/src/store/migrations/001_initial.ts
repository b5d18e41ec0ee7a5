import type { Migration } from './migration.js';

/*
 * Types per dialect: times are epoch ms (INTEGER / BIGINT), secrets raw bytes (BLOB / BYTEA),
 * JSON is TEXT in both so the shared row mapping reads it the same way. SQLite tables are
 * STRICT so a wrongly typed value fails as it would on PostgreSQL. Ids are TEXT on PostgreSQL
 * too (not UUID): a malformed id must be "not found", not a type error, on both.
 */

const sqlite = `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  aad_object_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'needs_sign_in')),
  webex_person_id TEXT,
  webex_org_id TEXT,
  webex_linked_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, aad_object_id),
  UNIQUE (tenant_id, id),
  CHECK ((webex_person_id IS NULL) = (webex_org_id IS NULL)
     AND (webex_person_id IS NULL) = (webex_linked_at IS NULL))
) STRICT;
CREATE UNIQUE INDEX users_webex_person ON users (webex_person_id) WHERE webex_person_id IS NOT NULL;

CREATE TABLE tokens (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('graph_refresh', 'graph_access', 'webex_refresh', 'webex_access')),
  key_id TEXT NOT NULL,
  iv BLOB NOT NULL,
  tag BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  expires_at INTEGER,
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id, kind),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE graph_subscriptions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  owner_user_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  member_user_ids TEXT NOT NULL,
  client_state_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'reauthorization_required', 'removed')),
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX graph_subscriptions_expiry ON graph_subscriptions (expires_at);
CREATE INDEX graph_subscriptions_owner ON graph_subscriptions (owner_user_id);

CREATE TABLE webex_webhooks (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  resource TEXT NOT NULL,
  event TEXT NOT NULL,
  target_url TEXT NOT NULL,
  secret_key_id TEXT NOT NULL,
  secret_iv BLOB NOT NULL,
  secret_tag BLOB NOT NULL,
  secret_ciphertext BLOB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX webex_webhooks_user ON webex_webhooks (user_id);

CREATE TABLE presence_sync (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  rule TEXT NOT NULL CHECK (rule IN ('always', 'meetings_only', 'never')),
  last_synced_at INTEGER,
  last_error_code TEXT,
  last_error_action TEXT,
  teams_state TEXT NOT NULL,
  webex_state TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX presence_sync_enabled ON presence_sync (user_id) WHERE enabled;

CREATE TABLE inbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL CHECK (source IN ('graph', 'webex')),
  dedupe_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'leased', 'done', 'dead')),
  attempts INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  last_error TEXT,
  completed_at INTEGER,
  UNIQUE (source, dedupe_key)
) STRICT;
CREATE INDEX inbox_due ON inbox (available_at, id) WHERE status = 'pending';
CREATE INDEX inbox_leased ON inbox (partition_key, lease_until) WHERE status = 'leased';
CREATE INDEX inbox_lease_expiry ON inbox (lease_until) WHERE status = 'leased';
CREATE INDEX inbox_done ON inbox (completed_at) WHERE status = 'done';

CREATE TABLE conversation_refs (
  tenant_id TEXT NOT NULL,
  aad_object_id TEXT NOT NULL,
  reference TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, aad_object_id)
) STRICT;

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT,
  token INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
`;

const postgres = `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  aad_object_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'needs_sign_in')),
  webex_person_id TEXT,
  webex_org_id TEXT,
  webex_linked_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (tenant_id, aad_object_id),
  UNIQUE (tenant_id, id),
  CHECK ((webex_person_id IS NULL) = (webex_org_id IS NULL)
     AND (webex_person_id IS NULL) = (webex_linked_at IS NULL))
);
CREATE UNIQUE INDEX users_webex_person ON users (webex_person_id) WHERE webex_person_id IS NOT NULL;

CREATE TABLE tokens (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('graph_refresh', 'graph_access', 'webex_refresh', 'webex_access')),
  key_id TEXT NOT NULL,
  iv BYTEA NOT NULL,
  tag BYTEA NOT NULL,
  ciphertext BYTEA NOT NULL,
  expires_at BIGINT,
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id, kind),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE graph_subscriptions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  owner_user_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  member_user_ids TEXT NOT NULL,
  client_state_hash TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'reauthorization_required', 'removed')),
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX graph_subscriptions_expiry ON graph_subscriptions (expires_at);
CREATE INDEX graph_subscriptions_owner ON graph_subscriptions (owner_user_id);

CREATE TABLE webex_webhooks (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  resource TEXT NOT NULL,
  event TEXT NOT NULL,
  target_url TEXT NOT NULL,
  secret_key_id TEXT NOT NULL,
  secret_iv BYTEA NOT NULL,
  secret_tag BYTEA NOT NULL,
  secret_ciphertext BYTEA NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX webex_webhooks_user ON webex_webhooks (user_id);

CREATE TABLE presence_sync (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  enabled BOOLEAN NOT NULL,
  rule TEXT NOT NULL CHECK (rule IN ('always', 'meetings_only', 'never')),
  last_synced_at BIGINT,
  last_error_code TEXT,
  last_error_action TEXT,
  teams_state TEXT NOT NULL,
  webex_state TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  updated_at BIGINT NOT NULL
);
CREATE INDEX presence_sync_enabled ON presence_sync (user_id) WHERE enabled;

CREATE TABLE inbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('graph', 'webex')),
  dedupe_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'leased', 'done', 'dead')),
  attempts INTEGER NOT NULL,
  available_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  last_error TEXT,
  completed_at BIGINT,
  UNIQUE (source, dedupe_key)
);
CREATE INDEX inbox_due ON inbox (available_at, id) WHERE status = 'pending';
CREATE INDEX inbox_leased ON inbox (partition_key, lease_until) WHERE status = 'leased';
CREATE INDEX inbox_lease_expiry ON inbox (lease_until) WHERE status = 'leased';
CREATE INDEX inbox_done ON inbox (completed_at) WHERE status = 'done';

CREATE TABLE conversation_refs (
  tenant_id TEXT NOT NULL,
  aad_object_id TEXT NOT NULL,
  reference TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, aad_object_id)
);

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT,
  token BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
`;

export const m001Initial: Migration = { version: 1, name: 'initial', sqlite, postgres };
