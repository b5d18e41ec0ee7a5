import assert from 'node:assert/strict';
import { createSubscriptionApi } from '../../../../bot/src/presence-sync/graph/subscriptions-api.js';
import { ok } from '../../../../bot/src/shared/result.js';
import { captureLogs } from '../../../support/log-capture.js';

/** Graph's error messages can echo the request; the failure log must keep to codes and ids. */
describe('Graph subscriptions API: failure logs', () => {
  it('logs a refused create by Graph code and request id, never by Graph’s message', async () => {
    const { logger, lines } = captureLogs();
    const echoed = 'Ada Lovelace +44 20 7946 0018 https://callbridge.example/api/notifications/graph?x=1';
    const api = createSubscriptionApi({
      graphTokens: {
        getAccessToken: () => Promise.resolve(ok({ token: 'at-secret', expiresAt: Date.now() + 3_600_000 })),
      },
      baseUrl: 'https://graph.test/v1.0',
      logger,
      fetch: () =>
        Promise.resolve(
          Response.json(
            {
              error: {
                code: 'InvalidRequest',
                message: echoed,
                innerError: { 'request-id': 'req-1' },
              },
            },
            { status: 400 },
          ),
        ),
    });

    const created = await api.create('user-1', {
      resource: "/communications/presences?$filter=id in ('a')",
      notificationUrl: 'https://callbridge.example/api/notifications/graph',
      lifecycleNotificationUrl: 'https://callbridge.example/api/notifications/graph/lifecycle',
      clientState: 'client-state-secret',
      expiresAt: Date.now() + 3_600_000,
    });

    assert.deepEqual(created, {
      ok: false,
      error: { code: 'failed', status: 400, graphCode: 'InvalidRequest' },
    });
    const failure = lines().find((l) => l.includes('graph subscription call failed'));
    assert.ok(failure, 'the failure is logged');
    assert.match(failure, /"graphCode":"InvalidRequest"/);
    assert.match(failure, /"requestId":"req-1"/);
    const all = lines().join('\n');
    for (const leaked of ['Ada Lovelace', '7946', 'callbridge.example', 'at-secret', 'client-state-secret'])
      assert.ok(!all.includes(leaked), `logs do not carry ${leaked}`);
  });
});
