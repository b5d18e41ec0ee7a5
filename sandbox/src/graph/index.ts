import type { DemoOrg } from '../seed/org.js';
import { json, Router, serve, type TlsMaterial } from '../shared/http.js';
import type { VerifyAccessToken } from './auth.js';
import { batchRoutes } from './batch.js';
import { CallRecords } from './call-records.js';
import { systemClock, TrackedClock, type GraphClock } from './clock.js';
import { contactRoutes } from './contacts.js';
import { addCallRecordControlRoutes, addControlRoutes } from './control-routes.js';
import { createControls, type GraphControls } from './controls.js';
import { DeliveryService } from './delivery.js';
import { Directory } from './directory.js';
import { ExtensionStore, extensionRoutes } from './extensions.js';
import { memberRoutes } from './members.js';
import { membershipRoutes } from './memberships.js';
import { presenceRoutes, TeamsClientObservedStore } from './presence.js';
import { GraphPipeline, type GraphLogEvent } from './server.js';
import {
  addServicePrincipalAlternateKey,
  sandboxNotFound,
  servicePrincipalRoutes,
  type TenantGrantsProvider,
} from './service-principals.js';
import { Subscriptions } from './subscriptions.js';
import { Faults } from './throttle.js';
import { userRoutes } from './users.js';

/**
 * The Microsoft Graph stand-in: v1.0 (and `/beta` aliases) for the endpoints CallBridge uses —
 * users, contacts, open extensions, chat and channel members, presence, subscriptions with
 * webhook delivery, call records and JSON batching — answering with Graph's URL shapes, JSON
 * shapes, status codes and error bodies. Controls drive presence, faults and call records.
 */

export interface GraphOptions {
  readonly org: DemoOrg;
  /** Verifies bearer tokens (signature and issuer); the stand-in checks audience, tenant and expiry. */
  readonly verifyAccessToken: VerifyAccessToken;
  /** Serve HTTPS with this key and certificate (plain HTTP when absent). */
  readonly tls?: TlsMaterial;
  readonly port?: number;
  /** Graph time; expiries, presence fades and retry windows read it. Defaults to Date.now. */
  readonly now?: () => number;
  /** Full clock (time + timers), e.g. a fake clock in tests; overrides `now`. */
  readonly clock?: GraphClock;
  /** Shrinks real timer delays (0.001: the 4-hour retry window lasts 14.4 s). Ignored with `clock`. */
  readonly timeScale?: number;
  /** Used for the validation handshake and notification delivery. Defaults to global fetch. */
  readonly fetch?: typeof fetch;
  /** Latency added to every request, for benchmarks. */
  readonly latencyMs?: number;
  /** Notification delivery tuning; the defaults are Graph's documented figures. */
  readonly delivery?: {
    readonly timeoutMs?: number;
    readonly slowThresholdMs?: number;
    readonly retryBaseMs?: number;
    readonly validationTimeoutMs?: number;
  };
  readonly log?: (event: GraphLogEvent) => void;
  /**
   * Call records of Teams calls made in the sandbox (a user's Teams client "In a call", then out
   * of it): `availableAfterMs` delays when they become readable (Graph: usually within 30 minutes,
   * up to 150). Default 0.
   */
  readonly callRecords?: { readonly availableAfterMs?: number };
  /**
   * Tenant-wide consent grants (e.g. the Entra stand-in's `tenantGrants()`), served as service
   * principals, `oauth2PermissionGrants` and `appRoleAssignments`. None when absent.
   */
  readonly grants?: TenantGrantsProvider;
}

export interface GraphStandIn extends GraphControls {
  /** Origin of the stand-in; Graph's service root is `${url}/v1.0`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startGraph(options: GraphOptions): Promise<GraphStandIn> {
  const clock = new TrackedClock(options.clock ?? systemClock(options.now, options.timeScale));
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const directory = new Directory(options.org);
  const faults = new Faults(clock, options.latencyMs ?? 0);
  const delivery = new DeliveryService({
    fetch: fetchImpl,
    clock,
    timeoutMs: options.delivery?.timeoutMs,
    slowThresholdMs: options.delivery?.slowThresholdMs,
    retryBaseMs: options.delivery?.retryBaseMs,
    log: options.log,
  });
  const subscriptions = new Subscriptions({
    clock,
    delivery,
    fetch: fetchImpl,
    tenantId: options.org.tenantId,
    validationTimeoutMs: options.delivery?.validationTimeoutMs,
  });
  const presence = new TeamsClientObservedStore(
    options.org.users.map((u) => u.id),
    clock,
    (userId) => {
      subscriptions.notifyPresence(userId);
    },
    (userId, state) => {
      // callRecords is created below; the Teams client only changes once the stand-in is running.
      callRecords.teamsClientChanged(userId, state);
    },
  );
  const extensions = new ExtensionStore();
  const callRecords = new CallRecords({
    directory,
    clock,
    ...(options.callRecords?.availableAfterMs === undefined
      ? {}
      : { teamsCallAvailableAfterMs: options.callRecords.availableAfterMs }),
    onChange: (record, changeType) => {
      subscriptions.notifyCallRecord(
        record.id,
        record.participants.map((p) => p.id),
        changeType,
      );
    },
  });

  const router = new Router();
  const pipeline = new GraphPipeline(router, {
    tenantId: options.org.tenantId,
    verifyAccessToken: options.verifyAccessToken,
    clock,
    faults,
    scheme: options.tls === undefined ? 'http' : 'https',
    log: options.log,
  });
  pipeline.mount([
    ...userRoutes({ directory, extensions }),
    ...contactRoutes(directory),
    ...extensionRoutes({ directory, extensions }),
    ...memberRoutes(directory),
    ...membershipRoutes(directory),
    ...presenceRoutes({ directory, presence }),
    ...subscriptions.routes(),
    ...callRecords.routes(),
    ...servicePrincipalRoutes({ tenantId: options.org.tenantId, grants: options.grants ?? (() => []) }),
    ...batchRoutes((inner) => pipeline.dispatch(inner)),
  ]);
  const controls = createControls({ directory, presence, subscriptions, delivery, faults, callRecords });
  addControlRoutes(router, controls);
  addCallRecordControlRoutes(router, callRecords);
  // Last: a catch-all for `/servicePrincipals(appId='…')`, which templates cannot express.
  addServicePrincipalAlternateKey(router, pipeline, sandboxNotFound(pipeline));

  const server = await serve(router, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    notFound: (req) =>
      req.path.startsWith('/_sandbox/')
        ? json(404, { error: `no control at ${req.path}` })
        : pipeline.notFound(req),
    onError: (error) => options.log?.({ type: 'error', error }),
  });

  return {
    ...controls,
    url: server.url,
    port: server.port,
    close: async () => {
      clock.cancelAll();
      presence.dispose();
      subscriptions.dispose();
      delivery.dispose();
      await server.close();
    },
  };
}

export type { VerifyAccessToken, Caller } from './auth.js';
export type { GraphClock } from './clock.js';
export type { GraphLogEvent } from './server.js';
export type { RecordCallInput } from './call-records.js';
export type { Family, ThrottleRule } from './throttle.js';
export type { PresenceState, UserPresenceView, SessionView } from './presence-state.js';
export type { TeamsClientState, GraphControls } from './controls.js';
export type { LifecycleEvent } from './subscriptions.js';
export type { GraphTenantGrant, TenantGrantsProvider } from './service-principals.js';
