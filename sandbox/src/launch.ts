/**
 * The sandbox launcher: starts the stand-ins (Entra ID, Graph, Webex, the Bot Framework channel),
 * the CallBridge service configured against them, and the Teams dev host, on fixed documented
 * ports, then prints where to point a browser. `npm start` runs this file (through
 * scripts/start.mjs, which makes Node trust the sandbox CA first); tests call `startSandbox`
 * with ephemeral ports.
 *
 * Default ports (each overridable; `SANDBOX_PORTS=ephemeral` picks free ones):
 *   service 3978 (SANDBOX_SERVICE_PORT)  dev host 3980 (SANDBOX_HOST_PORT)
 *   Entra 3981 (SANDBOX_ENTRA_PORT)      Graph 3982 (SANDBOX_GRAPH_PORT)
 *   Webex 3983 (SANDBOX_WEBEX_PORT)      Bot Framework channel 3984 (SANDBOX_CHANNEL_PORT)
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DestinationStream } from 'pino';
import type { Service } from '../../bot/src/app.js';
import { composeService } from '../../bot/src/compose.js';
import { loadConfig } from '../../bot/src/config/env.js';
import type { Store } from '../../bot/src/store/store.js';
import { startBotChannel, type RunningBotChannel } from './botchannel/index.js';
import {
  startEntra,
  type EntraAppRegistration,
  type EntraStandIn,
  type GroupMembershipClaims,
} from './entra/index.js';
import { startGraph, type GraphStandIn } from './graph/index.js';
import { createDemoOrg, type DemoOrg } from './seed/org.js';
import { repoRoot } from './teams-host/bundle.js';
import { startTeamsHost, type RunningTeamsHost } from './teams-host/index.js';
import { loadSandboxTls, type SandboxTls } from './tls/index.js';
import { SCOPES, startWebex, type WebexStandIn } from './webex/index.js';

export interface SandboxPorts {
  readonly service: number;
  readonly host: number;
  readonly entra: number;
  readonly graph: number;
  readonly webex: number;
  readonly botChannel: number;
}

export const DEFAULT_PORTS: SandboxPorts = {
  service: 3978,
  host: 3980,
  entra: 3981,
  graph: 3982,
  webex: 3983,
  botChannel: 3984,
};

export const PORT_ENV: Readonly<Record<keyof SandboxPorts, string>> = {
  service: 'SANDBOX_SERVICE_PORT',
  host: 'SANDBOX_HOST_PORT',
  entra: 'SANDBOX_ENTRA_PORT',
  graph: 'SANDBOX_GRAPH_PORT',
  webex: 'SANDBOX_WEBEX_PORT',
  botChannel: 'SANDBOX_CHANNEL_PORT',
};

const PORT_NAMES: Readonly<Record<keyof SandboxPorts, string>> = {
  service: 'the CallBridge service',
  host: 'the Teams dev host',
  entra: 'the Entra ID stand-in',
  graph: 'the Graph stand-in',
  webex: 'the Webex stand-in',
  botChannel: 'the Bot Framework channel stand-in',
};

/** The ids the sandbox registers; secrets are fresh each run (the stand-ins keep state in memory). */
export const SANDBOX_IDS = {
  botId: '00000000-0000-4000-8000-00000000b075',
  clientId: '00000000-0000-4000-8000-00000000a11d',
  webexClientId: 'C0a11b1d9e5a4d0b8e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8',
} as const;

/** Where the service sends people back after Webex sign-in (registered for both origins). */
export const WEBEX_REDIRECT_PATHS = ['/auth/webex/callback'] as const;
/** Entra redirect URIs: the sign-in popup (consent, MFA step-up) and the admin consent callback. */
export const TAB_AUTH_REDIRECT_PATHS = ['/auth/consent/callback', '/adminconsent/callback'] as const;

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly envVar: string,
    readonly what: string,
  ) {
    super(`port ${port} is in use: stop the other process or set ${envVar} (it is for ${what})`);
    this.name = 'PortInUseError';
  }
}

