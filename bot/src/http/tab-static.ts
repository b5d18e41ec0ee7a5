import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { Response } from 'restify';
import { sendError, type Route, type RouteRequest } from './route.js';

/**
 * Hosts allowed to frame the tab, copied row by row from "Prerequisites" in Microsoft's tab
 * requirements (https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/tab-requirements)
 * so the two can be compared line for line. `*.cloud.microsoft` covers teams.cloud.microsoft and
 * the other hosts moving there; the older names stay while that migration runs, as the page asks.
 * `*.skype.com`, which older samples list, is not on the page any more and is left out.
 */
export const MICROSOFT_365_FRAME_ANCESTORS: readonly string[] = [
  // All hosts (new)
  'https://*.cloud.microsoft',
  // Teams
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  // Microsoft 365 app
  'https://*.microsoft365.com',
  'https://*.office.com',
  // Outlook
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook-sdf.office.com',
  'https://outlook-sdf.office365.com',
];

/**
 * teams-js (bundled) fetches its list of trusted host origins from this CDN when it loads, and
 * falls back to a copy frozen at build time if it can't. Allowing the fetch keeps the tab
 * working when Microsoft adds a host after our build.
 */
const TEAMS_JS_VALID_DOMAINS_CDN = 'https://res.cdn.office.net';

export interface TabStaticOptions {
  /** The Vite output folder (tab/dist); read on every request, so a rebuild needs no restart. */
  readonly distDir: string;
  /**
   * Origins allowed to frame the tab besides the Microsoft 365 hosts, e.g. the sandbox's dev
   * host. The composition root passes none in live mode. Exact origins only
   * (`https://host:port`): anything else could smuggle extra CSP directives and is refused.
   */
  readonly frameAncestors: readonly string[];
}

/**
 * GET /tab/* serves the built tab; GET /tab redirects to /tab/ so the page has one address
 * whichever form the manifest or a person types.
 */
export function tabStaticRoutes(options: TabStaticOptions): Route[] {
  const distDir = path.resolve(options.distDir);
  const headers = securityHeaders(options.frameAncestors);
  const encoded = new EncodedCache();

  const applyHeaders = (res: Response): void => {
    for (const [name, value] of headers) res.header(name, value);
  };

  return [
    {
      method: 'get',
      path: '/tab',
      handler: async (req, res) => {
        applyHeaders(res);
        // Keep the query: Teams substitutes context into it (e.g. `?theme={theme}`).
        const query = req.getQuery();
        res.header('Location', query === '' ? '/tab/' : `/tab/?${query}`);
        res.header('Cache-Control', 'no-cache');
        res.status(301);
        res.end();
        return Promise.resolve();
      },
    },
    {
      method: 'get',
      path: '/tab/*',
      handler: async (req, res) => {
        applyHeaders(res);
        await serveFile(req, res, distDir, encoded);
      },
    },
  ];
}

async function serveFile(
  req: RouteRequest,
  res: Response,
  distDir: string,
  encoded: EncodedCache,
): Promise<void> {
  // Checked per request rather than at start-up so the bot can start before the tab is built.
  if (!(await isFile(path.join(distDir, 'index.html')))) {
    res.header('Cache-Control', 'no-store');
    sendError(
      res,
      503,
      'tab_not_built',
      `The tab has not been built (no index.html in ${distDir}). Run \`npm run build:tab\`, then reload.`,
    );
    return;
  }
  const notFound = (): void => {
    res.header('Cache-Control', 'no-store');
    sendError(res, 404, 'not_found', 'No such file in the tab.');
  };
  const relative = tabRelativePath(req.url ?? '');
  if (relative === undefined) {
    notFound();
    return;
  }
  const file = path.join(distDir, relative);
  const info = await stat(file).catch(() => undefined);
  if (info?.isFile() !== true) {
    notFound();
    return;
  }

  const type = CONTENT_TYPES[path.extname(file).toLowerCase()];
  res.header('Content-Type', type?.mime ?? 'application/octet-stream');
  // Vite names everything under assets/ by content hash, so a changed file is a new URL and the
  // old one can be kept forever. index.html names the current hashes, so it must be revalidated
  // every time or users would keep loading the previous release.
  res.header(
    'Cache-Control',
    relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  );

  const encoding = type?.compressible === true ? pickEncoding(req.headers['accept-encoding']) : undefined;
  const body =
    encoding === undefined
      ? await readFile(file)
      : await encoded.get(file, info.mtimeMs, info.size, encoding);
  if (type?.compressible === true) res.header('Vary', 'Accept-Encoding');
  if (encoding !== undefined) res.header('Content-Encoding', encoding);
  res.header('Content-Length', String(body.length));
  res.status(200);
  res.end(body);
}

/**
 * Maps the request path to a path inside dist, or undefined when it isn't one we serve. Works
 * on the raw request target, not a normalised URL, and decodes before checking, so `..`,
 * `%2e%2e`, `..%2f`, backslashes and NULs are all caught by the same rule: every segment must
 * be a plain file name that doesn't start with a dot (that also keeps dotfiles private).
 */
