import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createTokenVault } from '../../../bot/src/auth/token-vault.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import { GraphClient } from '../../../bot/src/integrations/graph/graph.client.js';
import { createLogger } from '../../../bot/src/observability/logger.js';
import { err } from '../../../bot/src/shared/result.js';
import type { Store } from '../../../bot/src/store/store.js';
import { WEBEX_LINK_SCOPES, WebexTokenService } from '../../../bot/src/webex-link/index.js';
import { SANDBOX_IDS, startSandbox, type RunningSandbox } from '../../../sandbox/src/launch.js';
import type { DemoUser } from '../../../sandbox/src/seed/org.js';

/**
 * The composed service in the whole sandbox (Entra, Graph, Webex stand-ins) for the Call tab API:
 * requests carry a real Teams SSO token from the Entra stand-in; Webex is linked by storing a
 * grant the Webex stand-in issued, through a second handle on the service's own database.
 */

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
}

export interface CallTabWorld {
  readonly sandbox: RunningSandbox;
  /** The service's own store, for state a test must arrange (e.g. admin consent). */
  readonly store: Store;
  /** The service's log lines so far. */
  lines(): string[];
  /** Every response body read, to check none carries a token. */
  readonly bodies: string[];
  api(aadObjectId: string, method: string, route: string, body?: unknown): Promise<ApiAnswer>;
  /** Links the user's Webex account (as the link flow would) and returns their Webex person id. */
  linkWebex(user: DemoUser): Promise<string>;
  /** A Graph client acting as the user (straight to the Graph stand-in, as another device would). */
  graphAs(aadObjectId: string): GraphClient;
  /** Demo users with a Webex Calling account, distinct per call. */
  callingUser(): DemoUser & { webex: NonNullable<DemoUser['webex']> };
  stop(): Promise<void>;
}

export interface CallTabWorldOptions {
  /** The service's database (default: SQLite in the world's data directory). */
  readonly databaseUrl?: string;
}

export async function startCallTabWorld(
  options: CallTabWorldOptions = {},
): Promise<CallTabWorld | undefined> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'callbridge-call-tab-'));
  const chunks: string[] = [];
  const sandbox = await startSandbox({
    ports: 'ephemeral',
    dataDir,
    serviceEnv: { LOG_LEVEL: 'debug', DATABASE_URL: options.databaseUrl },
    collectDefaultMetrics: false,
    logDestination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });
  if (!sandbox.caTrusted) {
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
    return undefined;
  }
  const config = loadConfig({ CALLBRIDGE_MODE: 'sandbox', DATA_DIR: dataDir });
  assert.ok(config.ok);
  const quiet = createLogger({ level: 'silent' });
  const store: Store = sandbox.store;
  const tokens = new WebexTokenService({
    store,
    vault: createTokenVault(config.value.tokenVault),
    oauth: { refresh: () => Promise.resolve(err({ code: 'invalid_grant' as const, status: 400 })) },
    logger: quiet,
  });
  const bodies: string[] = [];
  const used = new Set<string>();

  return {
    sandbox,
    store,
    bodies,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0),
    async api(aadObjectId, method, route, body) {
      const token = await sandbox.standIns.entra.ssoToken(aadObjectId);
      const response = await fetch(`${sandbox.urls.service}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      bodies.push(text);
      return {
        status: response.status,
        headers: response.headers,
        text,
        body: text === '' ? undefined : JSON.parse(text),
      };
    },
    async linkWebex(demo) {
      assert.ok(demo.webex !== undefined, 'the demo user has a Webex account');
      const user = await store.users.upsert({ tenantId: sandbox.org.tenantId, aadObjectId: demo.id });
      const linked = await store.users.linkWebex(user.id, {
        personId: demo.webex.personId,
        orgId: sandbox.standIns.webex.orgId,
      });
      assert.ok(linked.ok);
      const grant = sandbox.standIns.webex.issueTokens(demo.webex.personId, WEBEX_LINK_SCOPES);
      const saved = await tokens.saveGrant(linked.value, {
        accessToken: grant.access_token,
        accessExpiresInSec: grant.expires_in,
        refreshToken: grant.refresh_token,
        refreshExpiresInSec: grant.refresh_token_expires_in,
      });
      assert.ok(saved.ok);
      return demo.webex.personId;
    },
    graphAs(aadObjectId) {
      return new GraphClient({
        baseUrl: sandbox.urls.graph,
        policy: { maxRetries: 0 },
        getAccessToken: () =>
          sandbox.standIns.entra.mintAccessToken({
            resource: 'https://graph.microsoft.com',
            clientId: SANDBOX_IDS.clientId,
            userId: aadObjectId,
            scopes: ['User.ReadWrite', 'User.Read.All', 'Presence.Read.All'],
          }),
      });
    },
    callingUser() {
      const next = sandbox.org.users.find(
        (u): u is DemoUser & { webex: NonNullable<DemoUser['webex']> } =>
          u.webex?.calling === true && !used.has(u.id),
      );
      assert.ok(next !== undefined, 'enough Webex Calling users in the demo org');
      used.add(next.id);
      return next;
    },
    async stop() {
      await sandbox.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers the suite's `before`/`after` hooks for one world (skipping the suite when the sandbox
 * CA is not trusted) and returns its getter; call inside `describe`.
 */
export function useCallTabWorld(options: CallTabWorldOptions = {}): () => CallTabWorld {
  let world: CallTabWorld | undefined;
  before(async function () {
    world = await startCallTabWorld(options);
    if (world === undefined) {
      console.log('      (skipped: the sandbox CA is not trusted; run through node scripts/test.mjs)');
      this.skip();
    }
  });
  after(async () => {
    await world?.stop();
  });
  return () => {
    assert.ok(world !== undefined, 'the call tab world is running');
    return world;
  };
}
