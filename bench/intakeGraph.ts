import { newClientState } from '../bot/src/presence-sync/graph/client-state.js';
import {
  createGraphPresenceSubscriptions,
  GRAPH_NOTIFICATIONS_PATH,
} from '../bot/src/presence-sync/graph/index.js';
import { resourceSummary } from '../bot/src/presence-sync/graph/upkeep.js';
import { GRAPH_SUBSCRIPTION_MAX_MEMBERS } from '../bot/src/store/store.js';
import { graphPresenceNotificationsRef } from './intakeRequests.js';
import {
  BENCH_PUBLIC_BASE_URL,
  BENCH_TENANT,
  inParallel,
  noUpstream,
  type NotificationRouteUnderTest,
} from './intakeShared.js';

/**
 * `POST /api/notifications/graph` as `createGraphPresenceSubscriptions` builds it: per request
 * the subscription row is read, the clientState compared with its stored hash, the user looked up
 * by Entra object id, then the notification is stored and acknowledged. The seeded users are
 * split into full subscriptions (650 each), as the upkeep would.
 */
export const graphRouteUnderTest: NotificationRouteUnderTest = {
  label: `Graph POST ${GRAPH_NOTIFICATIONS_PATH}`,
  path: GRAPH_NOTIFICATIONS_PATH,
  everyAckStored: false,
  async seed(store, _vault, users) {
    const groups = Array.from({ length: Math.ceil(users.length / GRAPH_SUBSCRIPTION_MAX_MEMBERS) }, (_, s) =>
      users.slice(s * GRAPH_SUBSCRIPTION_MAX_MEMBERS, (s + 1) * GRAPH_SUBSCRIPTION_MAX_MEMBERS),
    );
    // As the upkeep stores a subscription: the clientState's hash and a bounded resource summary.
    const subscriptions = await inParallel(groups, async (members, s) => {
      const owner = members[0];
      if (owner === undefined) throw new Error('no users to own a subscription');
      const clientState = newClientState();
      const created = await store.graphSubscriptions.create({
        id: `00000000-0000-4000-a000-${s.toString(16).padStart(12, '0')}`,
        tenantId: BENCH_TENANT,
        ownerUserId: owner.id,
        resource: resourceSummary(members.length),
        memberUserIds: members.map((m) => m.id),
        clientStateHash: clientState.hash,
        expiresAt: Date.now() + 55 * 60_000,
      });
      if (!created.ok) throw new Error(`seeding a Graph subscription failed: ${created.error.code}`);
      return {
        subscriptionId: created.value.id,
        clientState: clientState.value,
        aadObjectIds: members.map((m) => m.aadObjectId),
      };
    });
    return graphPresenceNotificationsRef({ tenantId: BENCH_TENANT, subscriptions });
  },
  build({ store, intake, logger }) {
    const graph = createGraphPresenceSubscriptions({
      store,
      intake,
      graphTokens: { getAccessToken: noUpstream },
      graphBaseUrl: 'https://127.0.0.1:9',
      publicBaseUrl: BENCH_PUBLIC_BASE_URL,
      logger,
      onMissed: () => Promise.resolve(),
      // No upkeep pass: nothing here enrols users, and the bench makes no Graph calls.
      kickDelayMs: null,
    });
    return {
      routes: graph.routes,
      close: () => {
        graph.close();
      },
    };
  },
};
