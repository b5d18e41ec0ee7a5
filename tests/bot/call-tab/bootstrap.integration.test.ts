import assert from 'node:assert/strict';
import { useCallTabWorld } from './world.js';

/** `GET /api/bootstrap` of the composed service in the sandbox: every section, and degraded answers. */

interface Bootstrap {
  profile: { aadObjectId: string; displayName: string; jobTitle?: string } | null;
  speedDials: { entries: { id: string }[]; version: string } | null;
  presence: Record<string, { availability: string; activity: string }>;
  webex: { linked: boolean } | null;
  sync: unknown;
  problems: { section: string; code: string }[];
}

describe('GET /api/bootstrap (integration)', function () {
  this.timeout(60_000);
  const world = useCallTabWorld();

  afterEach(() => {
    world().sandbox.standIns.graph.faults.clearThrottle();
  });

  async function bootstrap(aadObjectId: string): Promise<Bootstrap> {
    const got = await world().api(aadObjectId, 'GET', '/api/bootstrap');
    assert.equal(got.status, 200, got.text);
    return got.body as Bootstrap;
  }

  it('returns profile, speed dials, their people’s presence and Webex link state in one answer', async () => {
    const [me, colleague] = world().sandbox.org.users.slice(50, 52);
    assert.ok(me !== undefined && colleague !== undefined);
    world().sandbox.standIns.graph.presence.setTeamsClient(colleague.id, 'busy');
    const empty = await bootstrap(me.id);
    const put = await world().api(me.id, 'PUT', '/api/speed-dials', {
      entries: [{ id: 'c', label: colleague.displayName, number: '4100', aadObjectId: colleague.id }],
      base: { version: empty.speedDials?.version, entries: [] },
    });
    assert.equal(put.status, 200, put.text);

    const body = await bootstrap(me.id);
    assert.deepEqual(body.profile, {
      aadObjectId: me.id,
      displayName: me.displayName,
      jobTitle: me.jobTitle,
    });
    assert.deepEqual(
      body.speedDials?.entries.map((e) => e.id),
      ['c'],
    );
    assert.equal(body.presence[colleague.id.toLowerCase()]?.availability, 'Busy');
    assert.deepEqual(body.webex, { linked: false });
    // Presence sync reports its own status; until it is wired the section says so.
    assert.deepEqual(body.problems, [{ section: 'sync', code: 'not_configured' }]);
    assert.equal(body.sync, null);
  });

  it('shows a linked account', async () => {
    const user = world().callingUser();
    await world().linkWebex(user);
    const body = await bootstrap(user.id);
    assert.equal(body.webex?.linked, true);
  });

  it('degrades to problems when Graph throttles the speed dials, keeping the rest', async () => {
    const user = world().sandbox.org.users[53];
    assert.ok(user !== undefined);
    world().sandbox.standIns.graph.faults.throttle('extensions', {
      kind: 'next',
      count: 10,
      retryAfterSeconds: 60,
    });
    const body = await bootstrap(user.id);
    assert.equal(body.speedDials, null);
    assert.ok(body.problems.some((p) => p.section === 'speedDials' && p.code === 'throttled'));
    assert.ok(body.problems.some((p) => p.section === 'presence'));
    assert.equal(body.profile?.aadObjectId, user.id);
    assert.deepEqual(body.webex, { linked: false });
  });

  it('degrades to problems when Graph fails the profile', async () => {
    const user = world().sandbox.org.users[54];
    assert.ok(user !== undefined);
    world().sandbox.standIns.graph.faults.throttle('users', {
      kind: 'next',
      count: 10,
      retryAfterSeconds: 60,
    });
    const body = await bootstrap(user.id);
    assert.equal(body.profile, null);
    assert.ok(body.problems.some((p) => p.section === 'profile' && p.code === 'throttled'));
    assert.notEqual(body.speedDials, null);
  });
});
