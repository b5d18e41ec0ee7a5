import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTokenKeyRing } from '../../../../bot/src/auth/key-ring.js';
import {
  createEntraTokenClient,
  type EntraTokenClient,
} from '../../../../bot/src/auth/obo/entra-token-client.js';
import type { NeedsSignInReason } from '../../../../bot/src/auth/obo/errors.js';
import {
  createGraphTokenService,
  type GraphTokenService,
} from '../../../../bot/src/auth/obo/graph-token-service.js';
import {
  createSsoValidator,
  type SsoIdentity,
  type SsoValidator,
} from '../../../../bot/src/auth/sso-validator.js';
import { createTokenVault, type TokenVault } from '../../../../bot/src/auth/token-vault.js';
import type { Logger } from '../../../../bot/src/observability/logger.js';
import { openStore } from '../../../../bot/src/store/open.js';
import type { Store, User } from '../../../../bot/src/store/store.js';
import { startEntra, type EntraStandIn } from '../../../../sandbox/src/entra/index.js';
import { SANDBOX_IDS, sandboxApps } from '../../../../sandbox/src/launch.js';
import { createDemoOrg, type DemoOrg } from '../../../../sandbox/src/seed/org.js';
import { loadSandboxTls } from '../../../../sandbox/src/tls/index.js';
import { captureLogs } from '../../../support/log-capture.js';

/**
 * The real pieces the Graph token service runs with: the Entra stand-in over HTTPS (sandbox
 * TLS), a temporary SQLite store, the real vault, the real SSO validator, all on one fake clock,
 * and one captured log for everything (to prove no token or email is ever written).
 */

const TLS_DIR = fileURLToPath(new URL('../../../../.data/sandbox-tls', import.meta.url));
export const CLIENT_ID = SANDBOX_IDS.clientId;
export const APPLICATION_ID_URI = `api://localhost/botid-${SANDBOX_IDS.botId}`;

