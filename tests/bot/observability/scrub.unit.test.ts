import assert from 'node:assert/strict';
import { scrub, serializeError } from '../../../bot/src/observability/logger.js';

describe('scrub', () => {
  it('removes phone numbers in the shapes users type them', () => {
    for (const phone of [
      '+1 425 555 0101',
      '(425) 555-0101',
      '+44 20 7946 0958',
      '4255550101',
      '+14255550101',
    ]) {
      const out = scrub(`could not dial ${phone} now`);
      assert.equal(out, 'could not dial [phone] now', phone);
    }
  });

  it('keeps short numbers, dates, times, ids and stack positions that are not phone numbers', () => {
    const kept = [
      'extension 2002 is busy',
      'at 2026-11-24T05:20:00.000Z',
      'user 3f2a9c1e-0000-4000-8000-00000000d0a1 failed',
      'at file (bot/src/calls/webex-call-service.ts:123:45)',
      'status 503 after 30000 ms',
    ];
    for (const text of kept) assert.equal(scrub(text), text);
  });

  it('still removes tokens and email addresses', () => {
    assert.equal(scrub('Bearer abc.def'), 'Bearer [redacted]');
    assert.equal(scrub('for megan@contoso.example'), 'for [email]');
  });

  it('is what error serialisation applies to messages and stacks', () => {
    const serialised = serializeError(new Error('Webex refused +1 425 555 0101'));
    assert.equal(serialised.message, 'Webex refused [phone]');
    assert.ok(typeof serialised.stack === 'string' && !serialised.stack.includes('555'));
  });
});
