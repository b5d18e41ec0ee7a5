import assert from 'node:assert/strict';
import { graphError, items, OTHER_APP_ID, startHarness, type Harness } from './support/harness.js';

/**
 * Open extensions on users, from "Create openTypeExtension" (201, id = extensionName,
 * `@odata.type`), "Update openTypeExtension" (PATCH replaces the custom property set; primitives
 * and arrays of primitives only) and the documented directory limits (2 KB each including the
 * definition, two per application per user).
 */
describe('graph stand-in: open extensions (fidelity)', () => {
  let h: Harness;
  let token: string;
  const ext = (name: string, props: Record<string, unknown> = {}): Record<string, unknown> => ({
    '@odata.type': 'microsoft.graph.openTypeExtension',
    extensionName: name,
    ...props,
  });

  beforeEach(async () => {
    h = await startHarness();
    token = await h.delegated(h.user(0), 'User.ReadWrite');
  });
  afterEach(async () => {
    await h.close();
  });

  it('creates an extension: 201, id equals extensionName, custom properties echoed', async () => {
    const res = await h.call('POST', '/me/extensions', {
      token,
      body: ext('com.callbridge.speedDials', { dials: '["2001"]', count: 1 }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(res.json, {
      '@odata.context': `${h.root}/$metadata#users('${h.user(0).id}')/extensions/$entity`,
      '@odata.type': '#microsoft.graph.openTypeExtension',
      extensionName: 'com.callbridge.speedDials',
      id: 'com.callbridge.speedDials',
      dials: '["2001"]',
      count: 1,
    });
    const read = await h.call('GET', '/me/extensions/com.callbridge.speedDials', { token });
    assert.equal(read.status, 200);
    assert.equal(read.json.dials, '["2001"]');
    const list = await h.call('GET', `/users/${h.user(0).id}/extensions`, { token });
    assert.deepEqual(
      items(list).map((e) => e.id),
      ['com.callbridge.speedDials'],
    );
  });

  it('answers a second POST of the same name with a conflict', async () => {
    await h.call('POST', '/me/extensions', { token, body: ext('com.callbridge.a') });
    const again = await h.call('POST', '/me/extensions', { token, body: ext('com.callbridge.a') });
    assert.equal(again.status, 409);
    assert.equal(graphError(again).code, 'Request_MultipleObjectsWithSameKeyValue');
  });

  it('PATCH replaces the custom property set (omitted properties disappear, null clears)', async () => {
    await h.call('POST', '/me/extensions', {
      token,
      body: ext('com.callbridge.p', { a: '1', b: '2', c: '3' }),
    });
    const patch = await h.call('PATCH', '/me/extensions/com.callbridge.p', {
      token,
      body: ext('com.callbridge.p', { a: 'one', c: null }),
    });
    assert.equal(patch.status, 204);
    const read = await h.call('GET', '/me/extensions/com.callbridge.p', { token });
    assert.deepEqual(read.json, {
      '@odata.context': `${h.root}/$metadata#users('${h.user(0).id}')/extensions/$entity`,
      '@odata.type': '#microsoft.graph.openTypeExtension',
      extensionName: 'com.callbridge.p',
      id: 'com.callbridge.p',
      a: 'one',
    });
  });

  it('accepts primitives and arrays of primitives, refuses nested objects', async () => {
    const ok = await h.call('POST', '/me/extensions', {
      token,
      body: ext('com.callbridge.ok', { list: ['a', 1, true], flag: false }),
    });
    assert.equal(ok.status, 201);
    const nested = await h.call('POST', '/me/extensions', {
      token,
      body: ext('com.callbridge.bad', { dial: { number: '2001' } }),
    });
    assert.equal(nested.status, 400);
    assert.match(
      graphError(nested).message,
      /'dial' must be a primitive value or a collection of primitive values/,
    );
    const arrayOfObjects = await h.call('POST', '/me/extensions', {
      token,
      body: ext('com.callbridge.bad2', { dials: [{ n: 1 }] }),
    });
    assert.equal(arrayOfObjects.status, 400);
  });

  it('enforces 2 KB per extension including its definition, on create and on update', async () => {
    const name = 'com.callbridge.big';
    // {"@odata.type":"#microsoft.graph.openTypeExtension","extensionName":"com.callbridge.big","v":""} is 90 bytes.
    const overhead = Buffer.byteLength(
      JSON.stringify({ '@odata.type': '#microsoft.graph.openTypeExtension', extensionName: name, v: '' }),
    );
    const fits = await h.call('POST', '/me/extensions', {
      token,
      body: ext(name, { v: 'x'.repeat(2048 - overhead) }),
    });
    assert.equal(fits.status, 201);
    const tooBig = await h.call('PATCH', `/me/extensions/${name}`, {
      token,
      body: ext(name, { v: 'x'.repeat(2049 - overhead) }),
    });
    assert.equal(tooBig.status, 400);
    assert.match(graphError(tooBig).message, /at most 2048 bytes/);
    const multiByte = await h.call('POST', '/me/extensions', {
      token,
      body: ext('com.callbridge.utf8', { v: 'é'.repeat(1000) }),
    });
    assert.equal(multiByte.status, 400, '1000 two-byte characters exceed 2 KB');
  });

  it('allows two extensions per application per user; another app may add its own', async () => {
    assert.equal(
      (await h.call('POST', '/me/extensions', { token, body: ext('com.callbridge.one') })).status,
      201,
    );
    assert.equal(
      (await h.call('POST', '/me/extensions', { token, body: ext('com.callbridge.two') })).status,
      201,
    );
    const third = await h.call('POST', '/me/extensions', { token, body: ext('com.callbridge.three') });
    assert.equal(third.status, 400);
    const otherApp = await h.delegated(h.user(0), 'User.ReadWrite', { appid: OTHER_APP_ID });
    assert.equal(
      (await h.call('POST', '/me/extensions', { token: otherApp, body: ext('com.other.one') })).status,
      201,
    );
    assert.equal((await h.call('DELETE', '/me/extensions/com.callbridge.one', { token })).status, 204);
    assert.equal(
      (await h.call('POST', '/me/extensions', { token, body: ext('com.callbridge.three') })).status,
      201,
    );
  });

  it('deletes with 204 and then 404s with Request_ResourceNotFound', async () => {
    await h.call('POST', '/me/extensions', { token, body: ext('com.callbridge.gone') });
    assert.equal((await h.call('DELETE', '/me/extensions/com.callbridge.gone', { token })).status, 204);
    const res = await h.call('GET', '/me/extensions/com.callbridge.gone', { token });
    assert.equal(res.status, 404);
    assert.equal(graphError(res).code, 'Request_ResourceNotFound');
  });

  it('requires User.ReadWrite to write, and User.ReadWrite.All for other users', async () => {
    const reader = await h.delegated(h.user(0), 'User.Read');
    const denied = await h.call('POST', '/me/extensions', { token: reader, body: ext('com.callbridge.x') });
    assert.equal(denied.status, 403);
    assert.equal(graphError(denied).code, 'Authorization_RequestDenied');
    const otherUser = await h.call('POST', `/users/${h.user(1).id}/extensions`, {
      token,
      body: ext('com.callbridge.x'),
    });
    assert.equal(otherUser.status, 403);
    const app = await h.app(['User.ReadWrite.All']);
    assert.equal(
      (
        await h.call('POST', `/users/${h.user(1).id}/extensions`, {
          token: app,
          body: ext('com.callbridge.x'),
        })
      ).status,
      201,
    );
  });

  it('refuses a body without the openTypeExtension type or a name', async () => {
    assert.equal(
      (await h.call('POST', '/me/extensions', { token, body: { extensionName: 'com.callbridge.x' } })).status,
      400,
    );
    assert.equal(
      (
        await h.call('POST', '/me/extensions', {
          token,
          body: { '@odata.type': 'microsoft.graph.openTypeExtension' },
        })
      ).status,
      400,
    );
    const notJson = await h.call('POST', '/me/extensions', {
      token,
      body: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(notJson.status, 400);
    assert.match(graphError(notJson).message, /^Unable to read JSON request payload/);
  });
});
