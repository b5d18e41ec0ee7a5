import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median, summarize, type LatencySummary } from './measure.js';

/**
 * A closed-loop HTTP load generator on `node:http` with keep-alive: `concurrency` requests are
 * always in flight (each worker sends its next request when the previous answer has been read),
 * so throughput and latency are measured together at a fixed, known load. Loopback only.
 */
export interface LoadSpec {
  /** `http://127.0.0.1:<port>/path`; anything but loopback is refused. */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** Request body; every `%i%` is replaced by the request's index, so bodies differ deterministically. */
  readonly bodyTemplate?: string;
  /**
   * Makes each request's body and extra headers instead of `bodyTemplate`, when a request needs
   * what a template cannot give: the time it is sent, or a signature over its own body.
   */
  readonly requestMaker?: RequestMakerRef;
  readonly contentType?: string;
  /** Requests sent first and not measured: opens the sockets, warms the JIT and caches. */
  readonly warmup: number;
  /** Measured requests. */
  readonly requests: number;
  readonly concurrency: number;
  /** A phase stops sending new requests after this long; the result then says `truncated`. */
  readonly maxSeconds: number;
  /** Status every answer must have; anything else counts as an error. */
  readonly expectStatus: number;
}

/** One request's body (none: no body) and extra headers, made by a {@link RequestMakerRef}. */
export interface MadeRequest {
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Called once per request, with its index (warm-up requests first), just before it is sent. */
export type RequestMaker = (index: number) => MadeRequest;

/**
 * A request maker by module and export name, not a function, so the spec still crosses to the
 * generator process: the generator imports `module` and calls `module[exportName](options)` once
 * per load to get the {@link RequestMaker}. `options` must survive JSON (IPC). The maker runs on
 * the generator's CPU, so signing and the like are not charged to the server.
 */
export interface RequestMakerRef {
  /** A `file:` URL (`import.meta.url` of the module exporting the factory). */
  readonly module: string;
  readonly exportName: string;
  readonly options?: unknown;
}

export async function loadRequestMaker(ref: RequestMakerRef): Promise<RequestMaker> {
  const loaded = (await import(ref.module)) as Record<string, unknown>;
  const factory = loaded[ref.exportName];
  if (typeof factory !== 'function')
    throw new Error(`${ref.module} does not export a request maker factory named ${ref.exportName}`);
  const maker = (factory as (options: unknown) => unknown)(ref.options);
  if (typeof maker !== 'function')
    throw new Error(`${ref.exportName}(options) in ${ref.module} must return (index) => request`);
  return maker as RequestMaker;
}

export interface LoadResult {
  /** Measured requests completed (answered with any status). */
  readonly completed: number;
  /** Warm-up requests completed: fewer than asked when the warm-up hit `maxSeconds`. */
  readonly warmupCompleted: number;
  /** Answers with another status than expected, or requests that failed at the socket. */
  readonly errors: number;
  readonly firstError: string | null;
  readonly seconds: number;
  /** Completed requests per second of the measured phase. */
  readonly rps: number;
  /** Milliseconds from sending the request to reading the last byte of the answer. */
  readonly latency: LatencySummary;
  /** The measured phase hit `maxSeconds` before `requests` were sent. */
  readonly truncated: boolean;
  /** The generator process's CPU time during the measured phase, in cores (near 1: it was the bottleneck). */
  readonly generatorCpu: number;
  /** The serving (calling) process during the measured phase; null when the generator shares it. */
  readonly server: ServerUsage | null;
}

export interface ServerUsage {
  /** CPU time in cores, all threads (near 1: the server was the bottleneck). */
  readonly cpu: number;
  /** The part of `cpu` spent in the kernel (sockets, file writes, fsync). */
  readonly cpuKernel: number;
  /** CPU time per completed request, in microseconds: the server's cost, whoever the bottleneck. */
  readonly cpuMicrosPerRequest: number;
  /** How late timers ran: high values mean synchronous work held the event loop. */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** CPU used by every process of the machine, in cores: well above generator + server means other work competed. */
  readonly machineCpu: number;
}

export interface LoadGenerator {
  readonly mode: LoadMode;
  run(spec: LoadSpec): Promise<LoadResult>;
  close(): Promise<void>;
}

/** `child`: the generator runs in its own process (own core); `inproc`: it shares the server's event loop. */
export type LoadMode = 'child' | 'inproc';

/** Runs one load (warm-up phase, then measured phase) in this process. */
export async function runLoad(
  spec: LoadSpec,
  onMeasuring: () => void = () => undefined,
): Promise<LoadResult> {
  const target = new URL(spec.url);
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`load generator only sends to loopback http, not ${spec.url}`);
  }
  const maker = spec.requestMaker === undefined ? undefined : await loadRequestMaker(spec.requestMaker);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const template = spec.bodyTemplate?.split('%i%');
  const requestOf = (i: number): MadeRequest => {
    if (maker !== undefined) return maker(i);
    const body = template?.join(String(i));
    return body === undefined ? {} : { body };
  };
  let firstError: string | null = null;
  const note = (message: string): void => {
    firstError ??= message;
  };

  const send = ({ body, headers: extra }: MadeRequest): Promise<number> =>
    new Promise((resolve) => {
      const headers: http.OutgoingHttpHeaders = {};
      if (body !== undefined) {
        headers['content-type'] = spec.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      if (extra !== undefined) Object.assign(headers, extra);
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: spec.method,
          headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            resolve(res.statusCode ?? 0);
          });
          res.on('error', (error) => {
            note(error.message);
            resolve(0);
          });
        },
      );
      req.on('error', (error) => {
        note(error.message);
        resolve(0);
      });
      req.end(body);
    });

  /** Sends requests `from`..`from + count - 1` with `concurrency` in flight. */
  const phase = async (from: number, count: number, latencies: Float64Array | null) => {
    const deadline = performance.now() + spec.maxSeconds * 1000;
    let next = 0;
    let completed = 0;
    let errors = 0;
    const worker = async (): Promise<void> => {
      while (next < count && performance.now() < deadline) {
        const index = next;
        next += 1;
        // Made before the clock starts: the latency is the server's answer, not our signing.
        const request = requestOf(from + index);
        const started = performance.now();
        const status = await send(request);
        const elapsed = performance.now() - started;
        if (latencies !== null) latencies[completed] = elapsed;
        completed += 1;
        if (status !== spec.expectStatus) {
          errors += 1;
          if (status !== 0) note(`status ${status}`);
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: Math.min(spec.concurrency, Math.max(count, 1)) }, worker));
    return { completed, errors, seconds: (performance.now() - started) / 1000 };
  };

  try {
    const warm = await phase(0, spec.warmup, null);
    const latencies = new Float64Array(spec.requests);
    onMeasuring();
    const cpuBefore = process.cpuUsage();
    const measured = await phase(spec.warmup, spec.requests, latencies);
    const generatorCpu = cpuFraction(cpuBefore, measured.seconds);
    return {
      completed: measured.completed,
      warmupCompleted: warm.completed,
      errors: measured.errors + warm.errors,
      firstError,
      seconds: measured.seconds,
      rps: measured.completed / measured.seconds,
      latency: summarize(latencies.subarray(0, measured.completed)),
      truncated: measured.completed < spec.requests,
      generatorCpu,
      server: null,
    };
  } finally {
    agent.destroy();
  }
}

