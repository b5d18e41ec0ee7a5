import type { Migration } from './migration.js';

/**
 * What an admin's tenant-wide consent to CallBridge actually granted, as checked with Graph
 * after the admin consent redirect: one row per tenant, replaced on every check. Permission
 * names are JSON arrays of strings (TEXT in both dialects, like the other JSON columns).
 */

const sqlite = `
CREATE TABLE tenant_consents (
  tenant_id TEXT PRIMARY KEY,
  granted_by TEXT NOT NULL,
  granted_at INTEGER NOT NULL,
  scopes TEXT NOT NULL,
  roles TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
`;

const postgres = `
CREATE TABLE tenant_consents (
  tenant_id TEXT PRIMARY KEY,
  granted_by TEXT NOT NULL,
  granted_at BIGINT NOT NULL,
  scopes TEXT NOT NULL,
  roles TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
`;

export const m002TenantConsents: Migration = { version: 2, name: 'tenant_consents', sqlite, postgres };
