import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createService } from '../../../../bot/src/app.js';
import { loadConfig } from '../../../../bot/src/config/env.js';
import { createMetrics } from '../../../../bot/src/observability/metrics.js';
import {
  createPresenceEnrolment,
  type PresenceEnrolmentDeps,
} from '../../../../bot/src/presence-sync/enrolment/index.js';
import { openStore } from '../../../../bot/src/store/open.js';
import type { Store } from '../../../../bot/src/store/store.js';
import type { EntraStandIn } from '../../../../sandbox/src/entra/index.js';
import { serviceSsoValidator } from '../../../sandbox/entra/fixture.js';
import { captureLogs } from '../../../support/log-capture.js';

/** The enrolment routes in a real service over a temporary SQLite store, called with real Teams SSO tokens. */
export interface EnrolmentApp {
  readonly store: Store;
  call(
    method: 'GET' | 'PUT',
    route: string,
    who: string | undefined,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export type EnrolmentPorts = Omit<PresenceEnrolmentDeps, 'store' | 'validator' | 'logger'>;

export async function startEnrolmentApp(
  entra: EntraStandIn,
  ports: (store: Store) => EnrolmentPorts,
): Promise<EnrolmentApp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'enrolment-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, SHUTDOWN_TIMEOUT_MS: '2000' });
  assert.ok(config.ok);
  const { logger } = captureLogs('debug');
  const opened = await openStore(config.value.store, logger);
  assert.ok(opened.ok);
  const store = opened.value;
  const validator = serviceSsoValidator(entra.url);
  const enrolment = createPresenceEnrolment({ store, validator, logger, ...ports(store) });
  const service = createService({
    config: config.value,
    logger,
    metrics: createMetrics({ collectDefaults: false }),
    readiness: [],
    routes: [...enrolment.routes],
    daemons: [],
    guard: store.guard,
    closeables: [],
  });
  const base = `http://127.0.0.1:${String(await service.start())}`;
  return {
    store,
    async call(method, route, who, body) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (who !== undefined) headers.authorization = `Bearer ${await entra.ssoToken(who)}`;
      const res = await fetch(`${base}${route}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async close() {
      await service.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
