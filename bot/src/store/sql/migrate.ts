import type { Migration } from '../migrations/index.js';
import type { EpochMs, StoreKind } from '../store.js';
import type { SqlExecutor } from './driver.js';
import { int } from './rows.js';

/** A migration's SQL failed; the whole run was rolled back. */
export class MigrationError extends Error {
  constructor(
    readonly migration: Migration,
    readonly driverError: unknown,
  ) {
    super(
      `migration ${String(migration.version).padStart(3, '0')}_${migration.name} failed: ` +
        (driverError instanceof Error ? driverError.message : String(driverError)),
    );
    this.name = 'MigrationError';
  }
}

export interface MigrationOutcome {
  /** Versions this run applied, in order. */
  readonly applied: readonly number[];
  /** The highest version now recorded. */
  readonly schemaVersion: number;
  /**
   * Versions recorded that this build does not know: a newer build migrated the database. Not
   * an error, so a rollback of the code keeps running while migrations stay additive.
   */
  readonly unknown: readonly number[];
}

// Portable DDL: BIGINT is an INTEGER in SQLite.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/**
 * Applies the missing migrations in order. The caller runs this inside one transaction (and,
 * on PostgreSQL, after taking the migration lock), so a failure leaves the schema untouched
 * and two instances starting together apply each migration once.
 */
export async function applyMigrations(
  tx: SqlExecutor,
  dialect: StoreKind,
  migrations: readonly Migration[],
  now: EpochMs,
): Promise<MigrationOutcome> {
  await tx.exec(CREATE_TABLE);
  const recorded = new Set(
    (await tx.all('SELECT version FROM schema_migrations', [])).map((row) => int(row, 'version')),
  );
  const known = new Set(migrations.map((m) => m.version));
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (recorded.has(migration.version)) continue;
    try {
      await tx.exec(migration[dialect]);
    } catch (error) {
      throw new MigrationError(migration, error);
    }
    await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
      migration.version,
      migration.name,
      now,
    ]);
    applied.push(migration.version);
  }
  const all = [...recorded, ...applied];
  return {
    applied,
    schemaVersion: all.length === 0 ? 0 : Math.max(...all),
    unknown: [...recorded].filter((v) => !known.has(v)).sort((a, b) => a - b),
  };
}
