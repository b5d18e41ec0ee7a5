import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSandboxTls } from '../../../sandbox/src/tls/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface ChildResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runNode(args: readonly string[], env: NodeJS.ProcessEnv, cwd = repoRoot): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...args], { env, cwd }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The child's environment without whatever CA trust this test process was given. */
function envWithoutExtraCa(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

describe('sandbox TLS (loadSandboxTls)', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-tls-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a CA and a localhost leaf it signs, covering localhost, 127.0.0.1 and ::1', async () => {
    const tls = await loadSandboxTls(dir);

    assert.ok(isAbsolute(tls.caPath));
    assert.equal(await readFile(tls.caPath, 'utf8'), tls.ca);
    const ca = new X509Certificate(tls.ca);
    const leaf = new X509Certificate(tls.cert);
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'leaf is signed by the CA');
    assert.equal(leaf.checkHost('localhost'), 'localhost');
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.ok(leaf.checkIP('::1') !== undefined);
    const lifetimeDays = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / DAY_MS;
    assert.ok(lifetimeDays > 360 && lifetimeDays < 370, `leaf lives about a year (${lifetimeDays} days)`);
  });

  it('reuses the material on later calls instead of issuing new certificates', async () => {
    const first = await loadSandboxTls(dir);
    const second = await loadSandboxTls(dir);
    assert.equal(second.cert, first.cert);
    assert.equal(second.key, first.key);
    assert.equal(second.ca, first.ca);
  });

  it('reissues an expired leaf under the same CA', async () => {
    const twoYearsAgo = Date.now() - 2 * 365 * DAY_MS;
    const old = await loadSandboxTls(dir, { now: () => twoYearsAgo });
    assert.ok(Date.parse(new X509Certificate(old.cert).validTo) < Date.now(), 'precondition: leaf expired');

    const renewed = await loadSandboxTls(dir);
    assert.notEqual(renewed.cert, old.cert);
    assert.equal(renewed.ca, old.ca, 'the CA Node already trusts is kept');
    assert.ok(Date.parse(new X509Certificate(renewed.cert).validTo) > Date.now());
  });

  it('reissues a missing or corrupt leaf', async () => {
    const first = await loadSandboxTls(dir);
    await writeFile(join(dir, 'localhost.pem'), 'not a certificate');
    const repaired = await loadSandboxTls(dir);
    assert.notEqual(repaired.cert, first.cert);
    assert.ok(new X509Certificate(repaired.cert).checkIssued(new X509Certificate(first.ca)));
  });

  it('gives concurrent callers one consistent set of files', async () => {
    const results = await Promise.all([loadSandboxTls(dir), loadSandboxTls(dir), loadSandboxTls(dir)]);
    const onDisk = await loadSandboxTls(dir);
    for (const result of results) assert.equal(result.ca, onDisk.ca);
  });

  describe('trust through NODE_EXTRA_CA_CERTS', () => {
    let server: Server;
    let port: number;
    let caPath: string;

    beforeEach(async () => {
      const tls = await loadSandboxTls(dir);
      caPath = tls.caPath;
      server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => {
        res.end('sandbox-ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });

    afterEach(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    });

    const fetchScript = (url: string): string[] => [
      '-e',
      `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t), (e) => { process.stderr.write(String(e.cause?.code ?? e)); process.exit(3); })`,
    ];

    it('a node child trusts the leaf (by name and by IP) when given the CA', async () => {
      const env = { ...envWithoutExtraCa(), NODE_EXTRA_CA_CERTS: caPath };
      const byName = await runNode(fetchScript(`https://localhost:${port}/`), env);
      assert.equal(byName.code, 0, byName.stderr);
      assert.equal(byName.stdout, 'sandbox-ok');
      const byIp = await runNode(fetchScript(`https://127.0.0.1:${port}/`), env);
      assert.equal(byIp.code, 0, byIp.stderr);
    });

    it('a node child without the CA refuses the leaf', async () => {
      const result = await runNode(fetchScript(`https://localhost:${port}/`), envWithoutExtraCa());
      assert.equal(result.code, 3);
      assert.match(result.stderr, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    });
  });
});

describe('sandbox TLS CLI (prepare-ca.ts)', function () {
  this.timeout(60_000);

  it('prints only the absolute path of the CA under <repo>/.data/sandbox-tls', async () => {
    // Run from another directory: the CLI must resolve the repo from its own location. The
    // tsx loader is named by URL because a bare `tsx` would resolve from that other directory.
    const result = await runNode(
      [
        '--import',
        pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
        join(repoRoot, 'sandbox/src/tls/prepare-ca.ts'),
      ],
      envWithoutExtraCa(),
      tmpdir(),
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 1, `stdout was: ${result.stdout}`);
    const caPath = lines[0]!;
    assert.equal(caPath, join(repoRoot, '.data', 'sandbox-tls', 'ca.pem'));
    assert.equal(new X509Certificate(await readFile(caPath, 'utf8')).ca, true);
  });
});
