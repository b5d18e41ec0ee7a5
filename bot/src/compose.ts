import { resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import { createService, type Service } from './app.js';
import { summarizeConfig, type Config } from './config/env.js';
import { tabStaticRoutes } from './http/tab-static.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { err, ok, type Result } from './shared/result.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { createBotRoute } from './teams/bot-route.js';

export interface ComposeOptions {
  /** Where log lines go (default stdout); tests read them. */
  readonly logDestination?: DestinationStream;
  /** Collect process metrics (off in tests that run several services in one process). */
  readonly collectDefaultMetrics?: boolean;
}

export interface ComposedService {
  readonly service: Service;
  readonly logger: Logger;
  readonly store: Store;
}

/**
 * The composition root: builds every client and part once, from configuration, and passes
 * them in. Nothing else constructs infrastructure, so tests compose the same way production does.
 */
export async function composeService(config: Config, options: ComposeOptions = {}): Promise<Result<ComposedService>> {
  const logger = createLogger({
    level: config.logLevel,
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  logger.info({ config: summarizeConfig(config) }, 'configuration loaded');

  const opened = await openStore(config.store, logger);
  if (!opened.ok) return err(opened.error);
  const store = opened.value;

  const metrics = createMetrics({ collectDefaults: options.collectDefaultMetrics ?? true });
  const bot = createBotRoute(config, logger);

  const service = createService({
    config,
    logger,
    metrics,
    readiness: [{ name: 'store', check: () => store.ping() }],
    routes: [
      ...bot.routes,
      ...tabStaticRoutes({ distDir: resolve(config.tab.distDir), frameAncestors: config.tab.extraFrameAncestors }),
    ],
    daemons: [],
    guard: store.guard,
    closeables: [{ name: 'store', close: () => store.close() }],
  });
  return ok({ service, logger, store });
}