export interface StartSandboxOptions {
  /** Fixed ports (default {@link DEFAULT_PORTS}, partially overridable) or `ephemeral`. */
  readonly ports?: 'ephemeral' | Partial<SandboxPorts>;
  /** The service's DATA_DIR; default `<repo>/.data/sandbox`. Tests pass a temporary folder. */
  readonly dataDir?: string;
  /** Sandbox TLS material folder; default `<repo>/.data/sandbox-tls` (what scripts trust). */
  readonly tlsDir?: string;
  readonly org?: DemoOrg;
  /** Extra service environment (e.g. LOG_LEVEL, DATABASE_URL); sandbox wiring wins over it. */
  readonly serviceEnv?: Readonly<Record<string, string | undefined>>;
  /** Where the service's log lines go (default stdout). */
  readonly logDestination?: DestinationStream;
  /** Collect process metrics (default true; tests running several services turn it off). */
  readonly collectDefaultMetrics?: boolean;
}

export interface SandboxUrls {
  /** The Teams dev host (Call tab). */
  readonly host: string;
  readonly compose: string;
  readonly console: string;
  readonly service: string;
  readonly health: string;
  readonly readiness: string;
  readonly tab: string;
  readonly entra: string;
  readonly graph: string;
  readonly webex: string;
  readonly botChannel: string;
}

export interface RunningSandbox {
  readonly urls: SandboxUrls;
  readonly ports: SandboxPorts;
  readonly org: DemoOrg;
  readonly tls: SandboxTls;
  readonly standIns: {
    readonly entra: EntraStandIn;
    readonly graph: GraphStandIn;
    readonly webex: WebexStandIn;
    readonly botChannel: RunningBotChannel;
    readonly teamsHost: RunningTeamsHost;
  };
  readonly service: Service;
  /**
   * The service's own store, for tests that arrange state. Use this handle, not a second one:
   * SQLite's busy wait blocks the thread, so a second handle in this process can deadlock with
   * the service's open transaction until the busy timeout.
   */
  readonly store: Store;
  /** Whether this process trusts the sandbox CA (NODE_EXTRA_CA_CERTS), which the service needs. */
  readonly caTrusted: boolean;
  /** Stops the service first, then the stand-ins; idempotent. */
  stop(): Promise<void>;
}

