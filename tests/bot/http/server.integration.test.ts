import assert from 'node:assert/strict';
import { createService, type Service } from '../../../bot/src/app.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import { HttpError, type Route } from '../../../bot/src/http/route.js';
import { createMetrics } from '../../../bot/src/observability/metrics.js';
import type { SingletonGuard } from '../../../bot/src/workers/daemon.js';
import { captureLogs } from '../../support/log-capture.js';

const alwaysRun: SingletonGuard = {
  runExclusive: async (_name, fn) => ({ ran: true, value: await fn() }),
};

interface Harness {
  base: string;
  service: Service;
  lines: () => string[];
  release: () => void;
  ticks: () => number;
  closed: string[];
}

async function start(options: { ready?: () => boolean } = {}): Promise<Harness> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    SHUTDOWN_TIMEOUT_MS: '2000',
  });
  assert.ok(config.ok);
  const { logger, lines } = captureLogs();
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let ticks = 0;
  const closed: string[] = [];
  const routes: Route[] = [
    {
      method: 'post',
      path: '/echo',
      maxBodyBytes: 64,
      handler: async (req, res) => {
        res.json({ got: req.body as unknown });
        return Promise.resolve();
      },
    },
    {
      method: 'get',
      path: '/boom',
      handler: () =>
        Promise.reject(
          new Error('secret internals eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig user@contoso.com'),
        ),
    },
    {
      method: 'get',
      path: '/teapot',
      handler: () => Promise.reject(new HttpError(418, 'teapot', 'I am a teapot.')),
    },
    {
      method: 'get',
      path: '/slow',
      handler: async (_req, res) => {
        await held;
        res.json({ finished: true });
      },
    },
  ];
  const service = createService({
    config: config.value,
    logger,
    metrics: createMetrics({ collectDefaults: false }),
    readiness: [{ name: 'store', check: () => Promise.resolve(options.ready?.() ?? true) }],
    routes,
    daemons: [
      {
        name: 'counter',
        intervalMs: 5,
        singleton: true,
        tick: () => {
          ticks += 1;
          return Promise.resolve();
        },
      },
    ],
    guard: alwaysRun,
    closeables: [{ name: 'store', close: () => Promise.resolve(void closed.push('store')) }],
  });
  const port = await service.start();
  return { base: `http://127.0.0.1:${port}`, service, lines, release, ticks: () => ticks, closed };
}

describe('HTTP service', () => {
  let h: Harness;
  afterEach(async () => {
    h.release();
    await h.service.stop();
  });

  it('answers liveness and readiness', async () => {
    let ready = true;
    h = await start({ ready: () => ready });
    assert.equal((await fetch(`${h.base}/healthz`)).status, 200);
    const okay = await fetch(`${h.base}/readyz`);
    assert.equal(okay.status, 200);
    assert.deepEqual(await okay.json(), { status: 'ready', checks: { store: true } });
    ready = false;
    const notReady = await fetch(`${h.base}/readyz`);
    assert.equal(notReady.status, 503);
    assert.deepEqual(await notReady.json(), { status: 'not_ready', checks: { store: false } });
  });

  it('parses JSON bodies and refuses bad ones with precise 4xx codes', async () => {
    h = await start();
    const post = (body: string, type = 'application/json') =>
      fetch(`${h.base}/echo`, { method: 'POST', headers: { 'content-type': type }, body });
    const good = await post('{"a":1}');
    assert.deepEqual(await good.json(), { got: { a: 1 } });
    const invalid = await post('{"a":');
    assert.equal(invalid.status, 400);
    assert.equal(((await invalid.json()) as { code: string }).code, 'invalid_json');
    const large = await post(JSON.stringify({ a: 'x'.repeat(100) }));
    assert.equal(large.status, 413);
    const wrongType = await post('a=1', 'application/x-www-form-urlencoded');
    assert.equal(wrongType.status, 415);
  });

  it('maps HttpError to its status and anything else to an opaque 500 with a reference', async () => {
    h = await start();
    const teapot = await fetch(`${h.base}/teapot`);
    assert.equal(teapot.status, 418);
    assert.deepEqual(await teapot.json(), { code: 'teapot', message: 'I am a teapot.' });
    const boom = await fetch(`${h.base}/boom`);
    assert.equal(boom.status, 500);
    const body = (await boom.json()) as { code: string; message: string };
    assert.equal(body.code, 'internal_error');
    assert.ok(!body.message.includes('secret'));
    const reference = boom.headers.get('x-correlation-id');
    assert.ok(reference !== null && body.message.includes(reference));
    const logged = h.lines().join('\n');
    assert.ok(logged.includes(reference), 'the log line carries the same reference');
    assert.ok(!logged.includes('eyJhbGciOiJIUzI1NiJ9'), 'no token in logs');
    assert.ok(!logged.includes('user@contoso.com'), 'no email in logs');
  });

  it('answers unknown routes with a JSON 404', async () => {
    h = await start();
    const res = await fetch(`${h.base}/nope`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: string }).code, 'not_found');
  });

  it('counts requests by route template and status in /metrics', async () => {
    h = await start();
    await fetch(`${h.base}/teapot`);
    await fetch(`${h.base}/healthz`);
    const text = await (await fetch(`${h.base}/metrics`)).text();
    assert.match(text, /callbridge_http_requests_total\{route="\/teapot",method="get",status="418"\} 1/);
    assert.match(
      text,
      /callbridge_http_request_duration_seconds_bucket\{le="0.005",route="\/healthz",method="get"\}/,
    );
  });

  it('runs daemons and, on stop, finishes in-flight requests, refuses new ones and closes the store last', async () => {
    h = await start();
    const inFlight = fetch(`${h.base}/slow`).then((r) => r.json() as Promise<unknown>);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(h.ticks() > 0, 'the daemon ticked');
    const stopped = h.service.stop();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(h.closed, [], 'the store stays open while a request is in flight');
    h.release();
    assert.deepEqual(await inFlight, { finished: true });
    await stopped;
    assert.deepEqual(h.closed, ['store']);
    const ticksAtStop = h.ticks();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(h.ticks(), ticksAtStop, 'no tick after stop');
    await assert.rejects(fetch(`${h.base}/healthz`));
  });
});