function cpuFraction(since: NodeJS.CpuUsage, seconds: number): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6 / seconds;
}

/**
 * One result from several rounds of the same load: counts add up, rates, latencies and CPU
 * are the median over rounds, so one round disturbed by another process moves nothing.
 */
export function combineRounds(rounds: readonly LoadResult[]): LoadResult {
  const mid = (pick: (r: LoadResult) => number): number => median(rounds.map(pick));
  const servers = rounds.map((r) => r.server).filter((v): v is ServerUsage => v !== null);
  const serverMid = (pick: (u: ServerUsage) => number): number => median(servers.map(pick));
  return {
    completed: rounds.reduce((sum, r) => sum + r.completed, 0),
    warmupCompleted: rounds.reduce((sum, r) => sum + r.warmupCompleted, 0),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    firstError: rounds.find((r) => r.firstError !== null)?.firstError ?? null,
    seconds: rounds.reduce((sum, r) => sum + r.seconds, 0),
    rps: mid((r) => r.rps),
    latency: {
      count: rounds.reduce((sum, r) => sum + r.latency.count, 0),
      mean: mid((r) => r.latency.mean),
      p50: mid((r) => r.latency.p50),
      p90: mid((r) => r.latency.p90),
      p99: mid((r) => r.latency.p99),
      max: Math.max(...rounds.map((r) => r.latency.max)),
    },
    truncated: rounds.some((r) => r.truncated),
    generatorCpu: mid((r) => r.generatorCpu),
    server:
      servers.length === 0
        ? null
        : {
            cpu: serverMid((u) => u.cpu),
            cpuKernel: serverMid((u) => u.cpuKernel),
            cpuMicrosPerRequest: serverMid((u) => u.cpuMicrosPerRequest),
            eventLoopDelayP99Ms: serverMid((u) => u.eventLoopDelayP99Ms),
            eventLoopDelayMaxMs: Math.max(...servers.map((u) => u.eventLoopDelayMaxMs)),
            machineCpu: serverMid((u) => u.machineCpu),
          },
  };
}

