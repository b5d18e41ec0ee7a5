import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Shared measuring helpers: percentiles, latency summaries, timed sections and memory snapshots. */

export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of an ascending-sorted sample; `p` in 0..100. NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Median of a few values (e.g. one per round); NaN when empty. */
export function median(values: readonly number[]): number {
  return percentile(Float64Array.from(values).sort(), 50);
}

/** Summarizes samples (any unit; the load generator uses milliseconds). Does not modify `samples`. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/** Runs `fn` once and returns its value with the wall time it took, in milliseconds. */
export async function measure<T>(fn: () => Promise<T>): Promise<{ readonly value: T; readonly ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

export interface MemorySnapshot {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** C++ objects bound to JS, Buffers included (better-sqlite3's statements live here). */
  readonly external: number;
}

/**
 * Process memory in bytes, after two full collections when the process runs with
 * `--expose-gc` (so heap numbers mean "live", not "not yet collected").
 */
export function memorySnapshot(): MemorySnapshot {
  const gc = globalThis.gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external };
}

/**
 * Latency of appending 4 KiB and `fdatasync`-ing it in `dir`, `count` times: the floor under
 * every durable commit there (SQLite with synchronous=FULL pays one per transaction).
 */
export function fsyncLatency(dir: string, count = 200): LatencySummary {
  const file = path.join(dir, `fsync-probe-${process.pid}`);
  const fd = openSync(file, 'w');
  const page = Buffer.alloc(4096, 1);
  const samples = new Float64Array(count);
  try {
    for (let i = 0; i < count; i += 1) {
      const started = performance.now();
      writeSync(fd, page);
      fdatasyncSync(fd);
      samples[i] = performance.now() - started;
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return summarize(samples);
}

/** `ours / base`, or NaN when either is not a positive finite number. */
export function ratio(ours: number, base: number): number {
  return Number.isFinite(ours) && Number.isFinite(base) && base > 0 ? ours / base : Number.NaN;
}
