import assert from 'node:assert/strict';
import type { CallRecordSummary } from '../../../sandbox/src/graph/call-records.js';
import { startHarness, type Harness } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';

/**
 * Call records fed by Teams calls made in the sandbox: a user's own Teams client "In a call"
 * (Busy/InACall) and then out of it is one peer-to-peer Teams call, read back through
 * "Get callRecord" (basic and `$expand=sessions($expand=segments)`) and announced to callRecords
 * subscriptions ("Get change notifications for call records"). Records appear after the
 * configured delay (Graph: usually within 30 minutes), 404 before it.
 */
describe('graph stand-in: call records from sandbox Teams calls (fidelity)', () => {
  const MINUTE = 60_000;
  const DAY = 24 * 60 * MINUTE;
  let h: Harness;
  let receiver: Receiver;

  const appToken = (): Promise<string> => h.app(['CallRecords.Read.All']);
  /** The console's list (`GET /_sandbox/graph/users/{id}/call-records`). */
  const recordsOf = async (user: string): Promise<CallRecordSummary[]> => {
    const res = await h.call('GET', `/_sandbox/graph/users/${user}/call-records`);
    assert.equal(res.status, 200, res.text);
    return JSON.parse(res.text) as CallRecordSummary[];
  };
  const subscribe = async (): Promise<Record<string, unknown>> => {
    const sub = await h.call('POST', '/subscriptions', {
      token: await appToken(),
      body: {
        changeType: 'created',
        notificationUrl: `${receiver.url}/calls`,
        resource: '/communications/callRecords',
        expirationDateTime: new Date(h.clock.now() + DAY).toISOString(),
        clientState: 'teams-calls',
      },
    });
    assert.equal(sub.status, 201, sub.text);
    return sub.json;
  };
  /** Puts user 0 in a Teams call for three minutes; returns the call's start and end times. */
  const threeMinuteCall = async (): Promise<{ start: number; end: number }> => {
    const start = h.clock.now();
    h.graph.presence.setTeamsClient(h.user(0).id, 'call');
    await h.clock.advance(3 * MINUTE);
    h.graph.presence.setTeamsClient(h.user(0).id, 'available');
    return { start, end: h.clock.now() };
  };

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  describe('available at once (default)', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    it('records a three-minute Teams call as a peer-to-peer callRecord', async () => {
      const sub = await subscribe();
      const { start, end } = await threeMinuteCall();
      const [summary] = await recordsOf(h.user(0).id);
      assert.ok(summary !== undefined, 'one record for the organizer');
      const id = summary.id;

      const res = await h.call('GET', `/communications/callRecords/${id}`, { token: await appToken() });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json['@odata.context'], `${h.root}/$metadata#communications/callRecords/$entity`);
      assert.deepEqual(
        [res.json.version, res.json.type, res.json.modalities, res.json.id, res.json.joinWebUrl],
        [1, 'peerToPeer', ['audio'], id, null],
      );
      assert.equal(new Date(String(res.json.startDateTime)).getTime(), start);
      assert.equal(new Date(String(res.json.endDateTime)).getTime(), end);
      assert.equal(end - start, 3 * MINUTE);
      assert.match(String(res.json.endDateTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
      const identity = (i: number): Record<string, unknown> => ({
        user: { id: h.user(i).id, displayName: h.user(i).displayName, tenantId: h.org.tenantId },
        application: null,
        device: null,
      });
      assert.deepEqual(res.json.organizer, identity(0));
      assert.deepEqual(res.json.organizer_v2, { id: h.user(0).id, identity: identity(0) });
      // The other party is the next demo user, so the same call always has the same participants.
      assert.deepEqual(res.json.participants, [identity(0), identity(1)]);
      assert.equal(res.json.sessions, undefined, 'sessions only with $expand');

      // The second party sees the call too.
      assert.deepEqual(
        (await recordsOf(h.user(1).userPrincipalName)).map((r) => r.id),
        [id],
      );

      await h.graph.delivery.idle();
      const [post] = await receiver.waitForNotifications(1);
      assert.deepEqual(post?.value, [
        {
          subscriptionId: sub.id,
          subscriptionExpirationDateTime: sub.expirationDateTime,
          changeType: 'created',
          resource: `communications/callRecords/${id}`,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.callrecord',
            '@odata.id': `communications/callRecords/${id}`,
            id,
          },
          clientState: 'teams-calls',
          tenantId: h.org.tenantId,
        },
      ]);
    });

    it('expands the one session and its one segment over the call', async () => {
      const { start, end } = await threeMinuteCall();
      const [summary] = await recordsOf(h.user(0).id);
      const id = summary?.id ?? '';
      const res = await h.call(
        'GET',
        `/communications/callRecords/${id}?$expand=sessions($expand=segments)`,
        {
          token: await appToken(),
        },
      );
      assert.equal(res.status, 200, res.text);
      assert.equal(
        res.json['@odata.context'],
        `${h.root}/$metadata#communications/callRecords(sessions(segments()))/$entity`,
      );
      assert.equal(res.json['sessions@odata.nextLink'], undefined);
      const sessions = res.json.sessions as Record<string, unknown>[];
      assert.equal(sessions.length, 1);
      const session = sessions[0] ?? {};
      assert.deepEqual(session.modalities, ['audio']);
      const segments = session.segments as Record<string, unknown>[];
      assert.equal(segments.length, 1);
      const segment = segments[0] ?? {};
      for (const part of [session, segment]) {
        assert.equal(new Date(String(part.startDateTime)).getTime(), start);
        assert.equal(new Date(String(part.endDateTime)).getTime(), end);
      }
      const who = (endpoint: unknown): unknown =>
        ((endpoint as Record<string, unknown>).associatedIdentity as Record<string, unknown>).id;
      assert.deepEqual([who(segment.caller), who(segment.callee)], [h.user(0).id, h.user(1).id]);
      const media = (segment.media as Record<string, unknown>[])[0] ?? {};
      assert.equal(media.label, 'main-audio');
      assert.equal((media.streams as unknown[]).length, 2);
    });

    it('records one call per InACall interval, whichever way it ends', async () => {
      const user = h.user(3).id;
      h.graph.presence.setTeamsClient(user, 'call');
      await h.clock.advance(MINUTE);
      h.graph.presence.setTeamsClient(user, 'call'); // "In a call" again: the same call goes on
      await h.clock.advance(MINUTE);
      h.graph.presence.setTeamsClient(user, 'meeting'); // another state ends it
      h.graph.presence.setTeamsClient(user, 'call');
      await h.clock.advance(30_000);
      h.graph.presence.setTeamsClient(user, 'signedOut'); // so does signing out
      h.graph.presence.setTeamsClient(user, 'available');
      const records = await recordsOf(user);
      assert.deepEqual(
        records.map((r) => r.durationSeconds),
        [30, 120],
        'newest first',
      );
    });

    it('records nothing for a user who was never in a call', async () => {
      await subscribe();
      h.graph.presence.setTeamsClient(h.user(2).id, 'meeting');
      await h.clock.advance(3 * MINUTE);
      h.graph.presence.setTeamsClient(h.user(2).id, 'available');
      h.graph.presence.setTeamsClient(h.user(2).id, 'signedOut');
      assert.deepEqual(await recordsOf(h.user(2).id), []);
      await h.graph.delivery.idle();
      assert.equal(receiver.notifications.length, 0);

      // A call still going on has no record yet either.
      h.graph.presence.setTeamsClient(h.user(2).id, 'call');
      await h.clock.advance(3 * MINUTE);
      assert.deepEqual(await recordsOf(h.user(2).id), []);
    });

    it('answers 404 for the console list of an unknown user', async () => {
      const res = await h.call('GET', '/_sandbox/graph/users/nobody@nowhere.example/call-records');
      assert.equal(res.status, 404);
    });
  });

  describe('with availableAfterMs', () => {
    beforeEach(async () => {
      h = await startHarness({ callRecords: { availableAfterMs: 30 * MINUTE } });
    });

    it('404s until the record is published, then notifies and answers 200', async () => {
      await subscribe();
      await threeMinuteCall();
      const [summary] = await recordsOf(h.user(0).id);
      assert.ok(summary !== undefined);
      assert.equal(summary.available, false);
      const id = summary.id;

      const early = await h.call('GET', `/communications/callRecords/${id}`, { token: await appToken() });
      assert.equal(early.status, 404);
      assert.equal((early.json.error as { code: string }).code, 'NotFound');
      await h.clock.advance(29 * MINUTE);
      assert.equal(
        (await h.call('GET', `/communications/callRecords/${id}`, { token: await appToken() })).status,
        404,
      );
      await h.graph.delivery.idle();
      assert.equal(receiver.notifications.length, 0, 'no notification for a record that still 404s');

      await h.clock.advance(MINUTE);
      const late = await h.call('GET', `/communications/callRecords/${id}`, { token: await appToken() });
      assert.equal(late.status, 200, late.text);
      assert.equal(late.json.id, id);
      await h.graph.delivery.idle();
      const [post] = await receiver.waitForNotifications(1);
      const [notification] = post?.value ?? [];
      assert.equal(notification?.changeType, 'created');
      assert.equal(notification.resource, `communications/callRecords/${id}`);
      assert.equal((await recordsOf(h.user(0).id))[0]?.available, true);
    });
  });
});
