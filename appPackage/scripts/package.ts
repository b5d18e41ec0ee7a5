/**
 * `npm run package -- [--env <name>]` (default: local): builds appPackage/build/appPackage.<env>.zip
 * and manifest.<env>.json from env/.env.<env> (+ .env.<env>.user). Exits 1 listing every problem.
 * All logic lives in manifest.ts; this file only reads arguments and prints.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppPackage, loadEnvironment, writeAppPackage } from './manifest.js';

const USAGE = 'usage: npm run package -- [--env <name>]   (reads env/.env.<name>; default: local)';

function parseArgs(argv: readonly string[]): { readonly envName: string } | { readonly error: string } {
  let envName = 'local';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--env') {
      const next = argv[++i];
      if (next === undefined) return { error: '--env needs a value' };
      envName = next;
    } else if (arg.startsWith('--env=')) {
      envName = arg.slice('--env='.length);
    } else {
      return { error: `unknown argument "${arg}"` };
    }
  }
  return { envName };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if ('error' in args) {
    console.error(`${args.error}\n${USAGE}`);
    return 2;
  }
  const appPackageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const repoRoot = path.dirname(appPackageDir);
  const env = await loadEnvironment(path.join(repoRoot, 'env'), args.envName);
  const build = await buildAppPackage(appPackageDir, env);
  if (!build.ok) {
    console.error(`App package for "${args.envName}" is not valid (${build.problems.length} problem(s)):`);
    for (const problem of build.problems) console.error(`  - ${problem}`);
    return 1;
  }
  const out = await writeAppPackage(build, path.join(appPackageDir, 'build'), args.envName);
  console.log(`Schema v${String(build.manifest['manifestVersion'])}: valid. Icons: valid.`);
  console.log(
    `Wrote ${path.relative(repoRoot, out.zipPath)} and ${path.relative(repoRoot, out.manifestPath)}`,
  );
  return 0;
}

process.exitCode = await main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  return 1;
});
