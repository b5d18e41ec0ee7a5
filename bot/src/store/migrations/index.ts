import { m001Initial } from './001_initial.js';
import { m002TenantConsents } from './002_tenant_consents.js';
import { m003PlacedCalls } from './003_placed_calls.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration, in order. To add one: create `NNN_name.ts` next to these and append it here. */
export const MIGRATIONS: readonly Migration[] = [m001Initial, m002TenantConsents, m003PlacedCalls];
