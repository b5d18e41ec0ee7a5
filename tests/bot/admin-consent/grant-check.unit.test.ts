import assert from 'node:assert/strict';
import { appRolesOf, delegatedScopesOf } from '../../../bot/src/admin-consent/grant-check.js';

const jwt = (claims: Record<string, unknown>): string =>
  `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('admin consent: reading what Entra granted', () => {
  it("reads the app-only token's roles claim: sorted, none without the claim, undefined when unreadable", () => {
    assert.deepEqual(appRolesOf(jwt({ roles: ['Presence.ReadWrite.All', 'Calls.Initiate.All'] })), [
      'Calls.Initiate.All',
      'Presence.ReadWrite.All',
    ]);
    assert.deepEqual(appRolesOf(jwt({ aud: 'https://graph.microsoft.com' })), []);
    assert.equal(appRolesOf(jwt({ roles: 'Presence.ReadWrite.All' })), undefined);
    assert.equal(appRolesOf(jwt({ roles: [1] })), undefined);
    assert.equal(appRolesOf('not-a-jwt'), undefined);
  });

  it("takes Graph's delegated permissions from the redirect scope, leaving out roles and other resources", () => {
    const scope = [
      'https://graph.microsoft.com/User.Read',
      '00000003-0000-0000-c000-000000000000/Contacts.Read',
      'https://graph.microsoft.com/User.Read.All',
      'https://graph.microsoft.com/Presence.ReadWrite.All',
      'https://graph.microsoft.com/.default',
      'api://other/Files.Read',
      'offline_access',
      '',
    ].join(' ');
    assert.deepEqual(delegatedScopesOf(scope, ['Presence.ReadWrite.All']), [
      'Contacts.Read',
      'User.Read',
      'User.Read.All',
      'offline_access',
    ]);
    // A name CallBridge needs delegated stays, even when the token also holds it as a role.
    assert.deepEqual(delegatedScopesOf('https://graph.microsoft.com/User.Read.All', ['User.Read.All']), [
      'User.Read.All',
    ]);
    assert.deepEqual(delegatedScopesOf(null, []), []);
  });
});