interface Closeable {
  readonly name: string;
  close(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const root = repoRoot();
  const ports = await resolvePorts(options.ports ?? {});
  const tls = await loadSandboxTls(options.tlsDir ?? path.join(root, '.data', 'sandbox-tls'));
  const org = options.org ?? createDemoOrg();
  const tlsMaterial = { key: tls.key, cert: tls.cert };
  const serviceUrl = `http://localhost:${ports.service}`;
  const hostUrl = `https://localhost:${ports.host}`;
  const secrets = {
    aadClientSecret: secret(),
    botPassword: secret(),
    webexClientSecret: secret(),
  };
  // The dev host is the service's public address, like a dev tunnel: the bot's own pages
  // (sign-in, Webex linking) and the tab are then on the host's origin, which teams-js in the
  // tab and in auth popups accepts host messages from. The service itself listens on its port.
  const publicUrl = hostUrl;
  const origins = [publicUrl, serviceUrl];

  const started: Closeable[] = [];
  const stopAll = async (): Promise<void> => {
    for (const part of [...started].reverse()) {
      await part.close().catch(() => undefined);
    }
    started.length = 0;
  };
  const step = async <T extends { close(): Promise<void> }>(
    name: keyof SandboxPorts,
    start: () => Promise<T>,
  ): Promise<T> => {
    try {
      const value = await start();
      started.push({ name, close: () => value.close() });
      return value;
    } catch (error) {
      if (isAddressInUse(error)) throw new PortInUseError(ports[name], PORT_ENV[name], PORT_NAMES[name]);
      throw error;
    }
  };

  try {
    const entra = await step('entra', () =>
      startEntra({
        org,
        tls: tlsMaterial,
        port: ports.entra,
        apps: sandboxApps({
          applicationIdUri: `api://${new URL(publicUrl).host}/botid-${SANDBOX_IDS.botId}`,
          redirectUris: origins.flatMap((o) => TAB_AUTH_REDIRECT_PATHS.map((p) => `${o}${p}`)),
          clientSecret: secrets.aadClientSecret,
          botPassword: secrets.botPassword,
        }),
        // A tenant admin has consented to CallBridge, as an organisation does for a line-of-business
        // app; the console can still revoke one user's consent.
        adminConsented: [SANDBOX_IDS.clientId],
      }),
    );
    const graph = await step('graph', () =>
      startGraph({
        org,
        verifyAccessToken: (token) => entra.verifyToken(token),
        tls: tlsMaterial,
        port: ports.graph,
        grants: () => entra.tenantGrants(),
      }),
    );
    const webex = await step('webex', () =>
      startWebex({
        org,
        tls: tlsMaterial,
        port: ports.webex,
        integrations: [
          {
            name: 'CallBridge (sandbox)',
            clientId: SANDBOX_IDS.webexClientId,
            clientSecret: secrets.webexClientSecret,
            redirectUris: origins.flatMap((o) => WEBEX_REDIRECT_PATHS.map((p) => `${o}${p}`)),
            scopes: [
              SCOPES.peopleRead,
              SCOPES.callsRead,
              SCOPES.callsWrite,
              SCOPES.telephonyConfigRead,
              SCOPES.telephonyConfigWrite,
              'spark:xsi',
            ],
          },
        ],
      }),
    );
    const botChannel = await step('botChannel', () =>
      startBotChannel({
        botEndpoint: `${serviceUrl}/api/messages`,
        botAppId: SANDBOX_IDS.botId,
        tenantId: org.tenantId,
        org,
        verifyBotToken: (token) => entra.verifyToken(token),
        tls: tlsMaterial,
        port: ports.botChannel,
      }),
    );
    const teamsHost = await step('host', () =>
      startTeamsHost({
        tabUrl: `${serviceUrl}/tab/index.html`,
        entra,
        botChannel,
        graph,
        webex,
        org,
        tls: { ...tlsMaterial, ca: tls.ca },
        port: ports.host,
      }),
    );

    const env = {
      ...pick(options.serviceEnv ?? {}, [
        'LOG_LEVEL',
        'DATABASE_URL',
        'SHUTDOWN_TIMEOUT_MS',
        'TAB_DIST_DIR',
        'NODE_ENV',
      ]),
      CALLBRIDGE_MODE: 'sandbox',
      HOST: '127.0.0.1',
      PORT: String(ports.service),
      BOT_ENDPOINT: publicUrl,
      BOT_ID: SANDBOX_IDS.botId,
      BOT_PASSWORD: secrets.botPassword,
      BOT_TENANT_ID: org.tenantId,
      BOT_FRAMEWORK_OPENID_METADATA_URL: botChannel.openIdMetadataUrl,
      AAD_APP_CLIENT_ID: SANDBOX_IDS.clientId,
      AAD_APP_CLIENT_SECRET: secrets.aadClientSecret,
      AAD_APP_OAUTH_AUTHORITY_HOST: entra.url,
      GRAPH_BASE_URL: graph.url,
      WEBEX_BASE_URL: webex.url,
      WEBEX_CLIENT_ID: SANDBOX_IDS.webexClientId,
      WEBEX_CLIENT_SECRET: secrets.webexClientSecret,
      DATA_DIR: options.dataDir ?? path.join(root, '.data', 'sandbox'),
      SANDBOX_HOST_ORIGIN: teamsHost.url,
    };
    const config = loadConfig(env);
    if (!config.ok) throw config.error;
    const composed = await composeService(config.value, {
      ...(options.logDestination === undefined ? {} : { logDestination: options.logDestination }),
      ...(options.collectDefaultMetrics === undefined
        ? {}
        : { collectDefaultMetrics: options.collectDefaultMetrics }),
    });
    if (!composed.ok) throw composed.error;
    const { service, store } = composed.value;
    try {
      await service.start();
    } catch (error) {
      await service.stop().catch(() => undefined);
      if (isAddressInUse(error))
        throw new PortInUseError(ports.service, PORT_ENV.service, PORT_NAMES.service);
      throw error;
    }

    let stopping: Promise<void> | undefined;
    return {
      urls: {
        host: teamsHost.urls.host,
        compose: teamsHost.urls.compose,
        console: teamsHost.urls.console,
        service: serviceUrl,
        health: `${serviceUrl}/healthz`,
        readiness: `${serviceUrl}/readyz`,
        tab: `${serviceUrl}/tab/`,
        entra: entra.url,
        graph: graph.url,
        webex: webex.url,
        botChannel: botChannel.url,
      },
      ports,
      org,
      tls,
      standIns: { entra, graph, webex, botChannel, teamsHost },
      service,
      store,
      caTrusted:
        process.env.NODE_EXTRA_CA_CERTS !== undefined &&
        path.resolve(process.env.NODE_EXTRA_CA_CERTS) === tls.caPath,
      stop: () =>
        (stopping ??= (async () => {
          await service.stop().catch(() => undefined);
          await stopAll();
        })()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Graph permissions the CallBridge app asks for (what `/.default` and admin consent cover):
 * exactly the set in infra/aad.manifest.json, so the sandbox grants no more than a real tenant
 * would (tests/sandbox/permissions.unit.test.ts keeps the two in step).
 */
export const CALLBRIDGE_GRAPH_PERMISSIONS = {
  resource: 'https://graph.microsoft.com',
  scopes: [
    'offline_access',
    'User.Read',
    'User.ReadWrite',
    'User.Read.All',
    'Contacts.Read',
    'Presence.Read.All',
    'ChannelMember.Read.All',
    'Chat.ReadBasic',
  ],
  roles: ['Presence.ReadWrite.All'],
} as const;

/**
 * As infra/aad.manifest.json: SSO tokens name the caller's directory roles (`wids`), which is how
 * the admin presence-sync route knows a Teams or Global administrator without a Graph permission.
 */
export const CALLBRIDGE_GROUP_MEMBERSHIP_CLAIMS = 'DirectoryRole' satisfies GroupMembershipClaims;

/** The sandbox tenant's app registrations: CallBridge (tab SSO + OBO + Graph) and its bot. */
export function sandboxApps(options: {
  readonly applicationIdUri: string;
  readonly redirectUris: readonly string[];
  readonly clientSecret: string;
  readonly botPassword: string;
}): EntraAppRegistration[] {
  return [
    {
      displayName: 'CallBridge',
      clientId: SANDBOX_IDS.clientId,
      clientSecret: options.clientSecret,
      applicationIdUri: options.applicationIdUri,
      redirectUris: options.redirectUris,
      groupMembershipClaims: CALLBRIDGE_GROUP_MEMBERSHIP_CLAIMS,
      requiredResourceAccess: [
        {
          resource: CALLBRIDGE_GRAPH_PERMISSIONS.resource,
          scopes: CALLBRIDGE_GRAPH_PERMISSIONS.scopes,
          roles: CALLBRIDGE_GRAPH_PERMISSIONS.roles,
        },
      ],
    },
    {
      displayName: 'CallBridge bot',
      clientId: SANDBOX_IDS.botId,
      clientSecret: options.botPassword,
      redirectUris: [],
    },
  ];
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}

function pick(
  env: Readonly<Record<string, string | undefined>>,
  keys: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EADDRINUSE';
}

/** Ports to use: fixed ones are checked first (so a busy port fails before anything starts). */
export async function resolvePorts(request: 'ephemeral' | Partial<SandboxPorts>): Promise<SandboxPorts> {
  const keys = Object.keys(DEFAULT_PORTS) as (keyof SandboxPorts)[];
  if (request === 'ephemeral') {
    const free = await reserveFreePorts(keys.length);
    return Object.fromEntries(keys.map((key, i) => [key, free[i] ?? 0])) as unknown as SandboxPorts;
  }
  const ports: SandboxPorts = { ...DEFAULT_PORTS, ...request };
  const seen = new Map<number, keyof SandboxPorts>();
  for (const key of keys) {
    const port = ports[key];
    const other = seen.get(port);
    if (other !== undefined)
      throw new Error(
        `${PORT_ENV[key]} and ${PORT_ENV[other]} are both ${port}: give each a port of its own`,
      );
    seen.set(port, key);
    if (!(await isPortFree(port))) throw new PortInUseError(port, PORT_ENV[key], PORT_NAMES[key]);
  }
  return ports;
}

/** Reads SANDBOX_PORTS / SANDBOX_*_PORT; throws with the variable's name on a bad value. */
export function portsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): 'ephemeral' | Partial<SandboxPorts> {
  if (env.SANDBOX_PORTS === 'ephemeral') return 'ephemeral';
  if (env.SANDBOX_PORTS !== undefined && env.SANDBOX_PORTS !== '' && env.SANDBOX_PORTS !== 'default') {
    throw new Error(
      'SANDBOX_PORTS: use "ephemeral" (any free ports) or leave it unset (the documented defaults)',
    );
  }
  const out: Partial<Record<keyof SandboxPorts, number>> = {};
  for (const key of Object.keys(PORT_ENV) as (keyof SandboxPorts)[]) {
    const raw = env[PORT_ENV[key]];
    if (raw === undefined || raw === '') continue;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`${PORT_ENV[key]}: "${raw}" is not a port number (1-65535)`);
    out[key] = port;
  }
  return out;
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/** Holds `count` listeners open at once so the ports are distinct, then releases them. */
async function reserveFreePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            resolve(server);
          });
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => {
            resolve();
          });
        }),
    ),
  );
  return ports;
}