function tabRelativePath(url: string): string | undefined {
  const rawPath = url.split('?', 1)[0] ?? '';
  if (!rawPath.startsWith('/tab/')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath.slice('/tab/'.length));
  } catch {
    return undefined;
  }
  if (decoded === '') return 'index.html';
  const segments = decoded.split('/');
  if (!segments.every((segment) => SAFE_SEGMENT.test(segment))) return undefined;
  return segments.join('/');
}

const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

const CONTENT_TYPES: Readonly<
  Partial<Record<string, { readonly mime: string; readonly compressible: boolean }>>
> = {
  '.html': { mime: 'text/html; charset=utf-8', compressible: true },
  '.js': { mime: 'text/javascript; charset=utf-8', compressible: true },
  '.css': { mime: 'text/css; charset=utf-8', compressible: true },
  '.json': { mime: 'application/json; charset=utf-8', compressible: true },
  '.map': { mime: 'application/json; charset=utf-8', compressible: true },
  '.svg': { mime: 'image/svg+xml', compressible: true },
  '.txt': { mime: 'text/plain; charset=utf-8', compressible: true },
  '.webmanifest': { mime: 'application/manifest+json', compressible: true },
  '.png': { mime: 'image/png', compressible: false },
  '.jpg': { mime: 'image/jpeg', compressible: false },
  '.jpeg': { mime: 'image/jpeg', compressible: false },
  '.gif': { mime: 'image/gif', compressible: false },
  '.webp': { mime: 'image/webp', compressible: false },
  '.ico': { mime: 'image/x-icon', compressible: false },
  '.woff2': { mime: 'font/woff2', compressible: false },
};

function securityHeaders(extraAncestors: readonly string[]): readonly (readonly [string, string])[] {
  for (const origin of extraAncestors) {
    if (!isExactOrigin(origin)) {
      throw new Error(`tab frameAncestors: "${origin}" is not an origin like https://host:port`);
    }
  }
  const csp = [
    "default-src 'self'",
    // teams-js is bundled and Vite emits no inline script, so nothing else may run.
    "script-src 'self'",
    // Griffel (Fluent v9's CSS-in-JS) and FluentProvider's theme variables are written at
    // runtime into <style> elements they create; without a per-response nonce that needs
    // 'unsafe-inline'. Styles cannot run code, so scripts stay locked down.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${TEAMS_JS_VALID_DOMAINS_CDN}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${[...MICROSOFT_365_FRAME_ANCESTORS, ...extraAncestors].join(' ')}`,
  ].join('; ');
  return [
    ['Content-Security-Policy', csp],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    // No X-Frame-Options on purpose: it can only say DENY or SAMEORIGIN (ALLOW-FROM is dead), and
    // either would stop Teams, a different origin, from framing the tab. Browsers that know CSP
    // use frame-ancestors above, which is the allow-list Teams asks for.
  ];
}

function isExactOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}

type Encoding = 'br' | 'gzip';

/** Brotli where the client takes it (every browser Teams runs in does), else gzip, else none. */
function pickEncoding(header: string | undefined): Encoding | undefined {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

const compress: Readonly<Record<Encoding, (input: Buffer) => Promise<Buffer>>> = {
  br: (input) =>
    promisify(brotliCompress)(input, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
        [zlib.BROTLI_PARAM_SIZE_HINT]: input.length,
      },
    }),
  gzip: (input) => promisify(gzip)(input, { level: zlib.Z_BEST_COMPRESSION }),
};

/**
 * Compressed bodies, made once per file version: the tab is a handful of files that only
 * change on deploy, so paying for maximum compression once beats compressing per request.
 * A file's entry is replaced when its mtime or size changes; the entry count is capped so
 * rebuilds in a long-running dev server (new hashed names each time) can't grow it forever.
 */
class EncodedCache {
  private static readonly MAX_FILES = 64;
  private readonly entries = new Map<
    string,
    { readonly version: string; readonly bodies: Map<Encoding, Promise<Buffer>> }
  >();

  get(file: string, mtimeMs: number, size: number, encoding: Encoding): Promise<Buffer> {
    const version = `${mtimeMs}:${size}`;
    let entry = this.entries.get(file);
    if (entry?.version !== version) {
      this.entries.delete(file);
      if (this.entries.size >= EncodedCache.MAX_FILES) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
      entry = { version, bodies: new Map() };
      this.entries.set(file, entry);
    }
    const { bodies } = entry;
    let body = bodies.get(encoding);
    if (body === undefined) {
      body = readFile(file).then((raw) => compress[encoding](raw));
      // A failed read must not stay cached as a rejected promise; the caller still sees it.
      body.catch(() => bodies.delete(encoding));
      bodies.set(encoding, body);
    }
    return body;
  }
}
