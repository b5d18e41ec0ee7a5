import type { LoadGenerator, LoadResult, LoadSpec } from './load.js';
import { ratio } from './measure.js';

/** One benchmark: a file in bench/ exporting one of these, listed in bench/run.ts. */
export interface Benchmark {
  /** Short id, also what `npm run bench -- <id>` selects. */
  readonly id: string;
  run(ctx: BenchContext): Promise<Section>;
}

export interface BenchContext {
  readonly load: LoadGenerator;
  /** A fresh directory per run, removed at the end. */
  readonly tmpDir: string;
  /**
   * The bare Node server's result for `method` under {@link HTTP_LOAD}: what the HTTP benchmark
   * recorded when it ran first, else measured once now; shared by every benchmark of the run.
   */
  bare(method: LoadSpec['method']): Promise<LoadResult>;
  recordBare(method: LoadSpec['method'], result: LoadResult): void;
}

export type Format = 'int' | 'ms' | 'ratio' | 'bytes' | 'text';

export interface Column {
  readonly key: string;
  readonly label: string;
  readonly format: Format;
}

export interface Row {
  readonly case: string;
  /** When set the row has no numbers; the table prints "skipped: <reason>". */
  readonly skipped?: string;
  readonly values: Readonly<Record<string, number | string>>;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  /** Context a reader needs: file system, server settings, truncation, errors. */
  readonly notes: readonly string[];
  /** Full measurements for the JSON file (all percentiles, raw bytes). */
  readonly raw?: unknown;
}

/** The fixed load of one HTTP throughput round: 32 in flight, 1,000 warm-up then 7,000 measured. */
export const HTTP_LOAD = { warmup: 1_000, requests: 7_000, concurrency: 32, maxSeconds: 10 } as const;
/** Rounds the HTTP benchmark alternates its cases over; results are medians over rounds. */
export const HTTP_ROUNDS = 3;

/** Columns for a load result compared with the bare server; CPU is the serving process's (child generator only). */
export const LOAD_COLUMNS: readonly Column[] = [
  { key: 'rps', label: 'req/s', format: 'int' },
  { key: 'p50', label: 'p50 ms', format: 'ms' },
  { key: 'p99', label: 'p99 ms', format: 'ms' },
  { key: 'cpu', label: 'CPU µs/req', format: 'int' },
  { key: 'rpsVsBare', label: 'req/s ÷ bare', format: 'ratio' },
  { key: 'p50VsBare', label: 'p50 ÷ bare', format: 'ratio' },
  { key: 'p99VsBare', label: 'p99 ÷ bare', format: 'ratio' },
  { key: 'cpuVsBare', label: 'CPU ÷ bare', format: 'ratio' },
];

export function loadRow(name: string, result: LoadResult, bare: LoadResult): Row {
  return {
    case: name,
    values: {
      rps: result.rps,
      p50: result.latency.p50,
      p99: result.latency.p99,
      cpu: result.server?.cpuMicrosPerRequest ?? Number.NaN,
      rpsVsBare: ratio(result.rps, bare.rps),
      p50VsBare: ratio(result.latency.p50, bare.latency.p50),
      p99VsBare: ratio(result.latency.p99, bare.latency.p99),
      cpuVsBare: ratio(
        result.server?.cpuMicrosPerRequest ?? Number.NaN,
        bare.server?.cpuMicrosPerRequest ?? Number.NaN,
      ),
    },
  };
}

const pct = (fraction: number): string => `${Math.round(fraction * 100)}%`;

/** CPU the machine spent on neither the generator nor the server during the measured phase, in cores. */
export function othersCpu(result: LoadResult): number {
  return result.server === null
    ? Number.NaN
    : Math.max(0, result.server.machineCpu - result.server.cpu - result.generatorCpu);
}

/**
 * One line on how clean a load result is: where the CPU went (in cores), which side was the
 * bottleneck, the server's event-loop delay, and any errors, truncation or competing processes.
 */
export function loadNote(name: string, result: LoadResult, othersInclude?: string): string {
  const parts = [`generator ${pct(result.generatorCpu)}`];
  if (result.server === null) parts.push('(in process: shared with the server)');
  else {
    parts.push(
      `server ${pct(result.server.cpu)} (kernel ${pct(result.server.cpuKernel)})`,
      `other processes${othersInclude === undefined ? '' : ` (${othersInclude} included)`} ${pct(othersCpu(result))}`,
    );
  }
  const bound =
    result.server === null
      ? undefined
      : result.generatorCpu > 0.9
        ? 'generator-bound: read CPU µs/req'
        : result.server.cpu > 0.9
          ? 'server-bound'
          : undefined;
  const flags = [
    ...(bound === undefined ? [] : [bound]),
    ...(result.server === null
      ? []
      : [`event-loop delay p99 ${result.server.eventLoopDelayP99Ms.toFixed(1)} ms`]),
    ...(result.errors > 0 ? [`${result.errors} ERRORS (first: ${result.firstError ?? 'unknown'})`] : []),
    ...(result.truncated ? [`STOPPED at the time limit after ${result.completed} requests`] : []),
    ...(othersInclude === undefined && othersCpu(result) > 0.2 ? ['NOISY: other processes competed'] : []),
  ];
  return [`${name}: CPU ${parts.join(', ')}`, ...flags].join('; ');
}
