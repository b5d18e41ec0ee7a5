import assert from 'node:assert/strict';
import { loadConfig } from '../../../bot/src/config/env.js';
import { callTabDeepLink, callTabUrl } from '../../../bot/src/teams/deep-links.js';

/** TEAMS_APP_ID (Teams Toolkit's name for the manifest id) gives cards a Teams deep link to the Call tab. */

const APP_ID = '11111111-2222-4333-8444-555555555555';

describe('Call tab deep links', () => {
  it('with TEAMS_APP_ID: the Teams entity deep link to the "call" tab', () => {
    const loaded = loadConfig({ TEAMS_APP_ID: APP_ID, BOT_ENDPOINT: 'https://callbridge.example' });
    assert.ok(loaded.ok);
    assert.equal(loaded.value.teams.appId, APP_ID);
    const link = `https://teams.microsoft.com/l/entity/${APP_ID}/call`;
    assert.equal(callTabDeepLink(loaded.value.teams.appId), link);
    assert.equal(callTabUrl(loaded.value), link);
  });

  it('without it (sandbox, or before provisioning): no deep link, and cards open the tab page', () => {
    const loaded = loadConfig({ BOT_ENDPOINT: 'https://callbridge.example' });
    assert.ok(loaded.ok);
    assert.equal(loaded.value.teams.appId, undefined);
    assert.equal(callTabDeepLink(undefined), undefined);
    assert.equal(callTabUrl(loaded.value), 'https://callbridge.example/tab/index.html');
  });

  it('an empty value (a Teams Toolkit placeholder) is unset; anything but a GUID is refused with the variable named', () => {
    const empty = loadConfig({ TEAMS_APP_ID: '' });
    assert.ok(empty.ok);
    assert.equal(empty.value.teams.appId, undefined);
    const bad = loadConfig({ TEAMS_APP_ID: 'callbridge' });
    assert.ok(!bad.ok);
    assert.match(bad.error.message, /TEAMS_APP_ID: must be a GUID/);
  });
});
