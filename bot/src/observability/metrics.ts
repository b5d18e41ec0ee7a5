import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per service instance (not prom-client's global), so tests can run several
 * instances in one process. Capabilities add their own metrics to `registry`.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'method'>;
  readonly httpErrors: Counter<'route' | 'method'>;
}

export function createMetrics(options: { collectDefaults: boolean }): Metrics {
  const registry = new Registry();
  if (options.collectDefaults) collectDefaultMetrics({ register: registry, prefix: 'callbridge_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'callbridge_http_requests_total',
      help: 'HTTP requests by route template, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'callbridge_http_request_duration_seconds',
      help: 'HTTP request duration by route template',
      labelNames: ['route', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    httpErrors: new Counter({
      name: 'callbridge_http_request_errors_total',
      help: 'HTTP requests that ended in an unexpected server error',
      labelNames: ['route', 'method'],
      registers: [registry],
    }),
  };
}
