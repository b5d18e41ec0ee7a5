import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createService } from '../../bot/src/app.js';
import { loadConfig } from '../../bot/src/config/env.js';
import { HttpError, type Route } from '../../bot/src/http/route.js';
import { createLogger, type Logger } from '../../bot/src/observability/logger.js';
import { createMetrics } from '../../bot/src/observability/metrics.js';
import type { NewInboxItem } from '../../bot/src/store/store.js';
import type { SingletonGuard } from '../../bot/src/workers/daemon.js';

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  close(): Promise<void>;
}

/** The floor: Node's own HTTP server answering 202 with no body and doing nothing else. */
export async function startBareServer(): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.statusCode = 202;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** What production logs at (info), written nowhere: log calls cost what they cost in production. */
export function discardingLogger(): Logger {
  return createLogger({ level: 'info', destination: { write: () => undefined } });
}

const alwaysRun: SingletonGuard = {
  runExclusive: async (_name, fn) => ({ ran: true, value: await fn() }),
};

/**
 * Our service as production composes its HTTP part (restify, metrics with default collectors,
 * an info-level logger writing nowhere), plus bench-only `routes`. No daemons.
 */
export async function startOurService(routes: readonly Route[]): Promise<RunningServer> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'info' });
  if (!config.ok) throw config.error;
  const service = createService({
    config: config.value,
    logger: discardingLogger(),
    metrics: createMetrics({ collectDefaults: true }),
    readiness: [],
    routes,
    daemons: [],
    guard: alwaysRun,
    closeables: [],
  });
  const port = await service.start();
  return { base: `http://127.0.0.1:${port}`, close: () => service.stop() };
}

export const INTAKE_PATH = '/bench/intake';

/**
 * A bench-only intake route shaped like a Graph change-notification endpoint: the server parses
 * the JSON body, the route checks its shape, derives the dedupe and partition keys, hands each
 * notification to `sink` (nothing, or the durable inbox) and only then answers 202.
 */
export function intakeRoute(sink: (item: NewInboxItem) => Promise<unknown> = () => Promise.resolve()): Route {
  return {
    method: 'post',
    path: INTAKE_PATH,
    body: 'json',
    handler: async (req, res) => {
      const value = (req.body as { value?: unknown } | undefined)?.value;
      if (!Array.isArray(value) || value.length === 0)
        throw new HttpError(400, 'invalid_request', 'value: expected a non-empty array');
      const raw = req.rawBody ?? Buffer.alloc(0);
      const digest = createHash('sha256').update(raw).digest('hex');
      for (const [index, entry] of (value as unknown[]).entries()) {
        const { subscriptionId, resource } = (entry ?? {}) as {
          subscriptionId?: unknown;
          resource?: unknown;
        };
        if (typeof subscriptionId !== 'string' || typeof resource !== 'string') {
          throw new HttpError(
            400,
            'invalid_request',
            'value[].subscriptionId and value[].resource are required',
          );
        }
        await sink({
          source: 'graph',
          dedupeKey: `${subscriptionId}:${digest}:${index}`,
          partitionKey: resource,
          payload: JSON.stringify(entry),
        });
      }
      res.send(202);
    },
  };
}

/** Deterministic base64-looking filler, the same on every run. */
function filler(seed: string, length: number): string {
  let out = '';
  for (let k = 0; out.length < length; k += 1)
    out += createHash('sha256').update(`${seed}:${k}`).digest('base64');
  return out.slice(0, length);
}

/**
 * One Graph presence change notification with encrypted resource data (about 1.6 KB, the size
 * Graph sends), as a body template for the load generator: `%i%` (the request index) makes each
 * body, and so each dedupe key, unique and spreads notifications over many users (partitions).
 */
export function graphNotificationTemplate(): string {
  const body = {
    value: [
      {
        subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
        subscriptionExpirationDateTime: '2030-01-01T00:00:00.0000000Z',
        changeType: 'updated',
        resource: "communications/presences('bench-user-%i%')",
        resourceData: {
          '@odata.type': '#Microsoft.Graph.presence',
          '@odata.id': "communications/presences('bench-user-%i%')",
          id: 'bench-user-%i%',
        },
        encryptedContent: {
          data: filler('data', 640),
          dataSignature: filler('signature', 44),
          dataKey: filler('key', 344),
          encryptionCertificateId: 'callbridge-bench',
          encryptionCertificateThumbprint: filler('thumb', 40),
        },
        clientState: filler('clientState', 32),
        tenantId: '00000000-0000-4000-8000-0000000000d0',
      },
    ],
  };
  return JSON.stringify(body);
}
