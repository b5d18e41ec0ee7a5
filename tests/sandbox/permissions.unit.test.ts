import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  CALLBRIDGE_GRAPH_PERMISSIONS,
  CALLBRIDGE_GROUP_MEMBERSHIP_CLAIMS,
  TAB_AUTH_REDIRECT_PATHS,
} from '../../sandbox/src/launch.js';

/** Microsoft Graph permission ids (docs/decisions/permissions.md gives the source of each). */
const GRAPH_PERMISSION_NAMES: Readonly<Record<string, string>> = {
  '7427e0e9-2fba-42fe-b0c0-848c9e6a8182': 'offline_access',
  'e1fe6dd8-ba31-4d61-89e7-88639da4683d': 'User.Read',
  'b4e74841-8e56-480b-be8b-910348b18b4c': 'User.ReadWrite',
  'a154be20-db9c-4678-8ab7-66f6cc099a59': 'User.Read.All',
  'ff74d97f-43af-4b68-9f2a-b77ee6968c5d': 'Contacts.Read',
  '9c7a330d-35b3-4aa1-963d-cb2b9f927841': 'Presence.Read.All',
  '2eadaff8-0bce-4198-a6b9-2cfc35a30075': 'ChannelMember.Read.All',
  '9547fcb5-d03f-419d-9948-5928bbf71b0f': 'Chat.ReadBasic',
  '83cded22-8297-4ff6-a7fa-e97e9545a259': 'Presence.ReadWrite.All',
};

interface AadManifest {
  groupMembershipClaims?: string;
  web: { redirectUris: string[] };
  requiredResourceAccess: {
    resourceAppId: string;
    resourceAccess: { id: string; type: 'Scope' | 'Role' }[];
  }[];
}

describe('sandbox app registration', () => {
  it('grants exactly the Graph permissions infra/aad.manifest.json requests', async () => {
    const manifest = JSON.parse(await readFile('infra/aad.manifest.json', 'utf8')) as AadManifest;
    const graph = manifest.requiredResourceAccess.find(
      (r) => r.resourceAppId === '00000003-0000-0000-c000-000000000000',
    );
    assert.ok(graph, 'the manifest requests Microsoft Graph permissions');
    const names = (type: 'Scope' | 'Role') =>
      graph.resourceAccess
        .filter((a) => a.type === type)
        .map((a) => GRAPH_PERMISSION_NAMES[a.id] ?? `unknown id ${a.id}`)
        .sort();
    assert.deepEqual(names('Scope'), [...CALLBRIDGE_GRAPH_PERMISSIONS.scopes].sort());
    assert.deepEqual(names('Role'), [...CALLBRIDGE_GRAPH_PERMISSIONS.roles].sort());
  });

  it('registers the same Entra redirect paths as infra/aad.manifest.json', async () => {
    const manifest = JSON.parse(await readFile('infra/aad.manifest.json', 'utf8')) as AadManifest;
    const paths = manifest.web.redirectUris.map((u) => u.replace('${{BOT_ENDPOINT}}', '')).sort();
    assert.deepEqual(paths, [...TAB_AUTH_REDIRECT_PATHS].sort());
  });

  it('asks for the same directory role claims (wids) as infra/aad.manifest.json', async () => {
    const manifest = JSON.parse(await readFile('infra/aad.manifest.json', 'utf8')) as AadManifest;
    assert.equal(manifest.groupMembershipClaims, 'DirectoryRole');
    assert.equal(CALLBRIDGE_GROUP_MEMBERSHIP_CLAIMS, manifest.groupMembershipClaims);
  });
});
