import assert from 'node:assert/strict';
import { deepLinks, parseDestination } from '../../../bot/src/calls/destination.js';

describe('dial-pad destinations', () => {
  const ok = (input: string, country: 'US' | 'GB' | 'DE' = 'US') => {
    const parsed = parseDestination(input, country);
    assert.ok(parsed.ok, `${input}: ${parsed.ok ? '' : parsed.error}`);
    return parsed.value;
  };

  it('normalises national and international numbers to E.164 for the default country', () => {
    assert.deepEqual(ok('(425) 555-0100'), { kind: 'e164', value: '+14255550100' });
    assert.deepEqual(ok('425.555.0100'), { kind: 'e164', value: '+14255550100' });
    assert.deepEqual(ok('+1 425 555 0100'), { kind: 'e164', value: '+14255550100' });
    assert.deepEqual(ok('tel:+1-425-555-0100'), { kind: 'e164', value: '+14255550100' });
    assert.deepEqual(ok('020 7946 0123', 'GB'), { kind: 'e164', value: '+442079460123' });
    assert.deepEqual(ok('0044 20 7946 0123', 'DE'), { kind: 'e164', value: '+442079460123' });
    // Pasted with a non-breaking space and en dash.
    assert.deepEqual(ok('+44\u00a07700\u2013900123'), { kind: 'e164', value: '+447700900123' });
  });

  it('keeps extensions and feature codes as typed', () => {
    assert.deepEqual(ok('4100'), { kind: 'extension', value: '4100' });
    assert.deepEqual(ok(' 12 '), { kind: 'extension', value: '12' });
    assert.deepEqual(ok('*73'), { kind: 'extension', value: '*73' });
  });

  it('accepts SIP addresses with or without the scheme', () => {
    assert.deepEqual(ok('sip:alex@example.com'), { kind: 'sip', value: 'sip:alex@example.com' });
    assert.deepEqual(ok('SIP:alex@example.com'), { kind: 'sip', value: 'sip:alex@example.com' });
    assert.deepEqual(ok('alex@example.com'), { kind: 'sip', value: 'sip:alex@example.com' });
  });

  it('refuses what cannot be dialled and says what is accepted', () => {
    for (const input of [
      '',
      '   ',
      '+1 999',
      '1',
      'call me',
      'sip:nobody',
      'sip:a@b',
      '+'.repeat(70),
      '12345678901234',
    ]) {
      const parsed = parseDestination(input, 'US');
      assert.ok(!parsed.ok, input);
      assert.match(parsed.error, /extension of 2 to 10 digits/);
    }
  });

  it('builds Webex, tel and SIP deep links', () => {
    assert.deepEqual(deepLinks(ok('+1 425 555 0100')), {
      webex: 'webextel://login?telephone=%2B14255550100',
      tel: 'tel:+14255550100',
    });
    assert.deepEqual(deepLinks(ok('*73')), { webex: 'webextel://login?telephone=*73', tel: 'tel:*73' });
    assert.deepEqual(deepLinks(ok('sip:alex@example.com')), {
      webex: 'sip:alex@example.com',
      sip: 'sip:alex@example.com',
    });
  });
});
