import type { Route } from '../route.js';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean>;
}

/** Readiness: every dependency the service needs to do its job answers. */
export function getReadyz(checks: readonly ReadinessCheck[]): Route {
  return {
    method: 'get',
    path: '/readyz',
    handler: async (_req, res) => {
      const results = await Promise.all(
        checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const),
      );
      const ready = results.every(([, okay]) => okay);
      res.status(ready ? 200 : 503);
      res.json({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
    },
  };
}
