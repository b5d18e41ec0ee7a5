import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy in front of a stand-in that answers chosen requests itself (503s, a directory
 * that refuses `$search`…) and forwards everything else unchanged, so tests can put faults the
 * stand-ins have no control for on a real network path. It records every request it sees.
 */

export interface FaultRule {
  readonly match: (method: string, url: URL) => boolean;
  /** Answer with this status instead of forwarding; absent: forward (after `delayMs`). */
  readonly status?: number;
  /** Hold the request this long first. */
  readonly delayMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** How many matching requests get the fault (default 1). */
  readonly times?: number;
}

export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  readonly authorization: string | undefined;
  readonly faulted: boolean;
}

export interface FaultProxy {
  readonly url: string;
  readonly seen: SeenRequest[];
  inject(rule: FaultRule): void;
  /** Drops the rules and the record. */
  reset(): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'content-encoding',
]);

export async function startFaultProxy(
  target: string,
  tls?: { key: string; cert: string },
): Promise<FaultProxy> {
  const rules: { rule: FaultRule; left: number }[] = [];
  const seen: SeenRequest[] = [];
  const scheme = tls === undefined ? 'http' : 'https';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', `${scheme}://localhost`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const active = rules.find((r) => r.left > 0 && r.rule.match(method, url));
    const authorization = req.headers.authorization;
    seen.push({ method, url, authorization, faulted: active !== undefined });
    if (active !== undefined) active.left -= 1;
    if (active?.rule.delayMs !== undefined)
      await new Promise((resolve) => setTimeout(resolve, active.rule.delayMs));
    if (active?.rule.status !== undefined) {
      const body = active.rule.body === undefined ? '' : JSON.stringify(active.rule.body);
      res.writeHead(active.rule.status, {
        ...(body === '' ? {} : { 'content-type': 'application/json' }),
        ...active.rule.headers,
      });
      res.end(body);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name))
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const body = Buffer.concat(chunks);
    const upstream = await fetch(`${target}${url.pathname}${url.search}`, {
      method,
      headers,
      ...(body.length === 0 ? {} : { body }),
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name)) out[name] = value;
    });
    res.writeHead(upstream.status, out);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(599);
      res.end(String(error));
    });
  };
  const server: Server = tls === undefined ? createHttpServer(listener) : createHttpsServer(tls, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://localhost:${port}`,
    seen,
    inject: (rule) => {
      rules.push({ rule, left: rule.times ?? 1 });
    },
    reset: () => {
      rules.length = 0;
      seen.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
