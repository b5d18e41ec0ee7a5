import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_PORTS,
  PortInUseError,
  portsFromEnv,
  resolvePorts,
  startSandbox,
  urlBlock,
  type RunningSandbox,
  type SandboxPorts,
} from '../../sandbox/src/launch.js';

/** The whole sandbox world on ephemeral ports: it comes up, answers, and goes away cleanly. */

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve(server);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

async function isFree(port: number): Promise<boolean> {
  try {
    await close(await listen(port));
    return true;
  } catch {
    return false;
  }
}

describe('sandbox launcher', function () {
  this.timeout(60_000);

  describe('startSandbox (ephemeral ports)', () => {
    let sandbox: RunningSandbox | undefined;
    let dataDir: string;
    const logLines: string[] = [];

    before(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'callbridge-sandbox-'));
      sandbox = await startSandbox({
        ports: 'ephemeral',
        dataDir,
        serviceEnv: { LOG_LEVEL: 'warn' },
        collectDefaultMetrics: false,
        logDestination: { write: (line: string) => void logLines.push(line) },
      });
    });

    after(async () => {
      await sandbox?.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('binds no documented default port', () => {
      const ports = Object.values(sandbox!.ports) as number[];
      assert.equal(new Set(ports).size, ports.length, 'every part has its own port');
      for (const port of Object.values(DEFAULT_PORTS) as number[])
        assert.ok(!ports.includes(port), `port ${port} is not used`);
    });

    it('brings the service up: /healthz and /readyz succeed', async () => {
      const health = await fetch(sandbox!.urls.health);
      assert.equal(health.status, 200);
      const ready = await fetch(sandbox!.urls.readiness);
      assert.equal(ready.status, 200, await ready.text());
    });

    it('serves the dev host, compose box and console, and the tab through the host origin', async () => {
      for (const url of [sandbox!.urls.host, sandbox!.urls.compose, sandbox!.urls.console]) {
        const res = await fetch(url);
        assert.equal(res.status, 200, url);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      }
      const tab = await fetch(`${sandbox!.standIns.teamsHost.url}/tab/index.html`);
      assert.equal(tab.status, 200);
      const csp = tab.headers.get('content-security-policy') ?? '';
      assert.ok(csp.includes(sandbox!.standIns.teamsHost.url), `frame-ancestors allows the dev host: ${csp}`);
    });

    it('proxies the stand-ins control APIs through the host', async () => {
      const users = await fetch(`${sandbox!.standIns.teamsHost.url}/_sandbox/graph/users`);
      assert.equal(users.status, 200);
      const people = await fetch(`${sandbox!.standIns.teamsHost.url}/_sandbox/webex/people`);
      assert.equal(people.status, 200);
      const channel = await fetch(`${sandbox!.standIns.teamsHost.url}/_sandbox/botchannel`);
      assert.equal(channel.status, 200);
    });

    it('prints the URLs to open', () => {
      const block = urlBlock(sandbox!);
      for (const url of [
        sandbox!.urls.host,
        sandbox!.urls.compose,
        sandbox!.urls.console,
        sandbox!.urls.health,
      ])
        assert.ok(block.includes(url));
    });

    it('stop() frees every port', async () => {
      const ports = Object.values(sandbox!.ports) as number[];
      await sandbox!.stop();
      for (const port of ports) assert.ok(await isFree(port), `port ${port} is free again`);
      await sandbox!.stop(); // idempotent
    });
  });

  describe('ports', () => {
    it('refuses a busy port before starting anything, naming the variable to set', async () => {
      const ephemeral = await resolvePorts('ephemeral');
      const busy = await listen(0);
      const address = busy.address();
      assert.ok(typeof address === 'object' && address !== null);
      try {
        const wanted: SandboxPorts = { ...ephemeral, service: address.port };
        await assert.rejects(resolvePorts(wanted), (error: unknown) => {
          assert.ok(error instanceof PortInUseError);
          assert.match(
            error.message,
            new RegExp(`^port ${address.port} is in use: stop the other process or set SANDBOX_SERVICE_PORT`),
          );
          return true;
        });
      } finally {
        await close(busy);
      }
    });

    it('reads SANDBOX_PORTS and SANDBOX_*_PORT', () => {
      assert.equal(portsFromEnv({ SANDBOX_PORTS: 'ephemeral' }), 'ephemeral');
      assert.deepEqual(portsFromEnv({}), {});
      assert.deepEqual(portsFromEnv({ SANDBOX_SERVICE_PORT: '4000', SANDBOX_CHANNEL_PORT: '4004' }), {
        service: 4000,
        botChannel: 4004,
      });
      assert.throws(() => portsFromEnv({ SANDBOX_HOST_PORT: 'eighty' }), /SANDBOX_HOST_PORT/);
      assert.throws(() => portsFromEnv({ SANDBOX_PORTS: 'random' }), /SANDBOX_PORTS/);
    });

    it('refuses two parts on one port', async () => {
      const ephemeral = await resolvePorts('ephemeral');
      await assert.rejects(resolvePorts({ ...ephemeral, graph: ephemeral.webex }), /both/);
    });
  });
});
