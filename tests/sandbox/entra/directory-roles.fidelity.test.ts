import assert from 'node:assert/strict';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
import { ROLE_TEMPLATE_IDS } from '../../../sandbox/src/seed/org.js';
import { ADMIN, ALICE, APP_ID_URI, BOT_APP, SERVICE_APP, claimsOf, org, startTestEntra } from './fixture.js';

/**
 * The `wids` claim (access-token claims reference): the template ids of the user's tenant-wide
 * directory roles, emitted in tokens for an API whose app manifest sets `groupMembershipClaims`
 * to `DirectoryRole` or `All`, and left out for users who hold no role.
 */

const TEAMS_ADMIN = org.users[2]!;
const USER_ADMIN = org.users[3]!;

describe('Entra stand-in: directory role claims (fidelity)', () => {
  let entra: EntraStandIn;

  afterEach(async () => {
    await entra.close();
  });

  it('names each role holder’s roles by template id in v2.0 and v1.0 SSO tokens, and nobody else’s', async () => {
    entra = await startTestEntra();
    const expected = [
      [ADMIN, [ROLE_TEMPLATE_IDS.globalAdministrator]],
      [TEAMS_ADMIN, [ROLE_TEMPLATE_IDS.teamsAdministrator]],
      [USER_ADMIN, [ROLE_TEMPLATE_IDS.userAdministrator]],
      [ALICE, undefined],
    ] as const;
    for (const [user, wids] of expected) {
      for (const version of ['2.0', '1.0'] as const) {
        const claims = claimsOf(await entra.ssoToken(user.id, { version }));
        assert.deepEqual(claims.wids, wids, `${user.displayName} v${version}`);
      }
    }
  });

  it('carries wids in any user token for the API, not only the SSO token', async () => {
    entra = await startTestEntra();
    const claims = claimsOf(
      await entra.mintAccessToken({ clientId: BOT_APP.clientId, resource: APP_ID_URI, userId: ADMIN.id }),
    );
    assert.deepEqual(claims.wids, [ROLE_TEMPLATE_IDS.globalAdministrator]);
  });

  for (const groupMembershipClaims of [undefined, 'None', 'SecurityGroup'] as const) {
    it(`emits no wids when groupMembershipClaims is ${groupMembershipClaims ?? 'not set'}`, async () => {
      const { groupMembershipClaims: _asked, ...rest } = SERVICE_APP;
      const app = groupMembershipClaims === undefined ? rest : { ...rest, groupMembershipClaims };
      entra = await startTestEntra({ apps: [app, BOT_APP] });
      assert.equal(claimsOf(await entra.ssoToken(ADMIN.id)).wids, undefined);
    });
  }

  it('emits wids when the app registration asks for All', async () => {
    entra = await startTestEntra({ apps: [{ ...SERVICE_APP, groupMembershipClaims: 'All' }, BOT_APP] });
    assert.deepEqual(claimsOf(await entra.ssoToken(TEAMS_ADMIN.id)).wids, [
      ROLE_TEMPLATE_IDS.teamsAdministrator,
    ]);
  });
});
