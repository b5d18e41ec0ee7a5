import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { SELECTABLE_USER_PROPERTIES } from '../../../sandbox/src/graph/directory.js';
import { items, startHarness, type Harness } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';

/**
 * Checks the stand-in's JSON against Microsoft's OpenAPI description of Graph v1.0 (the subset in
 * ../shared/reference/specs): every property the stand-in emits must exist on the entity type and
 * carry the type the metadata declares. The spec file is not part of the project, so the suite
 * skips (saying why) when ../shared is absent, as in a fresh clone.
 */

const SPEC = resolve(
  import.meta.dirname,
  '../../../../shared/reference/specs/graph-v1.0-subset.openapi.json',
);

type Schema = Record<string, unknown>;

/** OpenAPI 3.0's `nullable` → JSON Schema, as the spec README advises for Ajv. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = node as Schema;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, toJsonSchema(v)]));
  if (nullable !== true) return converted;
  if (typeof converted.type === 'string') return { ...converted, type: [converted.type, 'null'] };
  return { anyOf: [converted, { type: 'null' }] };
}

/** Navigation properties: the subset drops them from entity types, but `$expand` returns them. */
const NAVIGATION = new Set(['extensions', 'sessions', 'segments', 'organizer_v2', 'participants_v2']);

describe('graph stand-in: conformance to the Graph v1.0 OpenAPI description (fidelity)', function () {
  let h: Harness;
  let receiver: Receiver;
  let started = false;
  let schemas: Record<string, Schema>;
  const validators = new Map<string, ValidateFunction>();

  before(async function () {
    if (!existsSync(SPEC)) {
      console.log(
        `  skipped: ${SPEC} is absent (../shared exists only in the team workspace, not in a fresh clone)`,
      );
      this.skip();
    }
    const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as {
      components: { schemas: Record<string, Schema> };
    };
    schemas = spec.components.schemas;
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ $id: 'graph', components: toJsonSchema(spec.components) as Schema });
    for (const name of Object.keys(schemas)) {
      validators.set(name, ajv.compile({ $ref: `graph#/components/schemas/${name}` }));
    }
    h = await startHarness();
    receiver = await startReceiver();
    started = true;
  });
  after(async () => {
    if (!started) return;
    await h.close();
    await receiver.close();
  });

  function conforms(entity: Record<string, unknown>, type: string): void {
    const schema = schemas[type];
    assert.ok(schema !== undefined, `the spec defines ${type}`);
    const known = new Set(Object.keys((schema.properties as Schema | undefined) ?? {}));
    for (const key of Object.keys(entity)) {
      if (key.includes('@odata.') || NAVIGATION.has(key)) continue;
      assert.ok(known.has(key), `${type} has no property '${key}'`);
    }
    const validate = validators.get(type);
    assert.ok(validate !== undefined);
    assert.ok(validate(entity), `${type}: ${JSON.stringify(validate.errors)}`);
  }

  it('users', async () => {
    const token = await h.delegated(h.user(0), 'User.Read.All');
    conforms((await h.call('GET', '/me', { token })).json, 'microsoft.graph.user');
    const all = `$select=${[...SELECTABLE_USER_PROPERTIES].join(',')}`;
    for (const user of items(await h.call('GET', `/users?${all}`, { token })))
      conforms(user, 'microsoft.graph.user');
  });

  it('the error envelope', async () => {
    const missing = await h.call('GET', '/users/nobody@northwind.example', {
      token: await h.app(['User.Read.All']),
    });
    const validate = validators.get('error');
    assert.ok(validate !== undefined);
    assert.ok(validate(missing.json), JSON.stringify(validate.errors));
  });

  it('contacts and open extensions', async () => {
    const token = await h.delegated(h.user(0), 'Contacts.Read User.ReadWrite');
    for (const contact of items(await h.call('GET', '/me/contacts', { token })))
      conforms(contact, 'microsoft.graph.contact');
    const ext = await h.call('POST', '/me/extensions', {
      token,
      body: { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'com.callbridge.spec' },
    });
    conforms(ext.json, 'microsoft.graph.openTypeExtension');
  });

  it('chat and channel members', async () => {
    const token = await h.app(['ChatMember.Read.All', 'ChannelMember.Read.All']);
    const chat = h.org.chats[0];
    assert.ok(chat !== undefined);
    for (const m of items(await h.call('GET', `/chats/${encodeURIComponent(chat.id)}/members`, { token }))) {
      conforms(m, 'microsoft.graph.aadUserConversationMember');
    }
  });

  it('presence', async () => {
    const token = await h.delegated(h.user(0), 'Presence.Read.All');
    h.graph.presence.setTeamsClient(h.user(0).id, 'meeting');
    conforms((await h.call('GET', '/me/presence', { token })).json, 'microsoft.graph.presence');
    const many = await h.call('POST', '/communications/getPresencesByUserId', {
      token,
      body: { ids: [h.user(0).id, h.user(1).id] },
    });
    for (const p of items(many)) conforms(p, 'microsoft.graph.presence');
  });

  it('subscriptions', async () => {
    const token = await h.delegated(h.user(0), 'Presence.Read.All');
    const created = await h.call('POST', '/subscriptions', {
      token,
      body: {
        changeType: 'updated',
        notificationUrl: `${receiver.url}/n`,
        resource: `communications/presences/${h.user(1).id}`,
        expirationDateTime: new Date(h.clock.now() + 30 * 60_000).toISOString(),
      },
    });
    conforms(created.json, 'microsoft.graph.subscription');
  });

  it('call records and sessions', async () => {
    const token = await h.app(['CallRecords.Read.All']);
    const { id } = h.graph.recordCall({
      organizer: h.user(0).id,
      participants: [h.user(1).id],
      startDateTime: h.clock.now() - 60_000,
      endDateTime: h.clock.now(),
    });
    const res = await h.call('GET', `/communications/callRecords/${id}?$expand=sessions($expand=segments)`, {
      token,
    });
    conforms(res.json, 'microsoft.graph.callRecords.callRecord');
    for (const session of res.json.sessions as Record<string, unknown>[])
      conforms(session, 'microsoft.graph.callRecords.session');
  });
});
