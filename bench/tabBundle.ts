import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Benchmark, Section } from './lib/bench.js';

/**
 * The Call tab's initial JavaScript: what the browser must fetch before first paint, i.e. the
 * scripts and module preloads `tab/dist/index.html` names (lazy chunks load after first paint
 * and are reported apart). Budget: 250 KB gzip. Builds the tab first when no build exists.
 */
const DIST = path.resolve('tab/dist');
const BUDGET_BYTES = 250 * 1024;

export const tabBundle: Benchmark = {
  id: 'tab-bundle',
  run() {
    return Promise.resolve(measure());
  },
};

function measure(): Section {
  const title = 'Call tab JavaScript (gzip -9), initial = named by index.html';
  const columns = [
    { key: 'files', label: 'files', format: 'int' },
    { key: 'raw', label: 'minified', format: 'bytes' },
    { key: 'gzip', label: 'gzip', format: 'bytes' },
    { key: 'budget', label: 'budget', format: 'bytes' },
    { key: 'within', label: 'within', format: 'text' },
  ] as const;
  const index = path.join(DIST, 'index.html');
  if (!existsSync(index)) {
    const built = spawnSync('npm', ['run', '-s', 'build:tab'], { stdio: 'ignore' });
    if (built.status !== 0 || !existsSync(index)) {
      return {
        id: 'tab-bundle',
        title,
        columns,
        rows: [{ case: 'initial', skipped: 'the tab build failed: run npm run build:tab', values: {} }],
        notes: [],
      };
    }
  }
  const html = readFileSync(index, 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/tab\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
  const assets = path.join(DIST, 'assets');
  const all = readdir(assets).filter((f) => f.endsWith('.js'));
  const lazy = all.filter((f) => !initial.includes(`assets/${f}`)).map((f) => `assets/${f}`);
  const sizes = (files: readonly string[]) =>
    files.reduce(
      (acc, f) => {
        const bytes = readFileSync(path.join(DIST, f));
        return { raw: acc.raw + bytes.length, gzip: acc.gzip + gzipSync(bytes, { level: 9 }).length };
      },
      { raw: 0, gzip: 0 },
    );
  const first = sizes(initial);
  const later = sizes(lazy);
  return {
    id: 'tab-bundle',
    title,
    columns,
    rows: [
      {
        case: 'initial (before first paint)',
        values: {
          files: initial.length,
          ...first,
          budget: BUDGET_BYTES,
          within: first.gzip <= BUDGET_BYTES ? 'yes' : 'NO',
        },
      },
      {
        case: 'lazy chunks (after first paint)',
        values: { files: lazy.length, ...later, budget: Number.NaN, within: '' },
      },
    ],
    notes: ['Measured on the existing tab/dist; run `npm run build:tab` first for a fresh number.'],
  };
}

function readdir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
