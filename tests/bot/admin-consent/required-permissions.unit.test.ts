import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  MICROSOFT_GRAPH_APP_ID,
  missingPermissions,
  REQUIRED_GRAPH_PERMISSIONS,
} from '../../../bot/src/admin-consent/required-permissions.js';

interface AadManifest {
  requiredResourceAccess: {
    resourceAppId: string;
    resourceAccess: { id: string; type: 'Scope' | 'Role' }[];
  }[];
}

describe('admin consent: required permissions', () => {
  it('mirror the Microsoft Graph permissions infra/aad.manifest.json requests (ids and types)', async () => {
    const manifest = JSON.parse(await readFile('infra/aad.manifest.json', 'utf8')) as AadManifest;
    const graph = manifest.requiredResourceAccess.find((r) => r.resourceAppId === MICROSOFT_GRAPH_APP_ID);
    assert.ok(graph, 'the manifest requests Microsoft Graph permissions');
    const key = (p: { id: string; type: string }): string => `${p.type}:${p.id.toLowerCase()}`;
    assert.deepEqual(REQUIRED_GRAPH_PERMISSIONS.map(key).sort(), graph.resourceAccess.map(key).sort());
    assert.equal(manifest.requiredResourceAccess.length, 1, 'only Microsoft Graph is requested');
  });

  it('lists what is missing in manifest order, ignoring case and sign-in scopes', () => {
    assert.deepEqual(
      missingPermissions({
        scopes: [
          'user.read',
          'User.ReadWrite',
          'User.Read.All',
          'Contacts.Read',
          'Presence.Read.All',
          'Chat.ReadBasic',
        ],
        roles: [],
      }),
      ['ChannelMember.Read.All', 'Presence.ReadWrite.All'],
    );
  });
});
