import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { DemoOrg } from '../seed/org.js';
import { Router, json, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import { clientBundle, type ClientBundle } from './bundle.js';
import { sendComposeQuery, parseComposeRequest } from './compose-api.js';
import { PAGE_CSP, composePage, consolePage, hostPage } from './pages.js';
import { proxyHttp, proxyUpgrade, type ProxyTarget } from './proxy.js';
import { SANDBOX_CSS } from './styles.js';

/** The Teams app id (manifest `id`) the dev host reports in context; any GUID would do. */
export const SANDBOX_TEAMS_APP_ID = '00000000-0000-4000-8000-0000000000a9';

export interface StandInForHost {
  /** Base URL, e.g. `https://localhost:3982`. */
  readonly url: string;
}

/** What the host needs from the Entra stand-in: its URL and the SSO token Teams would mint. */
export interface EntraForHost extends StandInForHost {
  ssoToken(userId: string): Promise<string> | string;
}

export type BotChannelForHost = StandInForHost;

export interface TeamsHostOptions {
  /** The tab's page on the service, e.g. `http://localhost:3978/tab/index.html`. */
  readonly tabUrl: string;
  readonly entra: EntraForHost;
  readonly botChannel: BotChannelForHost;
  readonly org: DemoOrg;
  /** 0 or absent: an ephemeral port. */
  readonly port?: number;
  /** Interface to bind; 127.0.0.1 unless given. */
  readonly host?: string;
  /**
   * HTTPS material. Without it the host serves plain HTTP, which works for everything except
   * `authentication.authenticate`: teams-js refuses to open a non-https URL.
   */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca?: string };
  /** Stand-ins whose `/_sandbox/...` control APIs the console reaches through this host. */
  readonly graph?: StandInForHost;
  readonly webex?: StandInForHost;
  readonly teamsAppId?: string;
  /** Unexpected errors (a bug in the host); never receives tokens. */
  readonly onError?: (error: unknown) => void;
}

export interface RunningTeamsHost {
  /** Origin of the host, e.g. `https://localhost:3980`: also the origin the tab is served from. */
  readonly url: string;
  readonly port: number;
  readonly urls: { readonly host: string; readonly compose: string; readonly console: string };
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/**
 * Starts the dev host.
 *
 * The tab is framed from this host's own origin (`/tab/...` is proxied to the service): teams-js
 * only accepts host messages from its built-in list of Microsoft 365 origins, from origins the
 * app passes to `app.initialize()`, or from its own origin, and the tab (rightly) passes none.
 * Every path this host does not own is proxied to the service, so the tab's relative API calls
 * and auth pages work unchanged. The service must allow this origin in the tab's CSP
 * `frame-ancestors` (tab-static's `frameAncestors`).
 */
export async function startTeamsHost(options: TeamsHostOptions): Promise<RunningTeamsHost> {
  const bundle = await clientBundle();
  const tab = new URL(options.tabUrl);
  const proto = options.tls === undefined ? 'http' : 'https';
  const ca = options.tls?.ca;
  const service: ProxyTarget = {
    origin: tab.origin,
    name: 'The CallBridge service',
    ...(ca === undefined ? {} : { ca }),
  };
  const standIns = new Map<string, ProxyTarget>();
  const addStandIn = (prefix: string, name: string, standIn: StandInForHost | undefined): void => {
    if (standIn === undefined) return;
    standIns.set(prefix, { origin: new URL(standIn.url).origin, name, ...(ca === undefined ? {} : { ca }) });
  };
  addStandIn('entra', 'The Entra ID stand-in', options.entra);
  addStandIn('graph', 'The Graph stand-in', options.graph);
  addStandIn('webex', 'The Webex stand-in', options.webex);
  addStandIn('botchannel', 'The Bot Framework channel stand-in', options.botChannel);

  const router = hostRouter(options, bundle, tab, standIns);

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = pathOf(req);
    const standIn = standInFor(path, standIns);
    if (standIn !== undefined) {
      proxyHttp(req, res, standIn, proto);
      return;
    }
    const matched = router.match(req.method ?? 'GET', path);
    if (matched === undefined) {
      proxyHttp(req, res, service, proto);
      return;
    }
    void respond(req, res, matched, options.onError);
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = pathOf(req);
    proxyUpgrade(req, socket, head, standInFor(path, standIns) ?? service, proto);
  };

