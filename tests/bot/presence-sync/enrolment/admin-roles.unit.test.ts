import assert from 'node:assert/strict';
import { holdsAdminRole } from '../../../../bot/src/presence-sync/enrolment/admin-directory.js';

/** Which directory role template ids (the SSO token's `wids`) let a caller manage sync for others. */
describe('presence sync admin roles', function () {
  const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
  const TEAMS_ADMIN = '69091246-20e8-4a56-aa4d-066075b2a7a8';
  const TEAMS_COMMUNICATIONS_ADMIN = 'baf37b3a-610e-45da-9e62-d9d1e5e8914b';
  const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
  /** Every member user's implicit "User" role. */
  const USER = 'b79fbf4d-3ef9-4689-8143-76b194e85509';

  it('admits Global, Teams and Teams Communications Administrators, alone or among other roles', function () {
    for (const role of [GLOBAL_ADMIN, TEAMS_ADMIN, TEAMS_COMMUNICATIONS_ADMIN]) {
      assert.equal(holdsAdminRole({ wids: [role] }), true, role);
      assert.equal(holdsAdminRole({ wids: [USER, USER_ADMIN, role] }), true, role);
    }
    assert.equal(holdsAdminRole({ wids: [TEAMS_ADMIN.toUpperCase()] }), true, 'GUIDs compare case-blind');
  });

  it('refuses other roles, no roles, and a token without the claim', function () {
    assert.equal(holdsAdminRole({ wids: [USER, USER_ADMIN] }), false);
    assert.equal(holdsAdminRole({ wids: [] }), false);
    assert.equal(holdsAdminRole({}), false);
  });
});
