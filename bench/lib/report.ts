import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Format, Section } from './bench.js';

function formatValue(value: number | string | undefined, format: Format): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '–';
  switch (format) {
    case 'int':
      return Math.round(value).toLocaleString('en-US');
    case 'ms':
      return value < 10 ? value.toFixed(2) : value.toFixed(1);
    case 'ratio':
      return `${value.toFixed(2)}×`;
    case 'bytes':
      return formatBytes(value);
    case 'text':
      return String(value);
  }
}

export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

/** A plain-text table (also valid Markdown) of one section, then its notes. */
export function renderSection(section: Section): string {
  const header = ['case', ...section.columns.map((c) => c.label)];
  const lines = section.rows.map((row) =>
    row.skipped === undefined
      ? [row.case, ...section.columns.map((c) => formatValue(row.values[c.key], c.format))]
      : [row.case, `skipped: ${row.skipped}`],
  );
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.filter((l) => l.length === header.length).map((l) => (l[i] ?? '').length)),
  );
  const fmt = (cells: readonly string[]): string =>
    cells.length === header.length
      ? `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`
      : `| ${(cells[0] ?? '').padEnd(widths[0] ?? 0)} | ${cells.slice(1).join(' ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const notes = section.notes.length === 0 ? [] : ['', ...section.notes.map((n) => `- ${n}`)];
  return [`### ${section.title}`, '', fmt(header), rule, ...lines.map(fmt), ...notes].join('\n');
}

export function writeJson(file: string, data: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(data, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`,
  );
}