  const server: Server =
    options.tls === undefined
      ? createHttpServer(onRequest)
      : createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest);
  server.on('upgrade', onUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${proto}://localhost:${port}`;
  return {
    url,
    port,
    urls: { host: `${url}/`, compose: `${url}/compose`, console: `${url}/console` },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

function pathOf(req: IncomingMessage): string {
  const raw = (req.url ?? '/').split('?', 1)[0] ?? '/';
  return raw === '' ? '/' : raw;
}

function standInFor(path: string, standIns: ReadonlyMap<string, ProxyTarget>): ProxyTarget | undefined {
  const m = /^\/_sandbox\/([a-z]+)(?:\/|$)/.exec(path);
  return m?.[1] === undefined ? undefined : standIns.get(m[1]);
}

function hostRouter(
  options: TeamsHostOptions,
  bundle: ClientBundle,
  tab: URL,
  standIns: ReadonlyMap<string, ProxyTarget>,
): Router {
  const router = new Router();
  const page = (body: string): SandboxResponse => ({
    status: 200,
    body,
    headers: { 'content-type': 'text/html; charset=utf-8', ...PAGE_HEADERS },
  });
  router.add('GET', '/', () => page(hostPage()));
  router.add('GET', '/index.html', () => page(hostPage()));
  router.add('GET', '/compose', () => page(composePage()));
  router.add('GET', '/console', () => page(consolePage()));
  router.add('GET', '/_host/assets/sandbox.css', () => ({
    status: 200,
    body: SANDBOX_CSS,
    headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' },
  }));
  router.add('GET', '/_host/assets/:file', (req) => {
    const file = bundle.get(req.params.file ?? '');
    if (file === undefined) return json(404, { error: 'not_found' });
    return {
      status: 200,
      body: typeof file.body === 'string' ? file.body : Buffer.from(file.body),
      headers: {
        'content-type': file.contentType,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      },
    };
  });
  router.add('GET', '/_host/api/org', () =>
    noStore(json(200, orgSummary(options, `${tab.pathname}${tab.search}`))),
  );
  router.add('GET', '/_host/api/services', () =>
    noStore(
      json(200, {
        service: tab.origin,
        standIns: Object.fromEntries([...standIns].map(([prefix, target]) => [prefix, target.origin])),
      }),
    ),
  );
  router.add('POST', '/_host/api/sso-token', async (req) => {
    const userId = stringField(req.body, 'userId');
    if (userId === undefined) return noStore(json(400, { error: 'userId is required' }));
    if (!options.org.users.some((u) => u.id === userId))
      return noStore(json(404, { error: `no demo user ${userId}` }));
    try {
      const token = await options.entra.ssoToken(userId);
      return noStore(json(200, { token }));
    } catch (error) {
      // Entra's refusal (consent revoked, MFA required…) is what Teams would report to the app.
      return noStore(
        json(403, { error: error instanceof Error ? error.message : 'the Entra stand-in refused' }),
      );
    }
  });
  router.add('POST', '/_host/api/compose/query', async (req) => {
    const parsed = parseComposeRequest(req.body, options.org);
    if (!parsed.ok) return noStore(json(400, { error: parsed.error }));
    let token: string | undefined;
    if (parsed.value.sso) {
      try {
        token = await options.entra.ssoToken(parsed.value.userId);
      } catch (error) {
        return noStore(
          json(403, { error: `No SSO token: ${error instanceof Error ? error.message : 'refused'}` }),
        );
      }
    }
    const result = await sendComposeQuery(options.botChannel.url, parsed.value, token);
    return noStore(json(result.ok ? 200 : 502, result.ok ? result.value : { error: result.error }));
  });
  return router;
}

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function noStore(response: SandboxResponse): SandboxResponse {
  return { ...response, headers: { ...response.headers, 'cache-control': 'no-store' } };
}

function stringField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What the pages need about the demo organisation (no secrets: the org has none). */
function orgSummary(options: TeamsHostOptions, tabPath: string): unknown {
  const { org } = options;
  return {
    tenantId: org.tenantId,
    teamsAppId: options.teamsAppId ?? SANDBOX_TEAMS_APP_ID,
    tabPath,
    users: org.users.map((u) => ({
      id: u.id,
      displayName: u.displayName,
      userPrincipalName: u.userPrincipalName,
      jobTitle: u.jobTitle,
      department: u.department,
      webex:
        u.webex === undefined
          ? null
          : { personId: u.webex.personId, calling: u.webex.calling, extension: u.webex.extension },
    })),
    chats: org.chats.map((c) => ({ id: c.id, chatType: c.chatType, topic: c.topic, memberIds: c.memberIds })),
    teams: org.teams.map((t) => ({
      id: t.id,
      displayName: t.displayName,
      memberIds: t.memberIds,
      channels: t.channels.map((ch) => ({ id: ch.id, displayName: ch.displayName, memberIds: ch.memberIds })),
    })),
  };
}

async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  matched: Exclude<ReturnType<Router['match']>, undefined>,
  onError: ((error: unknown) => void) | undefined,
): Promise<void> {
  let response: SandboxResponse;
  try {
    if (matched === 'method') {
      response = json(405, { error: 'method_not_allowed' });
    } else {
      const url = new URL(req.url ?? '/', 'http://host.local');
      const rawBody = await readBody(req);
      const request: SandboxRequest = {
        method: req.method ?? 'GET',
        url,
        path: url.pathname,
        headers: req.headers,
        params: matched.params,
        rawBody,
        body: parseJson(rawBody, req.headers['content-type']),
      };
      response = await matched.handler(request);
    }
  } catch (error) {
    onError?.(error);
    response = json(500, { error: 'dev_host_internal_error' });
  }
  if (res.headersSent) return;
  const body =
    response.body === undefined || typeof response.body === 'string' || Buffer.isBuffer(response.body)
      ? response.body
      : JSON.stringify(response.body);
  res.writeHead(response.status, { ...response.headers });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0 || !(contentType ?? '').toLowerCase().includes('json')) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
