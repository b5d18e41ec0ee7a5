import assert from 'node:assert/strict';
import { MIGRATIONS } from '../../../bot/src/store/migrations/index.js';

describe('store migrations', function () {
  it('are numbered 1..n without gaps, in order, with snake_case names', function () {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    for (const m of MIGRATIONS) assert.match(m.name, /^[a-z][a-z0-9_]*$/, `migration ${m.version} name`);
  });

  it('carry SQL for both dialects that mentions the same tables', function () {
    const tables = (sql: string): string[] =>
      [...sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/gi)].map((match) => match[1]!).sort();
    for (const m of MIGRATIONS) {
      assert.ok(
        m.sqlite.trim().length > 0 && m.postgres.trim().length > 0,
        `migration ${m.version} is empty`,
      );
      assert.deepEqual(
        tables(m.sqlite),
        tables(m.postgres),
        `migration ${m.version} creates different tables`,
      );
    }
  });
});
