import assert from 'node:assert/strict';
import { runDaemon, type SingletonGuard } from '../../../bot/src/workers/daemon.js';
import { captureLogs } from '../../support/log-capture.js';

const alwaysRun: SingletonGuard = { runExclusive: async (_n, fn) => ({ ran: true, value: await fn() }) };

describe('runDaemon', () => {
  it('keeps ticking after a failing tick and backs off while it keeps failing', async () => {
    const controller = new AbortController();
    const sleeps: number[] = [];
    let calls = 0;
    const { logger, lines } = captureLogs();
    await runDaemon(
      {
        name: 'flaky',
        intervalMs: 10,
        singleton: false,
        tick: () => {
          calls += 1;
          if (calls >= 5) controller.abort();
          return calls <= 3 ? Promise.reject(new Error('upstream down')) : Promise.resolve();
        },
      },
      { logger, guard: alwaysRun, sleep: (ms) => Promise.resolve(void sleeps.push(ms)) },
      controller.signal,
    );
    assert.equal(calls, 5);
    assert.deepEqual(sleeps, [20, 40, 80, 10, 10]);
    assert.equal(lines().filter((l) => l.includes('daemon tick failed')).length, 3);
  });

  it('skips the tick when another instance holds the singleton lock', async () => {
    const controller = new AbortController();
    let ticks = 0;
    let attempts = 0;
    const busy: SingletonGuard = {
      runExclusive: () => {
        attempts += 1;
        if (attempts === 3) controller.abort();
        return Promise.resolve({ ran: false });
      },
    };
    const { logger } = captureLogs();
    await runDaemon(
      { name: 'sweep', intervalMs: 1, singleton: true, tick: () => Promise.resolve(void (ticks += 1)) },
      { logger, guard: busy, sleep: () => Promise.resolve() },
      controller.signal,
    );
    assert.equal(attempts, 3);
    assert.equal(ticks, 0);
  });

  it('passes the abort signal to the tick and returns promptly when aborted during sleep', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const { logger } = captureLogs();
    const done = runDaemon(
      {
        name: 'idle',
        intervalMs: 60_000,
        singleton: false,
        tick: (signal) => Promise.resolve(void (seen = signal)),
      },
      { logger, guard: alwaysRun },
      controller.signal,
    );
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await done;
    assert.equal(seen, controller.signal);
  });
});
