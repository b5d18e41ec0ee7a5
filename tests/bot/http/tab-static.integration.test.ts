import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createService, type Service } from '../../../bot/src/app.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import type { Route } from '../../../bot/src/http/route.js';
import { MICROSOFT_365_FRAME_ANCESTORS, tabStaticRoutes } from '../../../bot/src/http/tab-static.js';
import { createLogger } from '../../../bot/src/observability/logger.js';
import { createMetrics } from '../../../bot/src/observability/metrics.js';

const INDEX_HTML =
  '<!doctype html><html lang="en"><title>Call</title><script type="module" src="/tab/assets/index-Ab12_x.js"></script></html>';
// Long enough that compression is worth it and can be told from the original.
const ASSET_JS = `export const shell = ${JSON.stringify('x'.repeat(4096))};\n`;
const SECRET = 'do-not-serve-me';
const SANDBOX_HOST = 'https://localhost:53000';

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * node:http sends the path exactly as given; fetch would normalise `..` away before the
 * server ever saw it, which would make the traversal cases pass for the wrong reason.
 */
function get(port: number, rawPath: string, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function jsonOf(reply: Reply): { code: string; message: string } {
  return JSON.parse(reply.body.toString('utf8')) as { code: string; message: string };
}

function directives(reply: Reply): Map<string, string[]> {
  const csp = reply.headers['content-security-policy'];
  assert.equal(typeof csp, 'string', 'Content-Security-Policy header present');
  return new Map(
    String(csp)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values]),
  );
}

function assertTabHeaders(reply: Reply, sandboxHost?: string): void {
  const csp = directives(reply);
  const ancestors = csp.get('frame-ancestors') ?? [];
  for (const host of MICROSOFT_365_FRAME_ANCESTORS)
    assert.ok(ancestors.includes(host), `frame-ancestors has ${host}`);
  for (const host of [
    'https://teams.microsoft.com',
    'https://*.teams.microsoft.com',
    'https://*.cloud.microsoft',
  ]) {
    assert.ok(ancestors.includes(host), `frame-ancestors has ${host}`);
  }
  assert.equal(ancestors.includes(SANDBOX_HOST), sandboxHost !== undefined, 'sandbox host only when passed');
  assert.ok(!ancestors.includes('*') && !ancestors.includes("'self'"), 'no catch-all ancestors');
  assert.deepEqual(csp.get('default-src'), ["'self'"]);
  assert.deepEqual(csp.get('script-src'), ["'self'"]);
  assert.deepEqual(csp.get('style-src'), ["'self'", "'unsafe-inline'"]);
  assert.deepEqual(csp.get('img-src'), ["'self'", 'data:']);
  assert.equal(csp.get('connect-src')?.[0], "'self'");
  assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  assert.equal(reply.headers['referrer-policy'], 'strict-origin-when-cross-origin');
  assert.equal(
    reply.headers['x-frame-options'],
    undefined,
    'X-Frame-Options would stop Teams framing the tab',
  );
}

async function startService(routes: Route[]): Promise<{ service: Service; port: number }> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  if (!config.ok) throw config.error;
  const service = createService({
    config: config.value,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics({ collectDefaults: false }),
    readiness: [],
    routes,
    daemons: [],
    guard: { runExclusive: () => Promise.resolve({ ran: false }) },
    closeables: [],
  });
  return { service, port: await service.start() };
}

