import './lib/quiet.js';
import { percentile, summarize } from './lib/measure.js';
import { startCallTabWorld } from '../tests/bot/call-tab/world.js';

/**
 * Child process of the bootstrap benchmark (it needs the sandbox CA trusted at start-up): the
 * composed service in the sandbox, Graph answering every request after 100 ms, one user with
 * speed dials for five colleagues and a linked Webex account. Prints one JSON line.
 */

const LATENCY_MS = 100;
const WARMUP = 10;
const SAMPLES = 100;

const world = await startCallTabWorld();
if (world === undefined) {
  console.log(JSON.stringify({ skipped: 'the sandbox CA is not trusted' }));
  process.exit(0);
}
try {
  const users = world.sandbox.org.users;
  const me = world.callingUser();
  await world.linkWebex(me);
  const colleagues = users.filter((u) => u.id !== me.id).slice(0, 5);
  const empty = await world.api(me.id, 'GET', '/api/speed-dials');
  const saved = await world.api(me.id, 'PUT', '/api/speed-dials', {
    entries: colleagues.map((c, i) => ({
      id: `c${String(i)}`,
      label: c.displayName,
      number: `41${String(i).padStart(2, '0')}`,
      aadObjectId: c.id,
    })),
    base: { version: (empty.body as { version: string }).version, entries: [] },
  });
  if (saved.status !== 200) throw new Error(`saving speed dials answered ${String(saved.status)}`);
  world.sandbox.standIns.graph.faults.setGlobalLatency(LATENCY_MS);

  // One upstream round trip: what a single Graph call costs the service's own client.
  const graph = world.graphAs(me.id);
  const upstream: number[] = [];
  for (let i = 0; i < 30; i += 1) {
    const t0 = performance.now();
    const got = await graph.getMe(['id']);
    if (!got.ok) throw new Error(`GET /me failed: ${got.error.code}`);
    upstream.push(performance.now() - t0);
  }

  const token = await world.sandbox.standIns.entra.ssoToken(me.id);
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const response = await fetch(`${world.sandbox.urls.service}/api/bootstrap`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { problems?: unknown[] };
    const ms = performance.now() - t0;
    if (response.status !== 200 || (body.problems ?? []).length > 1)
      throw new Error(`bootstrap answered ${String(response.status)} ${JSON.stringify(body.problems)}`);
    return ms;
  };
  for (let i = 0; i < WARMUP; i += 1) await once();
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) samples.push(await once());
  const sorted = Float64Array.from(samples).sort();
  console.log(
    JSON.stringify({
      latencyMs: LATENCY_MS,
      upstream: summarize(upstream),
      bootstrap: { ...summarize(samples), p95: percentile(sorted, 95) },
    }),
  );
} finally {
  await world.stop();
}
