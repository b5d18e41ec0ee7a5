import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * A small streaming reverse proxy. The dev host serves the tab (and everything else of the
 * service's) from its own origin, and forwards the console's `/_sandbox/...` calls to the
 * stand-ins, so the browser only ever talks to one origin.
 */

export interface ProxyTarget {
  /** Upstream origin, e.g. `http://localhost:3978`. */
  readonly origin: string;
  /** Trusted CA (PEM) for an HTTPS upstream signed by the sandbox CA. */
  readonly ca?: string;
  /** Name used in the 502 message when the upstream does not answer. */
  readonly name: string;
}

/** Headers that describe one hop, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardHeaders(req: IncomingMessage, target: URL, publicProto: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = value;
  }
  const originalHost = req.headers.host ?? '';
  headers.host = target.host;
  headers['x-forwarded-host'] = originalHost;
  headers['x-forwarded-proto'] = publicProto;
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = typeof prior === 'string' && prior !== '' ? `${prior}, ${client}` : client;
  return headers;
}

function requestFn(target: URL): typeof http.request {
  return target.protocol === 'https:' ? https.request : http.request;
}

/** Forwards `req` (path and query unchanged) to the target and streams the answer back. */
export function proxyHttp(
  req: IncomingMessage,
  res: ServerResponse,
  target: ProxyTarget,
  publicProto: string,
): void {
  const upstream = new URL(target.origin);
  const upstreamReq = requestFn(upstream)(
    {
      protocol: upstream.protocol,
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: forwardHeaders(req, upstream, publicProto),
      ...(target.ca === undefined ? {} : { ca: target.ca }),
    },
    (upstreamRes) => {
      const headers: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(upstreamRes.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        headers[name] = value;
      }
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, headers);
      upstreamRes.pipe(res);
      upstreamRes.on('error', () => res.destroy());
    },
  );
  upstreamReq.on('error', (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({
      error: 'bad_gateway',
      message: `${target.name} at ${target.origin} is not answering (${errorCode(error)}). Is it running?`,
    });
    res.writeHead(502, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  });
  req.on('aborted', () => upstreamReq.destroy());
  req.pipe(upstreamReq);
}

/** Forwards an HTTP upgrade (WebSocket) and splices the two sockets together. */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: ProxyTarget,
  publicProto: string,
): void {
  const upstream = new URL(target.origin);
  const headers = forwardHeaders(req, upstream, publicProto);
  headers.connection = 'Upgrade';
  headers.upgrade = req.headers.upgrade ?? 'websocket';
  const upstreamReq = requestFn(upstream)({
    protocol: upstream.protocol,
    hostname: upstream.hostname,
    port: upstream.port,
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    ...(target.ca === undefined ? {} : { ca: target.ca }),
  });
  upstreamReq.on('upgrade', (upstreamRes, upstreamSocket, upstreamHead) => {
    const lines = [
      `HTTP/1.1 ${upstreamRes.statusCode ?? 101} ${upstreamRes.statusMessage ?? 'Switching Protocols'}`,
    ];
    for (let i = 0; i < upstreamRes.rawHeaders.length; i += 2) {
      lines.push(`${upstreamRes.rawHeaders[i] ?? ''}: ${upstreamRes.rawHeaders[i + 1] ?? ''}`);
    }
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    upstreamSocket.pipe(socket).pipe(upstreamSocket);
    upstreamSocket.on('error', () => socket.destroy());
    socket.on('error', () => upstreamSocket.destroy());
  });
  upstreamReq.on('response', (upstreamRes) => {
    // The upstream refused the upgrade: pass its answer on and close.
    socket.end(
      `HTTP/1.1 ${upstreamRes.statusCode ?? 502} ${upstreamRes.statusMessage ?? 'Bad Gateway'}\r\n\r\n`,
    );
    upstreamRes.resume();
  });
  upstreamReq.on('error', () => {
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  upstreamReq.end();
}

function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : 'error';
}
