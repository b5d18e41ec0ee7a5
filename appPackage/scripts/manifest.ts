/**
 * Builds the Teams app package (manifest.json + icons, zipped) from the `${{VAR}}` template in
 * appPackage/. Everything here is a plain function so the CLI (package.ts) and the unit tests share
 * one implementation; nothing touches the network.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import type { AppManifest } from '@microsoft/app-manifest';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';

export type EnvVars = Readonly<Record<string, string | undefined>>;

/** Same placeholder syntax as Teams Toolkit, so teamsapp.yml and this script read one template. */
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Variables that may legitimately be empty. Everything else must have a value: an empty
 * TEAMS_APP_ID (the state before provisioning) would otherwise surface as a cryptic GUID
 * pattern error from the schema instead of "run provision first".
 */
const MAY_BE_EMPTY: ReadonlySet<string> = new Set(['APP_NAME_SUFFIX']);

export interface Substitution {
  readonly text: string;
  /** Each unresolved variable once, in order of first use. */
  readonly unresolved: readonly string[];
}

/**
 * Replaces every `${{NAME}}` with `env[NAME]`. Unresolved placeholders are left in place and
 * listed, so the caller can report all of them at once rather than one per run.
 */
export function substitutePlaceholders(
  template: string,
  env: EnvVars,
  escape: (value: string) => string = (v) => v,
): Substitution {
  const unresolved = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = env[name];
    if (value === undefined || (value === '' && !MAY_BE_EMPTY.has(name))) {
      unresolved.add(name);
      return whole;
    }
    return escape(value);
  });
  return { text, unresolved: [...unresolved] };
}

/** Every placeholder in the manifest sits inside a JSON string, so values are escaped as such. */
function escapeJsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** Parses a Teams Toolkit env file: `KEY=value` lines, `#` comments, optional quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1);
    }
    vars[key] = value;
  }
  return vars;
}

/**
 * Reads env/.env.<name> (required) and env/.env.<name>.user (optional, holds SECRET_*), the
 * latter winning. process.env is deliberately ignored so a build depends only on these files.
 */
export async function loadEnvironment(envDir: string, envName: string): Promise<Record<string, string>> {
  if (!/^[A-Za-z0-9_-]+$/.test(envName)) {
    throw new Error(`Invalid environment name "${envName}": use letters, digits, "-" or "_".`);
  }
  const base = path.join(envDir, `.env.${envName}`);
  let baseText: string;
  try {
    baseText = await readFile(base, 'utf8');
  } catch (cause) {
    throw new Error(`Environment file ${base} not found. Create it (see env/.env.dev for the variables).`, {
      cause,
    });
  }
  const userBytes = await readIfExists(`${base}.user`);
  const userText = userBytes === undefined ? '' : new TextDecoder().decode(userBytes);
  return { ...parseEnvFile(baseText), ...parseEnvFile(userText) };
}

