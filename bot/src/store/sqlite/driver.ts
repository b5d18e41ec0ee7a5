import type BetterSqlite3 from 'better-sqlite3';
import type { ConstraintKind, SqlDriver, SqlExecutor, SqlParam, SqlRow } from '../sql/driver.js';

type Bindings = Record<string, string | number | Buffer | null>;
type Statement = BetterSqlite3.Statement<[Bindings?], SqlRow>;

/**
 * An async face on the synchronous better-sqlite3 connection. Each call runs to completion
 * before the next starts (a promise chain), so a transaction that awaits between its
 * statements is never interleaved with another caller's statements on the one connection.
 */
export class SqliteDriver implements SqlDriver {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, Statement>();
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs directly on the connection; only handed to code already holding the queue. */
  readonly #direct: SqlExecutor = {
    all: (sql, params) =>
      settle(() => this.#run(sql, params, (s, b) => (b === undefined ? s.all() : s.all(b)))),
    run: (sql, params) =>
      settle(() => this.#run(sql, params, (s, b) => (b === undefined ? s.run() : s.run(b)).changes)),
    exec: (script) => settle(() => void this.#db.exec(script)),
  };

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  all(sql: string, params: readonly SqlParam[]): Promise<readonly SqlRow[]> {
    return this.#serial(() => this.#direct.all(sql, params));
  }

  run(sql: string, params: readonly SqlParam[]): Promise<number> {
    return this.#serial(() => this.#direct.run(sql, params));
  }

  exec(script: string): Promise<void> {
    return this.#serial(() => this.#direct.exec(script));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#serial(async () => {
      // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
      // writes can fail with SQLITE_BUSY instead of waiting out busy_timeout.
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(this.#direct);
        this.#db.exec('COMMIT');
        return value;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  constraintViolation(error: unknown): ConstraintKind | null {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key';
    return null;
  }

  close(): Promise<void> {
    return this.#serial(() =>
      settle(() => {
        if (this.#db.open) this.#db.close();
      }),
    );
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  #run<R>(sql: string, params: readonly SqlParam[], call: (s: Statement, b: Bindings | undefined) => R): R {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<[Bindings?], SqlRow>(sql);
      this.#statements.set(sql, statement);
    }
    return call(statement, params.length === 0 ? undefined : bind(params));
  }
}

/** Runs a synchronous call so that a throw becomes a rejection, as callers of a promise expect. */
function settle<T>(call: () => T): Promise<T> {
  return Promise.resolve().then(call);
}

/** `$1..$n` are named parameters "1".."n" to SQLite; it has no boolean type. */
function bind(params: readonly SqlParam[]): Bindings {
  const out: Bindings = {};
  params.forEach((value, index) => {
    out[String(index + 1)] = typeof value === 'boolean' ? Number(value) : value;
  });
  return out;
}
