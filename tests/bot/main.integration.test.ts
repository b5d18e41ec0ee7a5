import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real process: what an operator runs, started the way `npm start` starts it in live deployments. */
function startProcess(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'bot/src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
}

function collect(child: ChildProcessWithoutNullStreams): {
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
} {
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  return { out: () => out, err: () => err, exit };
}

async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bot/src/main.ts as a process', function () {
  this.timeout(30_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'callbridge-main-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exits non-zero naming the bad variable', async () => {
    const child = collect(startProcess({ GRAPH_BASE_URL: 'not a url', DATA_DIR: dataDir }));
    assert.equal(await child.exit, 78);
    assert.match(child.err(), /GRAPH_BASE_URL: must be an absolute http\(s\) URL/);
    assert.doesNotMatch(child.err(), /at .*\.ts:\d+/, 'no stack trace for a configuration problem');
  });

  it('serves /healthz and /readyz, then stops cleanly on SIGTERM', async () => {
    const proc = startProcess({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      BOT_PASSWORD: 'sandbox-bot-secret',
    });
    const child = collect(proc);
    const port = await waitFor(() => {
      const m = /"port":(\d+),"daemons"/.exec(child.out());
      return m?.[1];
    }, 20_000);
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { store: true } });
    proc.kill('SIGTERM');
    assert.equal(await child.exit, 0);
    assert.match(child.out(), /"msg":"service stopped"/);
    assert.doesNotMatch(child.out(), /sandbox-bot-secret/, 'the bot secret is never logged');
  });
});
