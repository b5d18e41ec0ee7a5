import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, type Service } from '../../../bot/src/app.js';
import { loadConfig, type Config } from '../../../bot/src/config/env.js';
import { createMetrics } from '../../../bot/src/observability/metrics.js';
import { openStore } from '../../../bot/src/store/open.js';
import type { Store } from '../../../bot/src/store/store.js';
import { createBotRoute, type BotRouteDeps, type BotRouteParts } from '../../../bot/src/teams/bot-route.js';
import type { SingletonGuard } from '../../../bot/src/workers/daemon.js';
import { startBotChannel, type RunningBotChannel } from '../../../sandbox/src/botchannel/index.js';
import { createDemoOrg, DEMO_TENANT_ID, type DemoOrg } from '../../../sandbox/src/seed/org.js';
import { captureLogs } from '../../support/log-capture.js';

/**
 * The real service (createService + the bot route with the default CallBridgeBot, real
 * botbuilder authentication) on port 0, an embedded SQLite store on a clock the test moves, and
 * the Bot Framework channel stand-in with its client-credentials token endpoint.
 */

export const BOT_ID = '00000000-0000-4000-8000-00000000b075';
export const BOT_PASSWORD = 'bot-harness-test-secret';
export { DEMO_TENANT_ID };

/** Runs every singleton tick here: these tests have one instance. */
export const alwaysRun: SingletonGuard = {
  runExclusive: async (_name, fn) => ({ ran: true, value: await fn() }),
};

export interface BotHarness {
  readonly org: DemoOrg;
  readonly channel: RunningBotChannel;
  readonly service: Service;
  readonly store: Store;
  readonly bot: BotRouteParts;
  readonly config: Config;
  readonly clock: { now: number };
  readonly lines: () => string[];
  readonly logger: ReturnType<typeof captureLogs>['logger'];
  stop(): Promise<void>;
}

export function configFor(channel: RunningBotChannel, extra: Record<string, string> = {}): Config {
  const loaded = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    BOT_ID,
    BOT_PASSWORD,
    BOT_FRAMEWORK_OPENID_METADATA_URL: channel.openIdMetadataUrl,
    AAD_APP_OAUTH_AUTHORITY_HOST: channel.tokenAuthorityHost ?? '',
    ...extra,
  });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  return loaded.value;
}

/**
 * `botDeps` adds to the bot route's dependencies (the store is always given); it receives the
 * store, logger and clock the harness built, so fakes can share them.
 */
export async function startBotHarness(
  botDeps: (parts: {
    readonly store: Store;
    readonly logger: BotHarness['logger'];
    readonly clock: { now: number };
  }) => Omit<BotRouteDeps, 'store'> = () => ({}),
): Promise<BotHarness> {
  const org = createDemoOrg();
  let endpoint = '';
  const channel = await startBotChannel({
    botEndpoint: () => endpoint,
    botAppId: BOT_ID,
    tenantId: DEMO_TENANT_ID,
    org,
    botAppPassword: BOT_PASSWORD,
  });
  const config = configFor(channel);
  const { logger, lines } = captureLogs();
  const dir = mkdtempSync(join(tmpdir(), 'callbridge-bot-'));
  const clock = { now: Date.parse('2026-03-02T09:00:00Z') };
  const opened = await openStore({ dataDir: dir, databaseUrl: undefined }, logger, { now: () => clock.now });
  assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
  const store = opened.value;
  const bot = createBotRoute(config, logger, { ...botDeps({ store, logger, clock }), store });
  const service = createService({
    config,
    logger,
    metrics: createMetrics({ collectDefaults: false }),
    readiness: [],
    routes: bot.routes,
    daemons: [],
    guard: alwaysRun,
    closeables: [],
  });
  const port = await service.start();
  endpoint = `http://127.0.0.1:${port}/api/messages`;
  return {
    org,
    channel,
    service,
    store,
    bot,
    config,
    clock,
    lines,
    logger,
    stop: async () => {
      await service.stop();
      await channel.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
