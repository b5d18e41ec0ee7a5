import assert from 'node:assert/strict';
import { client, fakeFetch, json } from './support/fake-api.js';

const DIALS = {
  entries: [
    { id: 'a1', label: 'Ada', number: '+14155550100', aadObjectId: 'u-ada' },
    { id: 'b2', label: 'Desk', number: '4021' },
  ],
  version: 'v7',
  bytesUsed: 310,
  bytesMax: 2048,
};

const PERSON = {
  key: 'aad:u-ada',
  aadObjectId: 'u-ada',
  displayName: 'Ada Lovelace',
  jobTitle: 'Engineer',
  department: 'R&D',
  email: 'ada@example.com',
  phones: [
    { type: 'business', number: '+1 415 555 0100' },
    { type: 'pager', number: '555' },
  ],
  sources: ['directory', 'contacts', 'future-source'],
  presence: { availability: 'Available', activity: 'Available' },
};

describe('tab API client: Call tab routes', () => {
  it('reads the bootstrap, keeping each good section and flagging a malformed one as a problem', async () => {
    const { fetch, calls } = fakeFetch(
      json(200, {
        profile: { aadObjectId: 'u-me', displayName: 'Me', jobTitle: 'Boss', extra: true },
        speedDials: DIALS,
        presence: { 'u-ada': { availability: 'Busy', activity: 'InACall' }, broken: { availability: 1 } },
        webex: { linked: true, personId: 'p1' },
        sync: { enabled: 'yes' },
        problems: [{ section: 'presence', code: 'graph_throttled' }],
      }),
    );
    const result = await client(fetch).bootstrap();
    assert.deepEqual(result, {
      ok: true,
      value: {
        profile: { aadObjectId: 'u-me', displayName: 'Me', jobTitle: 'Boss' },
        speedDials: DIALS,
        presence: { 'u-ada': { availability: 'Busy', activity: 'InACall' } },
        webex: { linked: true, personId: 'p1' },
        sync: null,
        problems: [
          { section: 'presence', code: 'graph_throttled' },
          { section: 'sync', code: 'bad_response' },
        ],
      },
    });
    assert.equal(calls[0]?.url, '/api/bootstrap');
  });

  it('refuses a bootstrap without its problems list', async () => {
    const { fetch } = fakeFetch(json(200, { profile: null }));
    assert.deepEqual(await client(fetch).bootstrap(), {
      ok: false,
      error: { kind: 'bad_response', status: 200 },
    });
  });

  it('saves speed dials with their base, and reads merged and conflicts', async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { ...DIALS, version: 'v8', merged: true, conflicts: ['b2'] }),
    );
    const entries = [DIALS.entries[1]!];
    const result = await client(fetch).saveSpeedDials(entries, { version: 'v7', entries: DIALS.entries });
    assert.deepEqual(result, {
      ok: true,
      value: { kind: 'saved', ...DIALS, version: 'v8', merged: true, conflicts: ['b2'] },
    });
    assert.equal(calls[0]?.method, 'PUT');
    assert.deepEqual(JSON.parse(calls[0].body!), {
      entries,
      base: { version: 'v7', entries: DIALS.entries },
    });
  });

  it('turns 413 speed_dials_full into a "full" outcome, and other 4xx into errors', async () => {
    const { fetch } = fakeFetch(
      json(413, { code: 'speed_dials_full', message: 'too big', bytesUsed: 2100, bytesMax: 2048 }),
      json(400, { code: 'invalid_request', message: 'entries[0].id' }),
    );
    const api = client(fetch);
    const base = { version: 'v1', entries: [] };
    assert.deepEqual(await api.saveSpeedDials([], base), {
      ok: true,
      value: { kind: 'full', bytesUsed: 2100, bytesMax: 2048 },
    });
    assert.deepEqual(await api.saveSpeedDials([], base), {
      ok: false,
      error: { kind: 'http', status: 400, code: 'invalid_request', message: 'entries[0].id' },
    });
  });

  it('searches people with an encoded query, keeping unknown phone types as other and dropping unknown sources', async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { people: [PERSON], partial: true, slowSources: ['contacts'], failedSources: [] }),
    );
    const result = await client(fetch).searchPeople('Ada & Bob', 5);
    assert.equal(calls[0]?.url, '/api/people?q=Ada+%26+Bob&top=5');
    assert.deepEqual(result, {
      ok: true,
      value: {
        people: [
          {
            ...PERSON,
            phones: [
              { type: 'business', number: '+1 415 555 0100' },
              { type: 'other', number: '555' },
            ],
            sources: ['directory', 'contacts'],
          },
        ],
        partial: true,
        slowSources: ['contacts'],
        failedSources: [],
      },
    });
  });

  it('refuses a search answer with a person missing their name', async () => {
    const { fetch } = fakeFetch(
      json(200, { people: [{ key: 'x', phones: [], sources: [] }], partial: false }),
    );
    assert.equal((await client(fetch).searchPeople('x')).ok, false);
  });

  it('places a Webex call and polls it; a call Webex no longer knows is not_found', async () => {
    const call = { id: 'c1', state: 'ringing_devices', destination: '+14155550100', startedAt: 1 };
    const { fetch, calls } = fakeFetch(
      json(201, { mode: 'webex', call }),
      json(200, { ...call, state: 'failed', reason: 'something_new' }),
      json(404, { code: 'call_not_found', message: 'gone' }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.placeCall('+14155550100', 'Ada'), {
      ok: true,
      value: { mode: 'webex', call },
    });
    assert.deepEqual(JSON.parse(calls[0]!.body!), { destination: '+14155550100', displayName: 'Ada' });
    assert.deepEqual(await api.call('c1'), {
      ok: true,
      value: { ...call, state: 'failed', reason: 'unknown' },
    });
    assert.deepEqual(await api.call('c/1'), { ok: false, error: { kind: 'not_found' } });
    assert.equal(calls[2]?.url, '/api/calls/c%2F1');
  });

  it('hangs up with DELETE and reads the ended call; a refusal keeps its code and retry hint', async () => {
    const ended = { id: 'c/1', state: 'ended', destination: '+14155550100', startedAt: 1 };
    const { fetch, calls } = fakeFetch(
      json(200, ended),
      json(409, { code: 'webex_relink_required', message: 'link again' }),
      json(503, { code: 'webex_unavailable', message: 'later', retryAfterSeconds: 30 }),
      json(200, { ...ended, state: 'hung up' }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.hangUp('c/1'), { ok: true, value: ended });
    assert.equal(calls[0]?.method, 'DELETE');
    assert.equal(calls[0].url, '/api/calls/c%2F1');
    assert.equal(calls[0].body, undefined);
    assert.deepEqual(await api.hangUp('c1'), {
      ok: false,
      error: { kind: 'http', status: 409, code: 'webex_relink_required', message: 'link again' },
    });
    assert.deepEqual(await api.hangUp('c1'), {
      ok: false,
      error: { kind: 'unavailable', retryAfterSeconds: 30 },
    });
    assert.deepEqual(await api.hangUp('c1'), { ok: false, error: { kind: 'bad_response', status: 200 } });
  });

  it('reads deep links for an unlinked user and drops links with schemes it must not open', async () => {
    const { fetch } = fakeFetch(
      json(200, {
        mode: 'deep_link',
        links: { webex: 'webextel:+14155550100', tel: 'javascript:alert(1)', sip: 'sip:ada@example.com' },
        linkWebex: true,
      }),
      json(200, { mode: 'deep_link', links: { webex: 'javascript:alert(1)' }, linkWebex: true }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.placeCall('+14155550100'), {
      ok: true,
      value: {
        mode: 'deep_link',
        linkWebex: true,
        links: { webex: 'webextel:+14155550100', sip: 'sip:ada@example.com' },
      },
    });
    assert.deepEqual(await api.placeCall('+1'), { ok: false, error: { kind: 'bad_response', status: 200 } });
  });

  it('keeps the call error codes and the retry hint from the body', async () => {
    const { fetch } = fakeFetch(
      json(422, { code: 'invalid_number', message: 'no' }),
      json(409, { code: 'webex_relink_required', message: 'relink' }),
      json(503, { code: 'webex_unavailable', message: 'down', retryAfterSeconds: 30 }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.placeCall('x'), {
      ok: false,
      error: { kind: 'http', status: 422, code: 'invalid_number', message: 'no' },
    });
    assert.deepEqual(await api.placeCall('x'), {
      ok: false,
      error: { kind: 'http', status: 409, code: 'webex_relink_required', message: 'relink' },
    });
    assert.deepEqual(await api.placeCall('x'), {
      ok: false,
      error: { kind: 'unavailable', retryAfterSeconds: 30 },
    });
  });

  it('reads recent calls and voicemail, and marks a message read', async () => {
    const { fetch, calls } = fakeFetch(
      json(200, {
        linked: true,
        calls: [{ id: 'r1', direction: 'missed', number: '4021', at: 5, name: 'Desk', durationSeconds: 0 }],
      }),
      json(200, {
        linked: true,
        unread: 1,
        messages: [{ id: 'v1', from: { number: '4021' }, at: 9, read: false, durationSeconds: 12 }],
      }),
      new Response(null, { status: 204 }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.recentCalls(), {
      ok: true,
      value: {
        linked: true,
        calls: [{ id: 'r1', direction: 'missed', number: '4021', at: 5, name: 'Desk', durationSeconds: 0 }],
      },
    });
    assert.deepEqual(await api.voicemail(), {
      ok: true,
      value: {
        linked: true,
        unread: 1,
        messages: [{ id: 'v1', from: { number: '4021' }, at: 9, read: false, durationSeconds: 12 }],
      },
    });
    assert.deepEqual(await api.markVoicemailRead('v1'), { ok: true, value: undefined });
    assert.deepEqual(
      calls.map((c) => `${c.method} ${c.url}`),
      ['GET /api/calls/recent', 'GET /api/voicemail', 'POST /api/voicemail/v1/read'],
    );
  });

  it('reads presence sync, and a 409 refusal as an outcome with its fixing action', async () => {
    const status = { enabled: true, rule: 'always', lastSyncedAt: null, blocked: null };
    const { fetch, calls } = fakeFetch(
      json(200, status),
      json(409, { code: 'webex_not_linked', message: 'Link Webex first', action: 'link_webex' }),
      json(404, { code: 'not_found', message: 'no route' }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.presenceSync(), { ok: true, value: status });
    assert.deepEqual(await api.setPresenceSync(true, 'meetings_only'), {
      ok: true,
      value: { kind: 'refused', code: 'webex_not_linked', action: 'link_webex', message: 'Link Webex first' },
    });
    assert.deepEqual(JSON.parse(calls[1]!.body!), { enabled: true, rule: 'meetings_only' });
    assert.deepEqual(await api.presenceSync(), { ok: false, error: { kind: 'not_found' } });
  });
});
