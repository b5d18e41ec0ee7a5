import type { Request, Response } from 'restify';
import type { Config } from './config/env.js';
import { getHealthz } from './http/routes/getHealthz.js';
import { getMetrics } from './http/routes/getMetrics.js';
import { getReadyz, type ReadinessCheck } from './http/routes/getReadyz.js';
import type { Route } from './http/route.js';
import { createHttpServer } from './http/server.js';
import type { Logger } from './observability/logger.js';
import { serializeError } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import { runDaemon, type DaemonSpec, type SingletonGuard } from './workers/daemon.js';

/** Everything the service runs with, built by the composition root and passed in. */
export interface ServiceParts {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: readonly ReadinessCheck[];
  readonly routes: readonly Route[];
  readonly pre?: readonly ((req: Request, res: Response, next: () => void) => void)[];
  readonly daemons: readonly DaemonSpec[];
  readonly guard: SingletonGuard;
  /** Released last, after the HTTP server and the daemons have stopped. */
  readonly closeables: readonly { readonly name: string; close(): Promise<void> }[];
}

export interface Service {
  /** Starts listening and the daemons; resolves with the bound port (useful with port 0). */
  start(): Promise<number>;
  /** Graceful stop: refuse new requests, finish in-flight work, stop daemons, close the store. */
  stop(): Promise<void>;
}

export function createService(parts: ServiceParts): Service {
  const http = createHttpServer({
    logger: parts.logger,
    metrics: parts.metrics,
    routes: [getHealthz(), getReadyz(parts.readiness), getMetrics(parts.metrics.registry), ...parts.routes],
    ...(parts.pre === undefined ? {} : { pre: parts.pre }),
  });
  const abort = new AbortController();
  let running: Promise<void>[] = [];
  let stopping: Promise<void> | undefined;

  return {
    async start() {
      const port = await http.listen(parts.config.http.port, parts.config.http.host);
      running = parts.daemons.map((spec) =>
        runDaemon(spec, { logger: parts.logger, guard: parts.guard }, abort.signal),
      );
      parts.logger.info({ port, daemons: parts.daemons.map((d) => d.name) }, 'service started');
      return port;
    },
    stop() {
      stopping ??= (async () => {
        const deadline = parts.config.shutdownTimeoutMs;
        parts.logger.info({ inFlight: http.inFlight(), deadlineMs: deadline }, 'shutting down');
        abort.abort();
        await Promise.all([http.close(deadline), withDeadline(Promise.all(running), deadline)]);
        for (const closeable of parts.closeables) {
          await closeable.close().catch((error: unknown) => {
            parts.logger.error({ err: serializeError(error), part: closeable.name }, 'close failed');
          });
        }
        parts.logger.info('service stopped');
      })();
      return stopping;
    },
  };
}

async function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
