import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The sandbox pages' browser scripts (dev host, compose box, console) are TypeScript under
 * `client/` folders; they are bundled once per process with Vite into memory and served from
 * `/_host/assets/`. Nothing is written to disk, so there is no build step to forget.
 */

export interface BundledFile {
  readonly body: string | Uint8Array;
  readonly contentType: string;
}

export interface ClientBundle {
  get(fileName: string): BundledFile | undefined;
  readonly fileNames: readonly string[];
}

/** Repository root: the nearest folder above this file that holds package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('sandbox: cannot find the repository root (no package.json above it)');
    dir = parent;
  }
}

/** Entry name → source path, relative to the repository root. */
export const CLIENT_ENTRIES: Readonly<Record<string, string>> = {
  'host-page': 'sandbox/src/teams-host/client/host-page.ts',
  'compose-page': 'sandbox/src/teams-host/client/compose-page.ts',
  'console-page': 'sandbox/src/console/client/console-page.ts',
};

let building: Promise<ClientBundle> | undefined;

/** Builds once per process; a failed build is retried by the next caller. */
export function clientBundle(): Promise<ClientBundle> {
  building ??= buildClients().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

/** Bundles any entries (tests use it for probe pages); `root` must be inside the repository. */
export async function bundleEntries(
  entries: Readonly<Record<string, string>>,
  root = repoRoot(),
): Promise<ClientBundle> {
  const { build } = await import('vite');
  const input = Object.fromEntries(
    Object.entries(entries).map(([name, file]) => [name, path.resolve(root, file)]),
  );
  const result = await build({
    configFile: false,
    root,
    envDir: false,
    publicDir: false,
    logLevel: 'silent',
    mode: 'production',
    oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
    build: {
      write: false,
      minify: true,
      sourcemap: false,
      target: 'es2022',
      modulePreload: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      rolldownOptions: {
        input,
        output: {
          entryFileNames: '[name].js',
          chunkFileNames: 'chunk-[hash].js',
          assetFileNames: '[name]-[hash][extname]',
        },
        onLog(level, log, handler) {
          if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
          handler(level, log);
        },
      },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const files = new Map<string, BundledFile>();
  for (const output of outputs) {
    if (!('output' in output)) throw new Error('sandbox: unexpected Vite build result (watch mode?)');
    for (const item of output.output) {
      const body = item.type === 'chunk' ? item.code : item.source;
      files.set(item.fileName, { body, contentType: contentTypeOf(item.fileName) });
    }
  }
  return { get: (fileName) => files.get(fileName), fileNames: [...files.keys()] };
}

async function buildClients(): Promise<ClientBundle> {
  return bundleEntries(CLIENT_ENTRIES);
}

function contentTypeOf(fileName: string): string {
  if (fileName.endsWith('.js')) return 'text/javascript; charset=utf-8';
  if (fileName.endsWith('.css')) return 'text/css; charset=utf-8';
  if (fileName.endsWith('.svg')) return 'image/svg+xml';
  if (fileName.endsWith('.map') || fileName.endsWith('.json')) return 'application/json; charset=utf-8';
  return 'application/octet-stream';
}