export interface Harness {
  readonly entra: EntraStandIn;
  readonly org: DemoOrg;
  readonly store: Store;
  readonly vault: TokenVault;
  readonly validator: SsoValidator;
  readonly logger: Logger;
  readonly lines: () => string[];
  readonly dataDir: string;
  readonly clientSecret: string;
  /** Every credential the test saw (SSO, access, refresh): none may reach a log or the database file. */
  readonly secrets: Set<string>;
  /** Calls to `onNeedsSignIn`, in order. */
  readonly signInHooks: { userId: string; reason: NeedsSignInReason }[];
  now(): number;
  advance(ms: number): void;
  tokenClient(
    fetchImpl?: typeof fetch,
    clientSecret?: string,
  ): Pick<EntraTokenClient, 'onBehalfOf' | 'refresh'>;
  /** A service instance (as another worker or process would build it) sharing store, vault and clock. */
  service(options?: {
    fetch?: typeof fetch;
    client?: Pick<EntraTokenClient, 'onBehalfOf' | 'refresh'>;
  }): GraphTokenService;
  /** A fresh Teams SSO token for the user, validated the way the route does. */
  sso(aadObjectId: string): Promise<SsoIdentity>;
  enrolUser(aadObjectId: string): Promise<User>;
  /** The stored Graph refresh token, opened (the test's view; recorded as a secret). */
  storedRefreshToken(user: User): Promise<{ token: string; version: number } | undefined>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { refreshTokenGraceSeconds?: number; databaseUrl?: string } = {},
): Promise<Harness> {
  let clock = Date.now();
  const now = (): number => clock;
  const tls = await loadSandboxTls(TLS_DIR);
  const org = createDemoOrg();
  const clientSecret = randomBytes(24).toString('base64url');
  const entra = await startEntra({
    org,
    tls: { key: tls.key, cert: tls.cert },
    apps: sandboxApps({
      applicationIdUri: APPLICATION_ID_URI,
      redirectUris: [],
      clientSecret,
      botPassword: randomBytes(24).toString('base64url'),
    }),
    adminConsented: [CLIENT_ID],
    now,
    ...(options.refreshTokenGraceSeconds === undefined
      ? {}
      : { refreshTokenGraceSeconds: options.refreshTokenGraceSeconds }),
  });
  const { logger, lines } = captureLogs('trace');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'callbridge-obo-'));
  const opened = await openStore({ dataDir, databaseUrl: options.databaseUrl }, logger, { now });
  if (!opened.ok) throw opened.error;
  const store = opened.value;
  const ring = parseTokenKeyRing({
    keys: `k1:${randomBytes(32).toString('base64')}`,
    activeKeyId: 'k1',
    mode: 'live',
  });
  if (!ring.ok) throw new Error(ring.error.join('; '));
  const vault = createTokenVault(ring.value);
  const validator = createSsoValidator({
    clientId: CLIENT_ID,
    applicationIdUri: APPLICATION_ID_URI,
    tenantId: entra.tenantId,
    authorityHost: entra.url,
    v1TokenIssuerHost: entra.url,
    allowedTenantIds: [entra.tenantId],
    now,
    logger,
  });
  const secrets = new Set<string>([clientSecret]);
  const signInHooks: { userId: string; reason: NeedsSignInReason }[] = [];

  const tokenClient = (
    fetchImpl?: typeof fetch,
    secret = clientSecret,
  ): Pick<EntraTokenClient, 'onBehalfOf' | 'refresh'> => {
    const inner = createEntraTokenClient({
      authorityHost: entra.url,
      tenantId: entra.tenantId,
      clientId: CLIENT_ID,
      clientSecret: secret,
      ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
    });
    // Record every token Entra issues (also those the service discards), for the leak checks.
    const record = <T extends Awaited<ReturnType<EntraTokenClient['refresh']>>>(result: T): T => {
      if (result.ok) {
        secrets.add(result.value.accessToken);
        if (result.value.refreshToken !== undefined) secrets.add(result.value.refreshToken);
      }
      return result;
    };
    return {
      onBehalfOf: async (assertion, scope) => record(await inner.onBehalfOf(assertion, scope)),
      refresh: async (refreshToken, scope) => record(await inner.refresh(refreshToken, scope)),
    };
  };

  const harness: Harness = {
    entra,
    org,
    store,
    vault,
    validator,
    logger,
    lines,
    dataDir,
    clientSecret,
    secrets,
    signInHooks,
    now,
    advance(ms) {
      clock += ms;
    },
    tokenClient,
    service(serviceOptions = {}) {
      const inner = createGraphTokenService({
        client: serviceOptions.client ?? tokenClient(serviceOptions.fetch),
        store,
        vault,
        logger,
        now,
        onNeedsSignIn: (user, reason) => {
          signInHooks.push({ userId: user.id, reason });
        },
      });
      // Record every access token handed out, for the leak checks.
      return {
        async exchange(sso, user) {
          const result = await inner.exchange(sso, user);
          if (result.ok) secrets.add(result.value.token);
          return result;
        },
        async getAccessToken(userId) {
          const result = await inner.getAccessToken(userId);
          if (result.ok) secrets.add(result.value.token);
          return result;
        },
      };
    },
    async sso(aadObjectId) {
      const token = await entra.ssoToken(aadObjectId);
      secrets.add(token);
      const validated = await validator.validate(token);
      assert.ok(validated.ok, validated.ok ? '' : validated.error.message);
      return validated.value;
    },
    enrolUser(aadObjectId) {
      return store.users.upsert({ tenantId: entra.tenantId, aadObjectId });
    },
    async storedRefreshToken(user) {
      const key = { tenantId: user.tenantId, userId: user.id, kind: 'graph_refresh' as const };
      const record = await store.tokens.get(key);
      if (record === undefined) return undefined;
      const opened = vault.open(record.sealed, key);
      assert.ok(opened.ok);
      secrets.add(opened.value);
      return { token: opened.value, version: record.version };
    },
    async close() {
      await store.close();
      await entra.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Raw bytes of every file of the SQLite database (main file, WAL, shared memory). */
export async function databaseBytes(dataDir: string): Promise<Buffer> {
  const names = await readdir(dataDir, { recursive: true });
  const chunks: Buffer[] = [];
  for (const name of names) {
    try {
      chunks.push(await readFile(path.join(dataDir, name)));
    } catch {
      // a folder
    }
  }
  return Buffer.concat(chunks);
}

/** The pieces of a credential worth searching for: the whole string and, for JWTs, each part. */
export function fragmentsOf(secret: string): string[] {
  const parts = secret.split('.').filter((p) => p.length >= 16);
  return [secret, ...parts];
}

/** A fetch that holds every call until `count` calls have arrived, so they all race for real. */
export function barrierFetch(count: number): { fetch: typeof fetch; calls: () => number } {
  let arrived = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (release = resolve));
  return {
    fetch: async (input, init) => {
      arrived += 1;
      if (arrived === count) release();
      await all;
      return fetch(input, init);
    },
    calls: () => arrived,
  };
}
