import type { Registry } from 'prom-client';
import type { Logger } from '../../observability/logger.js';
import type { Store } from '../../store/store.js';
import type { DaemonSpec } from '../../workers/daemon.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './decide.js';
import { createPresenceMetrics } from './metrics.js';
import type { PresencePorts } from './ports.js';
import { createInboxProcessor, type InboxProcessor, type LifecycleHandler } from './processor.js';
import { createTenantRateLimiter, type TenantRateLimiter } from './rate-limit.js';
import { createKeepAliveDaemon, createReconcileDaemon, requestRecheck, type SweepReport } from './sweeps.js';

export { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './decide.js';
export { DEFAULT_MAPPING, type PresenceMapping } from './mapping.js';
export type {
  PresencePorts,
  PortError,
  TeamsPresencePort,
  WebexCallsPort,
  WebexDndPort,
  WebexStatusPort,
} from './ports.js';

export interface PresenceEngineDeps {
  readonly store: Store;
  readonly ports: PresencePorts;
  readonly logger: Logger;
  /** Unique per instance: fences the inbox leases this instance takes. */
  readonly owner: string;
  readonly now?: () => number;
  readonly config?: Partial<EngineConfig>;
  /** Presence calls per tenant per 30 s (default 1,400, under Graph's 1,500). */
  readonly tenantPresenceLimit?: number;
  readonly handleLifecycle?: LifecycleHandler;
  readonly processorIntervalMs?: number;
  readonly keepAliveIntervalMs?: number;
  readonly reconcileIntervalMs?: number;
  readonly webexSweep?: 'all' | 'active';
  /** The service's metrics registry; without it nothing is counted. */
  readonly registry?: Registry;
}

export interface PresenceEngine {
  readonly processor: InboxProcessor;
  readonly keepAlive: DaemonSpec & { sweep(signal?: AbortSignal): Promise<number> };
  readonly reconcile: DaemonSpec & { sweep(signal?: AbortSignal): Promise<SweepReport> };
  readonly daemons: readonly DaemonSpec[];
  readonly limiter: TenantRateLimiter;
  /** Schedules a round for the user (enrolment on/off, a rule change). */
  recheck(userId: string, reason: string): Promise<void>;
}

/** The engine: inbox processor, keep-alive and reconciliation over the given ports. */
export function createPresenceEngine(deps: PresenceEngineDeps): PresenceEngine {
  const now = deps.now ?? Date.now;
  const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, ...deps.config };
  const limiter = createTenantRateLimiter({
    now,
    ...(deps.tenantPresenceLimit === undefined ? {} : { limit: deps.tenantPresenceLimit }),
  });
  const processor = createInboxProcessor({
    store: deps.store,
    ports: deps.ports,
    config,
    limiter,
    now,
    logger: deps.logger,
    owner: deps.owner,
    ...(deps.registry === undefined ? {} : { metrics: createPresenceMetrics(deps.registry) }),
    ...(deps.handleLifecycle === undefined ? {} : { handleLifecycle: deps.handleLifecycle }),
    ...(deps.processorIntervalMs === undefined ? {} : { intervalMs: deps.processorIntervalMs }),
  });
  const keepAlive = createKeepAliveDaemon({
    store: deps.store,
    config,
    now,
    logger: deps.logger,
    ...(deps.keepAliveIntervalMs === undefined ? {} : { intervalMs: deps.keepAliveIntervalMs }),
  });
  const reconcile = createReconcileDaemon({
    store: deps.store,
    config,
    now,
    logger: deps.logger,
    teams: deps.ports.teams,
    limiter,
    ...(deps.reconcileIntervalMs === undefined ? {} : { intervalMs: deps.reconcileIntervalMs }),
    ...(deps.webexSweep === undefined ? {} : { webexSweep: deps.webexSweep }),
  });
  return {
    processor,
    keepAlive,
    reconcile,
    daemons: [processor, keepAlive, reconcile],
    limiter,
    async recheck(userId, reason) {
      const at = now();
      await requestRecheck(deps.store, userId, ['teams', 'webex'], reason, at, at);
    },
  };
}
