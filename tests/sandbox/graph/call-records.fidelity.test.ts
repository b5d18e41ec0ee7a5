import assert from 'node:assert/strict';
import { graphError, items, startHarness, type Harness } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';

/**
 * Call records, from "Get callRecord" (basic and `$expand=sessions($expand=segments)` examples,
 * sessions paged at 60 with `sessions@odata.nextLink`, 404 after 30 days), the callRecords API FAQ
 * (application CallRecords.Read.All only) and "Get change notifications for call records"
 * (notification payload).
 */
describe('graph stand-in: call records (fidelity)', () => {
  let h: Harness;
  let token: string;
  const DAY = 24 * 60 * 60_000;
  const record = (sessionCount = 1, extra: Record<string, unknown> = {}): string => {
    const end = h.clock.now();
    return h.graph.recordCall({
      organizer: h.user(0).id,
      participants: [h.user(1).userPrincipalName],
      startDateTime: end - 125_000,
      endDateTime: end,
      sessionCount,
      ...extra,
    }).id;
  };

  beforeEach(async () => {
    h = await startHarness();
    token = await h.app(['CallRecords.Read.All']);
  });
  afterEach(async () => {
    await h.close();
  });

  it('returns the basic callRecord shape', async () => {
    const id = record();
    const res = await h.call('GET', `/communications/callRecords/${id}`, { token });
    assert.equal(res.status, 200);
    assert.equal(res.json['@odata.context'], `${h.root}/$metadata#communications/callRecords/$entity`);
    assert.deepEqual(
      [res.json.version, res.json.type, res.json.modalities, res.json.id, res.json.joinWebUrl],
      [1, 'peerToPeer', ['audio'], id, null],
    );
    assert.match(String(res.json.startDateTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    assert.deepEqual(res.json.organizer_v2, {
      id: h.user(0).id,
      identity: {
        user: { id: h.user(0).id, displayName: h.user(0).displayName, tenantId: h.org.tenantId },
        application: null,
        device: null,
      },
    });
    assert.equal(res.json.sessions, undefined, 'sessions only with $expand');
  });

  it('expands sessions with segments, media and ISO-8601 stream figures', async () => {
    const id = record();
    const res = await h.call('GET', `/communications/callRecords/${id}?$expand=sessions($expand=segments)`, {
      token,
    });
    assert.equal(
      res.json['@odata.context'],
      `${h.root}/$metadata#communications/callRecords(sessions(segments()))/$entity`,
    );
    const sessions = res.json.sessions as Record<string, unknown>[];
    assert.equal(sessions.length, 1);
    const session = sessions[0] ?? {};
    assert.equal(
      (session.caller as Record<string, unknown>)['@odata.type'],
      '#microsoft.graph.callRecords.participantEndpoint',
    );
    assert.equal(
      ((session.caller as Record<string, unknown>).userAgent as Record<string, unknown>)['@odata.type'],
      '#microsoft.graph.callRecords.clientUserAgent',
    );
    const segment = (session.segments as Record<string, unknown>[])[0] ?? {};
    const media = (segment.media as Record<string, unknown>[])[0] ?? {};
    assert.equal(media.label, 'main-audio');
    const streams = media.streams as Record<string, unknown>[];
    assert.deepEqual(
      streams.map((s) => s.streamDirection),
      ['callerToCallee', 'calleeToCaller'],
    );
    for (const s of streams) {
      for (const field of ['averageJitter', 'maxJitter', 'averageRoundTripTime', 'maxRoundTripTime']) {
        assert.match(String(s[field]), /^PT\d+(\.\d+)?S$/, field);
      }
      assert.equal(typeof s.averagePacketLossRate, 'number');
    }
    const again = await h.call(
      'GET',
      `/communications/callRecords/${id}?$expand=sessions($expand=segments)`,
      { token },
    );
    assert.deepEqual(again.json.sessions, res.json.sessions, 'quality figures are stable for a record');
  });

  it('pages sessions 60 at a time through sessions@odata.nextLink', async () => {
    const id = record(130);
    const first = await h.call(
      'GET',
      `/communications/callRecords/${id}?$expand=sessions($expand=segments)`,
      { token },
    );
    const seen = (first.json.sessions as { id: string }[]).map((s) => s.id);
    assert.equal(seen.length, 60);
    let next = first.json['sessions@odata.nextLink'] as string | undefined;
    assert.ok(
      next?.startsWith(`${h.root}/communications/callRecords/${id}/sessions?$expand=segments&$skiptoken=`),
    );
    const sizes: number[] = [];
    while (next !== undefined) {
      const page = await h.call('GET', next.replace(h.root, ''), { token });
      assert.equal(page.status, 200);
      const value = items(page);
      assert.ok(Array.isArray(value[0]?.segments));
      sizes.push(value.length);
      seen.push(...value.map((s) => String(s.id)));
      next = page.json['@odata.nextLink'] as string | undefined;
    }
    assert.deepEqual(sizes, [60, 10]);
    assert.equal(new Set(seen).size, 130);
  });

  it('is application-only, hides unpublished records and forgets them after 30 days', async () => {
    const id = record();
    const delegated = await h.call('GET', `/communications/callRecords/${id}`, {
      token: await h.delegated(h.user(0), 'CallRecords.Read.All'),
    });
    assert.equal(delegated.status, 403);
    const missing = await h.call('GET', '/communications/callRecords/00000000-0000-0000-0000-000000000000', {
      token,
    });
    assert.equal(missing.status, 404);
    assert.equal(graphError(missing).code, 'NotFound');

    const late = record(1, { availableAfterMs: 30 * 60_000 });
    assert.equal((await h.call('GET', `/communications/callRecords/${late}`, { token })).status, 404);
    await h.clock.advance(30 * 60_000);
    token = await h.app(['CallRecords.Read.All']);
    assert.equal((await h.call('GET', `/communications/callRecords/${late}`, { token })).status, 200);

    await h.clock.advance(30 * DAY);
    token = await h.app(['CallRecords.Read.All']);
    assert.equal((await h.call('GET', `/communications/callRecords/${id}`, { token })).status, 404);
  });

  describe('notifications', () => {
    let receiver: Receiver;

    beforeEach(async () => {
      receiver = await startReceiver();
    });
    afterEach(async () => {
      await receiver.close();
    });

    it('notifies callRecords subscriptions when a call is recorded and when it is revised', async () => {
      const sub = await h.call('POST', '/subscriptions', {
        token,
        body: {
          changeType: 'created,updated',
          notificationUrl: `${receiver.url}/calls`,
          resource: `/communications/callRecords?$filter=participants/any(p:p/id eq '${h.user(1).id}')`,
          expirationDateTime: new Date(h.clock.now() + DAY).toISOString(),
          clientState: 'calls',
        },
      });
      assert.equal(sub.status, 201, sub.text);
      const id = record();
      h.graph.recordCall({
        organizer: h.user(7).id,
        participants: [h.user(8).id],
        startDateTime: 0,
        endDateTime: 1000,
      });
      await h.graph.delivery.idle();
      const [post] = await receiver.waitForNotifications(1);
      assert.deepEqual(post?.value, [
        {
          subscriptionId: sub.json.id,
          subscriptionExpirationDateTime: sub.json.expirationDateTime,
          changeType: 'created',
          resource: `communications/callRecords/${id}`,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.callrecord',
            '@odata.id': `communications/callRecords/${id}`,
            id,
          },
          clientState: 'calls',
          tenantId: h.org.tenantId,
        },
      ]);
      assert.equal(h.graph.reviseCallRecord(id), true);
      await h.graph.delivery.idle();
      const posts = await receiver.waitForNotifications(2);
      assert.equal(posts.length, 2, 'the call without user 1 was filtered out');
      assert.equal(posts[1]?.value[0]?.changeType, 'updated');
      const fresh = await h.call('GET', `/communications/callRecords/${id}`, { token });
      assert.equal(fresh.json.version, 2);
    });
  });
});
