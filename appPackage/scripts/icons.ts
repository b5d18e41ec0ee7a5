/**
 * Regenerates appPackage/color.png and appPackage/outline.png: a handset with two call waves,
 * white on the manifest's accentColor (colour icon) and white on transparent (outline icon).
 * Kept so the icons follow accentColor when it changes: `npx tsx appPackage/scripts/icons.ts`.
 * Output is deterministic; the package build checks the result (see checkIcons).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

type Point = readonly [number, number];

/** Distance from p to the arc of circle (c, r) between angles a0..a1 (radians, y axis down). */
function arcDistance(p: Point, c: Point, r: number, a0: number, a1: number): number {
  const dx = p[0] - c[0];
  const dy = p[1] - c[1];
  const angle = Math.atan2(dy, dx);
  if (angle >= a0 && angle <= a1) return Math.abs(Math.hypot(dx, dy) - r);
  const end = (a: number): number => Math.hypot(p[0] - c[0] - r * Math.cos(a), p[1] - c[1] - r * Math.sin(a));
  return Math.min(end(a0), end(a1));
}

function segmentDistance(p: Point, a: Point, b: Point): number {
  const [vx, vy] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(p[0] - a[0] - t * vx, p[1] - a[1] - t * vy);
}

/**
 * The glyph as a signed distance (< 0 inside) in a unit square: a receiver whose curved handle
 * opens to the upper right, thick ear and mouth pieces, and two waves in the opening.
 */
function glyph(p: Point): number {
  // Centre of the handle and the waves; chosen so the glyph's extent is centred in the square.
  const [cx, cy] = [0.58, 0.42];
  const deg = Math.PI / 180;
  const handle = arcDistance(p, [cx, cy], 0.42, 90 * deg, 180 * deg) - 0.085;
  const ear = segmentDistance(p, [cx - 0.42, cy], [cx - 0.29, cy]) - 0.12;
  const mouth = segmentDistance(p, [cx, cy + 0.42], [cx, cy + 0.29]) - 0.12;
  const innerWave = arcDistance(p, [cx, cy], 0.16, -90 * deg, 0) - 0.05;
  const outerWave = arcDistance(p, [cx, cy], 0.33, -90 * deg, 0) - 0.05;
  return Math.min(handle, ear, mouth, innerWave, outerWave);
}

/** Fraction of each pixel covered by the glyph (4×4 supersampling), glyph scaled to `fill`. */
function coverage(size: number, fill: number): Float64Array {
  const out = new Float64Array(size * size);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let inside = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const u = ((x + (sx + 0.5) / n) / size - 0.5) / fill + 0.5;
          const v = ((y + (sy + 0.5) / n) / size - 0.5) / fill + 0.5;
          if (glyph([u, v]) < 0) inside++;
        }
      }
      out[y * size + x] = inside / (n * n);
    }
  }
  return out;
}

function encode(size: number, pixel: (cov: number) => readonly [number, number, number, number]): Buffer {
  const png = new PNG({ width: size, height: size });
  coverage(size, size === 192 ? 0.6 : 0.86).forEach((cov, i) => {
    png.data.set(pixel(cov), i * 4);
  });
  return PNG.sync.write(png, { colorType: 6 });
}

async function main(): Promise<void> {
  const appPackageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const manifest = JSON.parse(await readFile(path.join(appPackageDir, 'manifest.json'), 'utf8')) as {
    accentColor?: unknown;
  };
  const hex =
    typeof manifest.accentColor === 'string' ? /^#([0-9a-f]{6})$/i.exec(manifest.accentColor) : null;
  if (hex?.[1] === undefined) throw new Error('manifest.json accentColor must look like #0A6E8A');
  const accent = [0, 2, 4].map((i) => parseInt(hex[1]!.slice(i, i + 2), 16));
  const blend = (cov: number, i: number): number => Math.round(accent[i]! * (1 - cov) + 255 * cov);

  await writeFile(
    path.join(appPackageDir, 'color.png'),
    encode(192, (cov) => [blend(cov, 0), blend(cov, 1), blend(cov, 2), 255]),
  );
  // Outline: pure white everywhere, shape carried by alpha alone, as Teams requires.
  await writeFile(
    path.join(appPackageDir, 'outline.png'),
    encode(32, (cov) => [255, 255, 255, Math.round(cov * 255)]),
  );
  console.log('wrote appPackage/color.png and appPackage/outline.png');
}

await main();