/** Missing file → undefined; any other failure (permissions, I/O) is a real error and propagates. */
async function readIfExists(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

type SchemaArg = Parameters<typeof AppManifestUtils.validateAgainstSchema>[1];

const requireFromHere = createRequire(import.meta.url);

/** Folder holding the Teams schemas that ship inside @microsoft/app-manifest. */
export function bundledSchemaDir(): string {
  const pkgJson = requireFromHere.resolve('@microsoft/app-manifest/package.json');
  return path.join(path.dirname(pkgJson), 'build', 'json-schemas', 'teams');
}

export function schemaUrl(manifestVersion: string): string {
  return `https://developer.microsoft.com/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates against the official schema for the manifest's own `manifestVersion`. The schema is
 * read from the package's bundled copy and handed to `validateAgainstSchema` explicitly, because
 * without that argument the library falls back to fetching `$schema` over the network.
 */
export async function validateManifest(manifest: unknown): Promise<string[]> {
  if (!isRecord(manifest)) return ['manifest.json must be a JSON object.'];
  const version = manifest['manifestVersion'];
  if (typeof version !== 'string' || !/^\d+\.\d+$/.test(version)) {
    return ['manifestVersion must be a string such as "1.30".'];
  }
  const problems: string[] = [];
  if (manifest['$schema'] !== schemaUrl(version)) {
    problems.push(`$schema must be ${schemaUrl(version)} to match manifestVersion ${version}.`);
  }
  const schemaFile = path.join(bundledSchemaDir(), `v${version}`, 'MicrosoftTeams.schema.json');
  let schemaText: string;
  try {
    schemaText = await readFile(schemaFile, 'utf8');
  } catch {
    return [...problems, `manifestVersion ${version} has no schema bundled with @microsoft/app-manifest.`];
  }
  // The bundled schema is the official JSON; its TypeScript type exists only on the library side.
  const schema = JSON.parse(schemaText) as SchemaArg;
  // The cast is what the schema check below exists to justify; it does not weaken it.
  const errors = await AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest, schema);
  return [...problems, ...errors.map((e) => `schema: ${e}`)];
}

export interface PngInfo {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel, whatever the file's own colour type. */
  readonly rgba: Uint8Array;
}

export function decodePng(bytes: Uint8Array): PngInfo {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, rgba: png.data };
}

/** Teams' icon rules: colour 192×192 (we also require it opaque), outline 32×32 white on transparent. */
export function checkIcons(color: Uint8Array, outline: Uint8Array): string[] {
  const problems: string[] = [];
  const decoded = (label: string, bytes: Uint8Array): PngInfo | undefined => {
    try {
      return decodePng(bytes);
    } catch (e) {
      problems.push(`${label} icon is not a readable PNG (${e instanceof Error ? e.message : String(e)}).`);
      return undefined;
    }
  };
  const c = decoded('color', color);
  if (c !== undefined) {
    if (c.width !== 192 || c.height !== 192)
      problems.push(`color icon must be 192x192, not ${c.width}x${c.height}.`);
    if (!everyPixel(c, (_r, _g, _b, a) => a === 255)) problems.push('color icon must be fully opaque.');
  }
  const o = decoded('outline', outline);
  if (o !== undefined) {
    if (o.width !== 32 || o.height !== 32)
      problems.push(`outline icon must be 32x32, not ${o.width}x${o.height}.`);
    if (!everyPixel(o, (r, g, b, a) => a === 0 || (r === 255 && g === 255 && b === 255))) {
      problems.push('outline icon must be white only: every visible pixel must be #FFFFFF.');
    }
    if (everyPixel(o, (_r, _g, _b, a) => a !== 0))
      problems.push('outline icon needs a transparent background.');
    if (everyPixel(o, (_r, _g, _b, a) => a === 0)) problems.push('outline icon is fully transparent.');
  }
  return problems;
}

function everyPixel(img: PngInfo, test: (r: number, g: number, b: number, a: number) => boolean): boolean {
  const px = img.rgba;
  for (let i = 0; i + 3 < px.length; i += 4) {
    if (!test(px[i]!, px[i + 1]!, px[i + 2]!, px[i + 3]!)) return false;
  }
  return true;
}

/**
 * A fixed timestamp makes the same inputs produce byte-identical zips (reproducible builds). Zip
 * stores local wall-clock fields, so the date is built from local fields to be TZ-independent.
 */
const ZIP_MTIME = new Date(2000, 0, 1);

export function zipFiles(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const [name, bytes] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    entries[name] = [bytes, { mtime: ZIP_MTIME }];
  }
  return zipSync(entries, { level: 9 });
}

export type PackageBuild =
  | {
      readonly ok: true;
      readonly manifest: Record<string, unknown>;
      /** The resolved manifest exactly as written into the zip. */
      readonly manifestJson: string;
      readonly zip: Uint8Array;
    }
  | { readonly ok: false; readonly problems: readonly string[] };

export interface PackageSources {
  /** appPackage/manifest.json, placeholders and all. */
  readonly template: string;
  /** Reads a file the manifest refers to (icons), relative to appPackage/; undefined if absent. */
  readonly readAsset: (relativePath: string) => Promise<Uint8Array | undefined>;
}

/**
 * Template → resolved, validated manifest → zip with manifest.json and the two icons at its root.
 * Fails with every unresolved placeholder first (schema errors on a half-resolved manifest only
 * add noise), then with all schema and icon problems together.
 */
export async function assemblePackage(sources: PackageSources, env: EnvVars): Promise<PackageBuild> {
  const { text, unresolved } = substitutePlaceholders(sources.template, env, escapeJsonString);
  if (unresolved.length > 0) {
    return {
      ok: false,
      problems: unresolved.map(
        (name) => `unresolved placeholder \${{${name}}}: set ${name} in the env file.`,
      ),
    };
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      problems: [`manifest.json is not valid JSON: ${e instanceof Error ? e.message : String(e)}`],
    };
  }
  if (!isRecord(manifest)) return { ok: false, problems: ['manifest.json must be a JSON object.'] };

  const problems = await validateManifest(manifest);
  const icons = isRecord(manifest['icons']) ? manifest['icons'] : {};
  const iconFiles = new Map<'color' | 'outline', { readonly name: string; readonly bytes: Uint8Array }>();
  for (const key of ['color', 'outline'] as const) {
    const name = icons[key];
    // Teams reads icons from the zip root; subfolders would need the same layout in the zip.
    if (typeof name !== 'string' || name !== path.basename(name)) {
      problems.push(`icons.${key} must name a file next to manifest.json.`);
      continue;
    }
    const bytes = await sources.readAsset(name);
    if (bytes === undefined) problems.push(`icons.${key}: ${name} not found in appPackage/.`);
    else iconFiles.set(key, { name, bytes });
  }
  const color = iconFiles.get('color');
  const outline = iconFiles.get('outline');
  if (color !== undefined && outline !== undefined) problems.push(...checkIcons(color.bytes, outline.bytes));
  if (problems.length > 0) return { ok: false, problems };

  const manifestJson = `${JSON.stringify(manifest, null, 2)}\n`;
  const files = new Map<string, Uint8Array>([['manifest.json', new TextEncoder().encode(manifestJson)]]);
  for (const { name, bytes } of iconFiles.values()) files.set(name, bytes);
  return { ok: true, manifest, manifestJson, zip: zipFiles(files) };
}

/** The file-system flavour of assemblePackage: sources come from an appPackage/ folder. */
export async function buildAppPackage(appPackageDir: string, env: EnvVars): Promise<PackageBuild> {
  const template = await readFile(path.join(appPackageDir, 'manifest.json'), 'utf8');
  return assemblePackage(
    { template, readAsset: (file) => readIfExists(path.join(appPackageDir, file)) },
    env,
  );
}

/** Writes appPackage.<env>.zip and manifest.<env>.json (the names Teams Toolkit uses). */
export async function writeAppPackage(
  build: Extract<PackageBuild, { ok: true }>,
  outDir: string,
  envName: string,
): Promise<{ readonly zipPath: string; readonly manifestPath: string }> {
  await mkdir(outDir, { recursive: true });
  const zipPath = path.join(outDir, `appPackage.${envName}.zip`);
  const manifestPath = path.join(outDir, `manifest.${envName}.json`);
  await writeFile(zipPath, build.zip);
  await writeFile(manifestPath, build.manifestJson);
  return { zipPath, manifestPath };
}
