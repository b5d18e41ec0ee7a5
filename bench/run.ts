import './lib/quiet.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HTTP_LOAD, type BenchContext, type Benchmark, type Section } from './lib/bench.js';
import {
  childGenerator,
  inProcessGenerator,
  type LoadGenerator,
  type LoadResult,
  type LoadSpec,
} from './lib/load.js';
import { renderSection, writeJson } from './lib/report.js';
import { graphNotificationTemplate, startBareServer } from './lib/servers.js';
import { bootstrapLatency } from './bootstrap.js';
import { httpOverhead } from './httpOverhead.js';
import { inboxIntake } from './inboxIntake.js';
import { intakeRoutes } from './intakeRoutes.js';
import { presencePropagation } from './presence-propagation.js';
import { storeMemory } from './storeMemory.js';
import { tabBundle } from './tabBundle.js';

/**
 * `npm run bench [-- <id>...]`: runs the benchmarks (all, or those named), prints a table per
 * benchmark and writes test-output/bench/results.json. BENCH_LOADGEN=inproc runs the load
 * generator in this process instead of a child process.
 */
const BENCHMARKS: readonly Benchmark[] = [
  httpOverhead,
  inboxIntake,
  intakeRoutes,
  storeMemory,
  presencePropagation,
  bootstrapLatency,
  tabBundle,
];
const RESULTS_FILE = path.resolve('test-output/bench/results.json');
const BUDGET_SECONDS = 120;

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = wanted.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => wanted.includes(b.id));
if (selected.length === 0) {
  console.error(`unknown benchmark: ${wanted.join(', ')} (known: ${BENCHMARKS.map((b) => b.id).join(', ')})`);
  process.exit(2);
}

const started = performance.now();
/**
 * Load phases share this many seconds in all, so the run stays within its budget even when
 * something is slow (they take about 15 s normally); the memory benchmark caps itself at 60 s.
 */
const LOAD_BUDGET_SECONDS = 50;
const generator = process.env.BENCH_LOADGEN === 'inproc' ? inProcessGenerator() : childGenerator();
let loadSeconds = 0;
const load: LoadGenerator = {
  mode: generator.mode,
  async run(spec) {
    const remaining = LOAD_BUDGET_SECONDS - loadSeconds;
    const t0 = performance.now();
    try {
      // Two phases (warm-up, measured) per run; a run past the budget stops early and says so.
      return await generator.run({
        ...spec,
        maxSeconds: Math.max(1, Math.min(spec.maxSeconds, remaining / 2)),
      });
    } finally {
      loadSeconds += (performance.now() - t0) / 1000;
    }
  },
  close: () => generator.close(),
};
const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'callbridge-bench-'));
const bareResults = new Map<string, Promise<LoadResult>>();
const ctx: BenchContext = {
  load,
  tmpDir,
  bare(method) {
    let result = bareResults.get(method);
    if (result === undefined) {
      result = measureBare(method);
      bareResults.set(method, result);
    }
    return result;
  },
  recordBare(method, result) {
    bareResults.set(method, Promise.resolve(result));
  },
};

async function measureBare(method: LoadSpec['method']): Promise<LoadResult> {
  const bare = await startBareServer();
  try {
    return await load.run({
      ...HTTP_LOAD,
      url: `${bare.base}/`,
      method,
      ...(method === 'POST' ? { bodyTemplate: graphNotificationTemplate() } : {}),
      expectStatus: 202,
    });
  } finally {
    await bare.close();
  }
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryBytes: os.totalmem(),
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
};
console.log(
  `CallBridge benchmarks — ${machine.cpus} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${machine.node}; load generator: ${load.mode === 'child' ? 'child process' : 'in process'}\n`,
);

const sections: Section[] = [];
try {
  for (const benchmark of selected) {
    const t0 = performance.now();
    const section = await benchmark.run(ctx);
    sections.push(section);
    console.log(`${renderSection(section)}\n(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
} finally {
  await load.close();
  rmSync(tmpDir, { recursive: true, force: true });
}

const seconds = (performance.now() - started) / 1000;
writeJson(RESULTS_FILE, {
  startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
  seconds,
  machine,
  loadGenerator: load.mode,
  sections,
});
console.log(
  `total ${seconds.toFixed(1)} s${seconds > BUDGET_SECONDS ? ` — over the ${BUDGET_SECONDS} s budget` : ''}; wrote ${path.relative(process.cwd(), RESULTS_FILE)}`,
);