/** Busy milliseconds summed over all cores since boot. */
function machineBusyMs(): number {
  return os.cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

/** Starts watching this (the serving) process; call the result to stop and read the usage. */
function probeServer(): () => (result: LoadResult) => ServerUsage {
  const cpuSince = process.cpuUsage();
  const machineSince = machineBusyMs();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  return () => {
    delay.disable();
    return (result) => {
      const cpu = cpuFraction(cpuSince, result.seconds);
      return {
        cpu,
        cpuKernel: process.cpuUsage(cpuSince).system / 1e6 / result.seconds,
        cpuMicrosPerRequest:
          result.completed === 0 ? Number.NaN : (cpu * result.seconds * 1e6) / result.completed,
        eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
        eventLoopDelayMaxMs: delay.max / 1e6,
        machineCpu: (machineBusyMs() - machineSince) / 1000 / result.seconds,
      };
    };
  };
}

export function inProcessGenerator(): LoadGenerator {
  return { mode: 'inproc', run: runLoad, close: () => Promise.resolve() };
}

type ToChild = { readonly id: number; readonly spec: LoadSpec };
type FromChild =
  | { readonly id: number; readonly measuring: true }
  | { readonly id: number; readonly result: LoadResult }
  | { readonly id: number; readonly error: string };

/** Forks this module as a long-lived generator process and sends it one load at a time. */
export function childGenerator(): LoadGenerator {
  // execArgv is inherited, so the child has tsx's loader like this process.
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--load-child'], { stdio: 'inherit' });
  interface Pending {
    resolve: (r: LoadResult) => void;
    reject: (e: Error) => void;
    probe?: () => (result: LoadResult) => ServerUsage;
  }
  const waiting = new Map<number, Pending>();
  let nextId = 0;
  child.on('message', (raw) => {
    const message = raw as FromChild;
    const pending = waiting.get(message.id);
    if (pending === undefined) return;
    if ('measuring' in message) {
      pending.probe = probeServer();
      return;
    }
    waiting.delete(message.id);
    if ('error' in message) {
      pending.reject(new Error(`load generator: ${message.error}`));
      return;
    }
    const server = pending.probe?.()(message.result) ?? null;
    pending.resolve({ ...message.result, server });
  });
  child.on('exit', (code) => {
    for (const pending of waiting.values()) pending.reject(new Error(`load generator exited (${code})`));
    waiting.clear();
  });
  return {
    mode: 'child',
    run: (spec) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        child.send({ id, spec } satisfies ToChild);
      }),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.disconnect();
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--load-child')) {
  process.on('message', (raw) => {
    const { id, spec } = raw as ToChild;
    runLoad(spec, () => process.send?.({ id, measuring: true } satisfies FromChild)).then(
      (result) => process.send?.({ id, result } satisfies FromChild),
      (error: unknown) =>
        process.send?.({
          id,
          error: error instanceof Error ? error.message : String(error),
        } satisfies FromChild),
    );
  });
}
