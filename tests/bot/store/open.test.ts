import assert from 'node:assert/strict';
import { createLogger } from '../../../bot/src/observability/logger.js';
import { openStore } from '../../../bot/src/store/open.js';

const logger = createLogger({ level: 'silent' });

describe('openStore', function () {
  for (const [label, url] of [
    ['a malformed %-escape in the password', 'postgres://callbridge:hunter%zz2@db.example:5432/callbridge'],
    ['a space in the host', 'postgres://callbridge:hunter2@db example:5432/callbridge'],
  ] as const) {
    it(`refuses a DATABASE_URL with ${label} without echoing it`, async function () {
      const result = await openStore({ dataDir: 'unused', databaseUrl: url }, logger);
      assert.equal(result.ok, false);
      assert.equal(result.error.code, 'invalid_url');
      assert.match(result.error.message, /DATABASE_URL/);
      assert.ok(!result.error.message.includes('hunter'), result.error.message);
    });
  }
});