export function urlBlock(sandbox: RunningSandbox): string {
  const u = sandbox.urls;
  const lines = [
    '',
    'CallBridge sandbox is running (demo organisation, nothing leaves this machine).',
    '',
    `  Teams dev host (Call tab)  ${u.host}`,
    `  Compose box (search)       ${u.compose}`,
    `  Sandbox console            ${u.console}`,
    `  Service health             ${u.health}`,
    '',
    `  The pages use the sandbox's local CA (${sandbox.tls.caPath}):`,
    '  trust it in your browser, or accept the certificate warning once per port.',
    '  Stop with Ctrl+C.',
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  let ports: 'ephemeral' | Partial<SandboxPorts>;
  try {
    ports = portsFromEnv(process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox({ ports, serviceEnv: process.env });
  } catch (error) {
    const message =
      error instanceof PortInUseError
        ? error.message
        : `The sandbox could not start: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  if (!sandbox.caTrusted) {
    process.stderr.write(
      `Warning: this process does not trust the sandbox CA, so the service cannot reach the HTTPS stand-ins.\nStart the sandbox with \`npm start\` (or set NODE_EXTRA_CA_CERTS=${sandbox.tls.caPath}).\n`,
    );
  }
  process.stdout.write(urlBlock(sandbox));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the service, then the stand-ins…\n`);
    const force = setTimeout(() => {
      process.stderr.write('The sandbox did not stop within 20 s; exiting anyway.\n');
      process.exit(1);
    }, 20_000);
    force.unref();
    void sandbox.stop().then(() => {
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(path.resolve(entry)).href) {
  void main();
}
