import { randomUUID } from 'node:crypto';
import restify, { type Request, type Response, type Server } from 'restify';
import type { Logger } from '../observability/logger.js';
import { serializeError } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { HttpError, sendError, type Route, type RouteRequest } from './route.js';

export interface HttpServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting, waits for in-flight requests up to the deadline, then closes. */
  close(deadlineMs: number): Promise<void>;
  inFlight(): number;
}

export interface HttpServerDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly routes: readonly Route[];
  /** Extra restify middleware run before routing (static files, headers). */
  readonly pre?: readonly ((req: Request, res: Response, next: () => void) => void)[];
}

const DEFAULT_MAX_BODY = 256 * 1024;

export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const server = restify.createServer({ name: 'callbridge', handleUncaughtExceptions: false });
  let inFlight = 0;
  let draining = false;
  const drained: (() => void)[] = [];

  server.pre((req, res, next) => {
    if (draining) {
      res.header('Connection', 'close');
      sendError(res, 503, 'shutting_down', 'The service is shutting down; retry shortly.');
      next(false);
      return;
    }
    next();
  });
  for (const middleware of deps.pre ?? []) server.pre(middleware);

  for (const route of deps.routes) {
    server[route.method](route.path, async (req: Request, res: Response) => {
      inFlight += 1;
      const started = process.hrtime.bigint();
      const correlationId = randomUUID();
      res.header('x-correlation-id', correlationId);
      try {
        await readBody(req, route);
        await route.handler(req, res);
      } catch (error) {
        if (error instanceof HttpError) {
          if (!res.headersSent) sendError(res, error.status, error.code, error.message);
        } else {
          deps.metrics.httpErrors.inc({ route: route.path, method: route.method });
          deps.logger.error(
            { err: serializeError(error), route: route.path, correlationId },
            'unhandled route error',
          );
          if (!res.headersSent) {
            sendError(res, 500, 'internal_error', `Something went wrong. Reference: ${correlationId}`);
          }
        }
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        deps.metrics.httpDuration.observe({ route: route.path, method: route.method }, seconds);
        deps.metrics.httpRequests.inc({
          route: route.path,
          method: route.method,
          status: String(res.statusCode),
        });
        inFlight -= 1;
        if (inFlight === 0)
          drained.splice(0).forEach((resolve) => {
            resolve();
          });
      }
    });
  }

  server.on('NotFound', (_req: Request, res: Response) => {
    sendError(res, 404, 'not_found', 'No such route.');
  });
  server.on('MethodNotAllowed', (_req: Request, res: Response) => {
    sendError(res, 405, 'method_not_allowed', 'That method is not supported on this route.');
  });

  return {
    server,
    inFlight: () => inFlight,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          const address = server.server.address();
          resolve(typeof address === 'object' && address !== null ? address.port : port);
        });
      }),
    close: async (deadlineMs) => {
      draining = true;
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
      });
      await Promise.race([idle, deadline]);
      server.server.closeAllConnections();
      await Promise.race([closed, deadline]);
      clearTimeout(timer);
    },
  };
}

async function readBody(req: RouteRequest, route: Route): Promise<void> {
  const mode = route.body ?? (route.method === 'get' || route.method === 'del' ? 'none' : 'json');
  if (mode === 'none' || mode === 'stream') return;
  const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw new HttpError(413, 'payload_too_large', `Body exceeds ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'payload_too_large', `Body exceeds ${limit} bytes.`);
    chunks.push(chunk);
  }
  req.rawBody = Buffer.concat(chunks);
  if (mode === 'raw') return;
  if (req.rawBody.length === 0) {
    req.body = undefined;
    return;
  }
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().includes('json')) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.');
  }
  try {
    req.body = JSON.parse(req.rawBody.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
  }
}
