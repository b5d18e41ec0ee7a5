/**
 * One schema change, written once per dialect. Migrations are append-only: once released, a
 * migration's SQL never changes; fix it with the next number.
 */
export interface Migration {
  /** 1, 2, 3, ... with no gaps; the order they run in. */
  readonly version: number;
  /** snake_case, shown in logs and stored in schema_migrations. */
  readonly name: string;
  /** Scripts may hold several statements; each runs inside the migration transaction. */
  readonly sqlite: string;
  readonly postgres: string;
}
