// `npm start`.
//
// Sandbox mode (the default): builds the tab if it has never been built, prepares the sandbox's
// local CA, and runs sandbox/src/launch.ts, which starts the stand-ins (Entra ID, Graph, Webex,
// the Bot Framework channel), the service and the Teams dev host. Node reads NODE_EXTRA_CA_CERTS
// only at start-up, so the launcher runs as a child process that has it.
//
// Live mode (CALLBRIDGE_MODE=live, or AAD_APP_TENANT_ID set without CALLBRIDGE_MODE=sandbox, the
// same rule the service's configuration applies): runs only the service, from dist/ when a build
// newer than the sources exists, otherwise from source through tsx.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
const present = (value) => value !== undefined && value.trim() !== '';
const mode =
  env.CALLBRIDGE_MODE === 'live' || env.CALLBRIDGE_MODE === 'sandbox'
    ? env.CALLBRIDGE_MODE
    : present(env.AAD_APP_TENANT_ID)
      ? 'live'
      : 'sandbox';

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function npmRun(script) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', script], { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) fail(`npm run ${script} failed (exit ${result.status ?? result.signal}).`);
}

function ensureTabBuilt() {
  if (existsSync(path.join(root, 'tab', 'dist', 'index.html'))) return;
  process.stdout.write('The Call tab has not been built yet: building it once (npm run build:tab)…\n');
  npmRun('build:tab');
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function hasTsx() {
  return existsSync(path.join(root, 'node_modules', 'tsx', 'package.json'));
}

/** Runs the child with stdio inherited, forwards stop signals, and exits with its code. */
function run(args, childEnv) {
  // restify 11 touches a deprecated Node binding on import; the warning says nothing actionable.
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', ...args], {
    cwd: root,
    stdio: 'inherit',
    env: childEnv,
  });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (error) => fail(`Could not start ${args.join(' ')}: ${error.message}`));
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal === null ? 1 : 128 + (signal === 'SIGINT' ? 2 : 15)));
  });
}

if (mode === 'live') {
  ensureTabBuilt();
  const built = path.join(root, 'dist', 'bot', 'src', 'main.js');
  const fresh = existsSync(built) && statSync(built).mtimeMs >= newestMtime(path.join(root, 'bot', 'src'));
  if (fresh) {
    run([built], env);
  } else if (hasTsx()) {
    run(['--import', 'tsx', path.join('bot', 'src', 'main.ts')], env);
  } else {
    fail('No up-to-date build in dist/ and no tsx to run from source: run `npm run build` first.');
  }
} else {
  if (!hasTsx()) fail('The sandbox runs from source and needs the dev dependencies: run `npm ci` first.');
  ensureTabBuilt();
  const ca = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join('sandbox', 'src', 'tls', 'prepare-ca.ts')],
    {
      cwd: root,
      encoding: 'utf8',
      env,
    },
  );
  if (ca.status !== 0) fail(`Could not prepare the sandbox CA:\n${ca.stderr}`);
  run(['--import', 'tsx', path.join('sandbox', 'src', 'launch.ts')], {
    ...env,
    NODE_EXTRA_CA_CERTS: ca.stdout.trim(),
  });
}
