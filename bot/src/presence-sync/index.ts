import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { EntraTokenClient } from '../auth/obo/entra-token-client.js';
import type { GraphTokenService } from '../auth/obo/graph-token-service.js';
import type { SsoValidator } from '../auth/sso-validator.js';
import type { TokenVault } from '../auth/token-vault.js';
import type { Config } from '../config/env.js';
import type { Route } from '../http/route.js';
import type { GraphClient } from '../integrations/graph/graph.client.js';
import type { HttpPolicy } from '../integrations/http-policy.js';
import type { UserNotifier } from '../notifications/user-notifier.js';
import type { Logger } from '../observability/logger.js';
import type { Result } from '../shared/result.js';
import type { Store } from '../store/store.js';
import type { WebexTokenService } from '../webex-link/token-service.js';
import type { DaemonSpec } from '../workers/daemon.js';
import { createAppTokenSource, createGraphPresencePort, createWebexRestPorts } from './engine/adapters.js';
import { createPresenceEngine, type EngineConfig, type PresenceEngine } from './engine/index.js';
import type { WebexStatusPort } from './engine/ports.js';
import { requestRecheck } from './engine/sweeps.js';
import { graphAdminDirectory, createPresenceEnrolment, type PresenceEnrolment } from './enrolment/index.js';
import { createGraphPresenceSubscriptions, type GraphPresenceSubscriptions } from './graph/index.js';
import { createNotificationIntake } from './intake/intake.js';
import { createWebexCallWebhooks, type WebexCallWebhooks } from './webex/index.js';

/**
 * Presence sync, composed: the notification intake, Graph presence subscriptions, Webex call
 * webhooks, enrolment, and the engine (inbox processor, keep-alive, reconciliation). The
 * composition root calls this once when Graph sign-in and Webex linking are both configured.
 */

export interface PresenceSyncDeps {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly vault: TokenVault;
  readonly validator: SsoValidator;
  /** Delegated Graph tokens: subscription owners. */
  readonly graphTokens: GraphTokenService;
  /** App-only Graph tokens: presence reads and writes (`Presence.ReadWrite.All`). */
  readonly entraTokens: Pick<EntraTokenClient, 'clientCredentials'>;
  readonly webexTokens: WebexTokenService;
  readonly graphPolicy: HttpPolicy;
  readonly webexPolicy: HttpPolicy;
  readonly notifier: Pick<UserNotifier, 'notifyPresenceSync'>;
  /** A user's delegated Graph client (admin directory lookups for group enrolment). */
  readonly graphFor: (userId: string) => Promise<Result<GraphClient, string>>;
  /** The production Webex status adapter, when one is deployed (docs/decisions/presence-sync.md). */
  readonly webexStatus?: WebexStatusPort;
  readonly engine?: Partial<EngineConfig>;
  /** The service's metrics registry (writes, echoes suppressed, deferrals, propagation latency). */
  readonly registry?: Registry;
  readonly now?: () => number;
}

export interface PresenceSync {
  readonly routes: readonly Route[];
  readonly daemons: readonly DaemonSpec[];
  readonly enrolment: PresenceEnrolment;
  /** Start / stop watching a user; for switches that bypass enrolment (the bot's `sync on|off`). */
  readonly hooks: {
    onEnabled(userId: string): Promise<void>;
    onDisabled(userId: string): Promise<void>;
  };
  readonly engine: PresenceEngine;
  readonly graph: GraphPresenceSubscriptions;
  readonly webex: WebexCallWebhooks;
  /** Cancels scheduled work; call on shutdown. */
  close(): void;
}

export function createPresenceSync(deps: PresenceSyncDeps): PresenceSync {
  const { config, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const log = logger.child({ component: 'presence-sync' });
  const intake = createNotificationIntake({ store, logger });
  const webexPorts = createWebexRestPorts({
    baseUrl: config.webex.baseUrl,
    policy: deps.webexPolicy,
    logger,
    userToken: (userId) => deps.webexTokens.getAccessToken(userId),
  });

  const engine = createPresenceEngine({
    store,
    logger,
    owner: `presence-${randomUUID()}`,
    now,
    tenantPresenceLimit: config.presenceSync.tenantCallsPer30s,
    reconcileIntervalMs: config.presenceSync.reconcileIntervalMs,
    ...(deps.registry === undefined ? {} : { registry: deps.registry }),
    ports: {
      teams: createGraphPresencePort({
        baseUrl: config.graph.baseUrl,
        policy: deps.graphPolicy,
        logger,
        clientId: config.entra.clientId,
        appToken: createAppTokenSource(deps.entraTokens, now),
      }),
      webexCalls: webexPorts.calls,
      webexDnd: webexPorts.dnd,
      webexPeople: webexPorts.people,
      ...(deps.webexStatus === undefined ? {} : { webexStatus: deps.webexStatus }),
    },
    ...(deps.engine === undefined ? {} : { config: deps.engine }),
    // The Graph part is built below; the processor only calls this once the service runs.
    handleLifecycle: (event) => graphPart.handleLifecycle(event),
  });

  const graphPart = createGraphPresenceSubscriptions({
    store,
    intake,
    graphTokens: deps.graphTokens,
    graphBaseUrl: config.graph.baseUrl,
    graphPolicy: deps.graphPolicy,
    publicBaseUrl: config.http.publicBaseUrl,
    logger,
    now,
    onMissed: async (userIds) => {
      const at = now();
      for (const userId of userIds) await requestRecheck(store, userId, ['teams'], 'missed', at, at);
    },
  });

  const webex = createWebexCallWebhooks({
    store,
    vault: deps.vault,
    tokens: deps.webexTokens,
    webexBaseUrl: config.webex.baseUrl,
    policy: deps.webexPolicy,
    intake,
    notifier: deps.notifier,
    publicBaseUrl: config.http.publicBaseUrl,
    logger,
    now,
  });

  const hooks: PresenceSync['hooks'] = {
    async onEnabled(userId) {
      await graphPart.watch(userId);
      const watched = await webex.watch(userId);
      if (!watched.ok) log.warn({ userId, code: watched.error.code }, 'Webex call webhook not created yet');
      await engine.recheck(userId, 'enabled');
    },
    async onDisabled(userId) {
      await graphPart.unwatch(userId);
      await webex.unwatch(userId);
      // The round sees the row disabled and undoes whatever we still hold (session, DND).
      await engine.recheck(userId, 'disabled');
    },
  };

  const enrolment = createPresenceEnrolment({
    store,
    validator: deps.validator,
    webexLink: deps.webexTokens,
    graphSession: async (userId) => (await deps.graphTokens.getAccessToken(userId)).ok,
    directory: graphAdminDirectory(deps.graphFor),
    logger,
    hooks,
  });

  return {
    routes: [...graphPart.routes, ...webex.routes, ...enrolment.routes],
    daemons: [graphPart.daemon, webex.daemon, ...engine.daemons],
    enrolment,
    hooks,
    engine,
    graph: graphPart,
    webex,
    close() {
      graphPart.close();
    },
  };
}
