import type { Registry } from 'prom-client';
import type { Route } from '../route.js';

export function getMetrics(registry: Registry): Route {
  return {
    method: 'get',
    path: '/metrics',
    handler: async (_req, res) => {
      const body = await registry.metrics();
      res.setHeader('content-type', registry.contentType);
      res.sendRaw(200, body);
    },
  };
}