describe('tab static route (integration)', () => {
  let root: string;
  let distDir: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'callbridge-tab-'));
    distDir = path.join(root, 'dist');
    await mkdir(path.join(distDir, 'assets'), { recursive: true });
    await writeFile(path.join(distDir, 'index.html'), INDEX_HTML);
    await writeFile(path.join(distDir, 'assets', 'index-Ab12_x.js'), ASSET_JS);
    await writeFile(path.join(distDir, '.env'), SECRET);
    // Next to dist, where a traversal would land.
    await writeFile(path.join(root, 'package.json'), SECRET);
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('live (no extra frame ancestors)', () => {
    let service: Service;
    let port: number;

    before(async () => {
      ({ service, port } = await startService(tabStaticRoutes({ distDir, frameAncestors: [] })));
    });

    after(async () => {
      await service.stop();
    });

    it('serves index.html at /tab/ with the CSP and no long cache', async () => {
      for (const url of ['/tab/', '/tab/index.html', '/tab/?theme=dark']) {
        const reply = await get(port, url);
        assert.equal(reply.status, 200, url);
        assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
        assert.equal(reply.headers['cache-control'], 'no-cache');
        assert.equal(reply.body.toString('utf8'), INDEX_HTML);
        assertTabHeaders(reply);
      }
    });

    it('redirects /tab to /tab/, keeping the query Teams fills in', async () => {
      const bare = await get(port, '/tab');
      assert.equal(bare.status, 301);
      assert.equal(bare.headers.location, '/tab/');
      assertTabHeaders(bare);
      const withQuery = await get(port, '/tab?theme=dark&x=1');
      assert.equal(withQuery.headers.location, '/tab/?theme=dark&x=1');
    });

    it('serves hashed assets with a year-long immutable cache', async () => {
      const reply = await get(port, '/tab/assets/index-Ab12_x.js');
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.equal(reply.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(reply.headers['content-encoding'], undefined);
      assert.equal(reply.body.toString('utf8'), ASSET_JS);
      assertTabHeaders(reply);
    });

    it('compresses text with brotli or gzip as the client accepts', async () => {
      const br = await get(port, '/tab/assets/index-Ab12_x.js', { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.equal(br.headers.vary, 'Accept-Encoding');
      assert.ok(br.body.length < ASSET_JS.length);
      assert.equal(brotliDecompressSync(br.body).toString('utf8'), ASSET_JS);

      const gz = await get(port, '/tab/assets/index-Ab12_x.js', { 'accept-encoding': 'gzip, br;q=0' });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(gunzipSync(gz.body).toString('utf8'), ASSET_JS);
      assert.equal(Number(gz.headers['content-length']), gz.body.length);
    });

    it('refuses traversal and dotfiles, raw or percent-encoded', async () => {
      const attempts = [
        '/tab/../package.json',
        '/tab/%2e%2e/package.json',
        '/tab/%2E%2E/package.json',
        '/tab/..%2fpackage.json',
        '/tab/assets/..%2f..%2fpackage.json',
        '/tab/assets/%2e%2e%2f%2e%2e%2fpackage.json',
        '/tab/..%5cpackage.json',
        '/tab/%2fetc%2fpasswd',
        '/tab//etc/passwd',
        '/tab/index.html%00.js',
        '/tab/.env',
        '/tab/%2eenv',
        '/tab/%E0%A4%A',
      ];
      for (const url of attempts) {
        const reply = await get(port, url);
        assert.ok(reply.status === 404 || reply.status === 400, `${url} -> ${reply.status}`);
        assert.ok(!reply.body.toString('utf8').includes(SECRET), `${url} leaked the file`);
        assert.equal(reply.headers['content-type'], 'application/json');
      }
    });

    it('answers unknown files with a 404 JSON carrying the tab headers', async () => {
      const reply = await get(port, '/tab/assets/missing-123.js');
      assert.equal(reply.status, 404);
      assert.deepEqual(jsonOf(reply), { code: 'not_found', message: 'No such file in the tab.' });
      assert.equal(reply.headers['cache-control'], 'no-store');
      assertTabHeaders(reply);
    });
  });

  describe('sandbox (dev host may frame the tab)', () => {
    let service: Service;
    let port: number;

    before(async () => {
      ({ service, port } = await startService(tabStaticRoutes({ distDir, frameAncestors: [SANDBOX_HOST] })));
    });

    after(async () => {
      await service.stop();
    });

    it('adds the sandbox host to frame-ancestors', async () => {
      assertTabHeaders(await get(port, '/tab/'), SANDBOX_HOST);
    });
  });

  describe('tab not built', () => {
    let service: Service;
    let port: number;

    before(async () => {
      ({ service, port } = await startService(
        tabStaticRoutes({ distDir: path.join(root, 'never-built'), frameAncestors: [] }),
      ));
    });

    after(async () => {
      await service.stop();
    });

    it('answers 503 telling the operator to build the tab', async () => {
      for (const url of ['/tab/', '/tab/assets/index-Ab12_x.js']) {
        const reply = await get(port, url);
        assert.equal(reply.status, 503, url);
        const body = jsonOf(reply);
        assert.equal(body.code, 'tab_not_built');
        assert.match(body.message, /npm run build:tab/);
        assertTabHeaders(reply);
      }
    });
  });

  it('refuses frame ancestors that are not plain origins', () => {
    for (const bad of [
      '*',
      "'self'",
      'https://a.example; script-src *',
      'https://a.example/path',
      'a.example',
    ]) {
      assert.throws(() => tabStaticRoutes({ distDir, frameAncestors: [bad] }), /not an origin/, bad);
    }
  });
});
