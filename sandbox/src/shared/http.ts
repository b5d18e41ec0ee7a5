import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * The sandbox's own tiny HTTP layer (plain node:http) so the stand-ins share nothing with the
 * service they stand in for.
 */

export interface SandboxRequest {
  readonly method: string;
  readonly url: URL;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly params: Readonly<Record<string, string>>;
  readonly rawBody: Buffer;
  /** Parsed JSON or form body (undefined when empty or of another type). */
  readonly body: unknown;
}

export interface SandboxResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export type Handler = (req: SandboxRequest) => Promise<SandboxResponse> | SandboxResponse;

interface CompiledRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly keys: readonly string[];
  readonly handler: Handler;
}

/** Path templates use `:name` segments; matching is case-sensitive like the real services' routers. */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(method: string, template: string, handler: Handler): this {
    const keys: string[] = [];
    const source = template
      .split('/')
      .map((segment) => {
        if (segment.startsWith(':')) {
          keys.push(segment.slice(1));
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  match(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (m === null) continue;
      pathMatched = true;
      if (route.method !== method.toUpperCase()) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { handler: route.handler, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

export function text(
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): SandboxResponse {
  return { status, body, headers: { 'content-type': contentType } };
}

export function html(body: string): SandboxResponse {
  return text(200, body, 'text/html; charset=utf-8');
}

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly port?: number;
  readonly host?: string;
  readonly tls?: TlsMaterial;
  /** Answer for requests no route matches; each stand-in supplies its service's error shape. */
  readonly notFound?: (req: SandboxRequest) => SandboxResponse;
  readonly onError?: (error: unknown) => void;
}

const MAX_BODY = 4 * 1024 * 1024;

export async function serve(router: Router, options: ServeOptions = {}): Promise<RunningServer> {
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(router, options, req, res);
  };
  const server: Server =
    options.tls === undefined ? createHttpServer(listener) : createHttpsServer(options.tls, listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls === undefined ? 'http' : 'https';
  return {
    url: `${scheme}://localhost:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

async function handle(
  router: Router,
  options: ServeOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const rawBody = await readAll(req);
    const request: SandboxRequest = {
      method: req.method ?? 'GET',
      url,
      path: url.pathname,
      headers: req.headers,
      params: {},
      rawBody,
      body: parseBody(rawBody, req.headers['content-type']),
    };
    const matched = router.match(request.method, url.pathname);
    let response: SandboxResponse;
    if (matched === undefined) {
      response = options.notFound?.(request) ?? json(404, { error: 'not_found' });
    } else if (matched === 'method') {
      response = json(405, { error: 'method_not_allowed' });
    } else {
      response = await matched.handler({ ...request, params: matched.params });
    }
    write(res, response);
  } catch (error) {
    options.onError?.(error);
    if (!res.headersSent) write(res, json(500, { error: 'sandbox_internal_error' }));
  }
}

function write(res: ServerResponse, response: SandboxResponse): void {
  const headers = { ...response.headers };
  let payload: string | Buffer | undefined;
  if (response.body === undefined) payload = undefined;
  else if (typeof response.body === 'string' || Buffer.isBuffer(response.body)) payload = response.body;
  else payload = JSON.stringify(response.body);
  res.writeHead(response.status, headers);
  res.end(payload);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('sandbox request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? '').toLowerCase();
  const textBody = raw.toString('utf8');
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(textBody));
  }
  if (type.includes('json')) {
    try {
      return JSON.parse(textBody) as unknown;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Reads the bearer token of a request, if any. */
export function bearer(req: SandboxRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header);
  return m?.[1];
}
