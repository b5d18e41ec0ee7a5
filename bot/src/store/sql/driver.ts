/**
 * The little a dialect has to provide for the shared store (`sqlStore.ts`) to run on it.
 * Statements use PostgreSQL-style `$1..$n` placeholders; the SQLite driver binds them as named
 * parameters, which SQLite accepts under the same spelling.
 */

export type SqlParam = string | number | boolean | Buffer | null;

/** A row as the driver returns it; `rows.ts` turns it into a typed entity. */
export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlExecutor {
  /** Runs a statement that returns rows (SELECT, or a write with RETURNING). */
  all(sql: string, params: readonly SqlParam[]): Promise<readonly SqlRow[]>;
  /** Runs a statement for its effect; resolves the number of rows it changed. */
  run(sql: string, params: readonly SqlParam[]): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export type ConstraintKind = 'unique' | 'foreign_key';

export interface SqlDriver extends SqlExecutor {
  /**
   * Runs `fn` in one transaction: committed if it resolves, rolled back if it rejects. Nothing
   * else the store does interleaves with it on the same connection.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Which constraint a driver error violated, if it was a constraint violation at all. */
  constraintViolation(error: unknown): ConstraintKind | null;
  close(): Promise<void>;
}
