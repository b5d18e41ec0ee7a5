import { Counter, Histogram, type Registry } from 'prom-client';

/** What the engine counts, on the service's registry (Prometheus at /metrics). */
export interface PresenceMetrics {
  /** Outbound writes that succeeded, by target (`teams.set`, `teams.keepalive`, `teams.clear`, `webex.dnd.on`…). */
  readonly writes: Counter<'target'>;
  /** Rounds that saw our own Teams session and did not mirror it. */
  readonly echoSuppressed: Counter;
  /** Rounds put off, by reason (`damped`, `tenant_rate_limited`, `throttled`…). */
  readonly deferred: Counter<'reason'>;
  /** Notification received → write done, per direction: our part of the propagation. */
  readonly propagation: Histogram<'direction'>;
}

export function createPresenceMetrics(registry: Registry): PresenceMetrics {
  const existing = (name: string): unknown => registry.getSingleMetric(name);
  return {
    writes:
      (existing('callbridge_presence_writes_total') as Counter<'target'> | undefined) ??
      new Counter({
        name: 'callbridge_presence_writes_total',
        help: 'Presence writes made by presence sync, by target',
        labelNames: ['target'],
        registers: [registry],
      }),
    echoSuppressed:
      (existing('callbridge_presence_echo_suppressed_total') as Counter | undefined) ??
      new Counter({
        name: 'callbridge_presence_echo_suppressed_total',
        help: 'Rounds whose Teams presence was our own session, not mirrored to Webex',
        registers: [registry],
      }),
    deferred:
      (existing('callbridge_presence_deferred_total') as Counter<'reason'> | undefined) ??
      new Counter({
        name: 'callbridge_presence_deferred_total',
        help: 'Presence sync rounds put off (damping, tenant budget, throttling, outages), by reason',
        labelNames: ['reason'],
        registers: [registry],
      }),
    propagation:
      (existing('callbridge_presence_propagation_seconds') as Histogram<'direction'> | undefined) ??
      new Histogram({
        name: 'callbridge_presence_propagation_seconds',
        help: 'From a notification reaching the service to the write it caused, per direction',
        labelNames: ['direction'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
        registers: [registry],
      }),
  };
}
