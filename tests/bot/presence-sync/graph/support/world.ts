import { fileURLToPath } from 'node:url';
import type { GraphTokenService } from '../../../../../bot/src/auth/obo/graph-token-service.js';
import type { Route } from '../../../../../bot/src/http/route.js';
import { createHttpServer } from '../../../../../bot/src/http/server.js';
import { createMetrics } from '../../../../../bot/src/observability/metrics.js';
import {
  createGraphPresenceSubscriptions,
  type GraphPresenceSubscriptions,
  type GraphPresenceSubscriptionsDeps,
} from '../../../../../bot/src/presence-sync/graph/index.js';
import { parseInboxEvent, type InboxEvent } from '../../../../../bot/src/presence-sync/inbox-events.js';
import { createNotificationIntake } from '../../../../../bot/src/presence-sync/intake/intake.js';
import type { User } from '../../../../../bot/src/store/store.js';
import { presencePut } from '../../../../support/presence-rows.js';
import { startGraph, type GraphLogEvent, type GraphStandIn } from '../../../../../sandbox/src/graph/index.js';
import { loadSandboxTls } from '../../../../../sandbox/src/tls/index.js';
import { startHarness, type Harness } from '../../../auth/obo/harness.js';

/**
 * Graph presence subscriptions against the real stand-ins: the Identity harness (Entra over
 * HTTPS, SQLite store, vault, token service, one fake clock) plus the Graph stand-in on the same
 * clock, and our notification routes on a real HTTP server that Graph validates and posts to.
 */

const TLS_DIR = fileURLToPath(new URL('../../../../../.data/sandbox-tls', import.meta.url));

export interface World {
  readonly h: Harness;
  readonly graph: GraphStandIn;
  readonly tokens: GraphTokenService;
  readonly subscriptions: GraphPresenceSubscriptions;
  /** Where our routes listen. */
  readonly baseUrl: string;
  /** Every request the Graph stand-in served. */
  readonly graphLog: GraphLogEvent[];
  /** Bodies of the notification POSTs Graph made (change and lifecycle), in order. */
  readonly posted: string[];
  /** `onMissed` calls, in order. */
  readonly missed: (readonly string[])[];
  /** Makes the inbox write fail (the routes must answer 5xx). */
  failStore(on: boolean): void;
  /** Creates the user and signs them in (on-behalf-of): they can own subscriptions. */
  signIn(aadObjectId: string): Promise<User>;
  /** Turns presence sync on for the user (no sign-in needed to be watched). */
  enable(user: User): Promise<void>;
  /** Leases and completes every due inbox row; returns their events. */
  drainInbox(): Promise<InboxEvent[]>;
  /** The subscriptions Graph has now (the stand-in's view). */
  remote(): { id: string; creatorId: string; resource: string; expirationDateTime: string }[];
  close(): Promise<void>;
}

export async function startWorld(
  options: Partial<Pick<GraphPresenceSubscriptionsDeps, 'maxMembers' | 'coalesceWindowMs'>> = {},
): Promise<World> {
  const h = await startHarness();
  const tls = await loadSandboxTls(TLS_DIR);
  const graphLog: GraphLogEvent[] = [];
  const posted: string[] = [];
  const graph = await startGraph({
    fetch: (input, init) => {
      if (typeof init?.body === 'string' && init.body !== '') posted.push(init.body);
      return fetch(input, init);
    },
    org: h.org,
    verifyAccessToken: (token) => h.entra.verifyToken(token),
    tls: { key: tls.key, cert: tls.cert },
    now: h.now,
    log: (event) => graphLog.push(event),
  });
  const tokens = h.service();
  let failing = false;
  const working = createNotificationIntake({ store: h.store, logger: h.logger });
  const broken = createNotificationIntake({
    store: { inbox: { ...h.store.inbox, enqueueMany: () => Promise.reject(new Error('disk full')) } },
    logger: h.logger,
  });
  const missed: (readonly string[])[] = [];

  // The routes need the factory and the factory needs the port: the server forwards to them.
  const built: { value?: GraphPresenceSubscriptions } = {};
  const forward = (path: string): Route => ({
    method: 'post',
    path,
    body: 'raw',
    handler: async (req, res) => {
      const route = built.value?.routes.find((r) => r.path === path);
      if (route === undefined) throw new Error(`no route ${path}`);
      await route.handler(req, res);
    },
  });
  const server = createHttpServer({
    logger: h.logger,
    metrics: createMetrics({ collectDefaults: false }),
    routes: [forward('/api/notifications/graph'), forward('/api/notifications/graph/lifecycle')],
  });
  const port = await server.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${String(port)}`;
  const subscriptions = createGraphPresenceSubscriptions({
    store: h.store,
    intake: { accept: (items) => (failing ? broken : working).accept(items) },
    graphTokens: tokens,
    graphBaseUrl: graph.url,
    publicBaseUrl: baseUrl,
    logger: h.logger,
    onMissed: (userIds) => {
      missed.push(userIds);
      return Promise.resolve();
    },
    now: h.now,
    kickDelayMs: null,
    ...options,
  });
  built.value = subscriptions;

  return {
    h,
    graph,
    tokens,
    subscriptions,
    baseUrl,
    graphLog,
    posted,
    missed,
    failStore: (on) => {
      failing = on;
    },
    async signIn(aadObjectId) {
      const user = await h.enrolUser(aadObjectId);
      const enrolled = await tokens.exchange(await h.sso(aadObjectId), user);
      if (!enrolled.ok) throw new Error(`sign-in failed: ${enrolled.error.code}`);
      const active = await h.store.users.get(user.id);
      if (active === undefined) throw new Error('user vanished');
      return active;
    },
    async enable(user) {
      const current = await h.store.presence.get(user.id);
      const put = await h.store.presence.upsert(
        presencePut(user.id, { expectedVersion: current?.version ?? null }),
      );
      if (!put.ok) throw new Error(`enable failed: ${put.error.code}`);
    },
    async drainInbox() {
      const events: InboxEvent[] = [];
      for (;;) {
        const claimed = await h.store.inbox.claim({ owner: 'test', limit: 1000, leaseMs: 60_000 });
        if (claimed.length === 0) return events;
        for (const item of claimed) {
          const event = parseInboxEvent(item.payload);
          if (event === undefined) throw new Error(`unparseable inbox row ${String(item.id)}`);
          events.push(event);
          await h.store.inbox.complete(item.id, 'test');
        }
      }
    },
    remote: () =>
      graph.subscriptions.list().map((s) => ({
        id: String(s.id),
        creatorId: String(s.creatorId),
        resource: String(s.resource),
        expirationDateTime: String(s.expirationDateTime),
      })),
    async close() {
      subscriptions.close();
      await server.close(1000);
      await graph.close();
      await h.close();
    },
  };
}

/** The Entra object ids a subscription at Graph watches (from its resource filter), sorted. */
export function watchedAt(world: World, subscriptionId: string): string[] {
  const resource = world.remote().find((r) => r.id === subscriptionId)?.resource ?? '';
  return (resource.match(/[0-9a-f]{8}-[0-9a-f-]{27}/g) ?? []).sort();
}
