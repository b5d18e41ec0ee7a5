// Runs every mocha suite in one process. The sandbox's local CA must be trusted by
// Node at start-up (NODE_EXTRA_CA_CERTS is read once), so it is prepared first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env };
const prepareCa = 'sandbox/src/tls/prepare-ca.ts';
if (existsSync(prepareCa)) {
  const ca = spawnSync(process.execPath, ['--import', 'tsx', prepareCa], { encoding: 'utf8', env });
  if (ca.status !== 0) {
    process.stderr.write(ca.stderr);
    process.exit(ca.status ?? 1);
  }
  env.NODE_EXTRA_CA_CERTS = ca.stdout.trim();
}
const specs = process.argv.slice(2);
const args = ['node_modules/mocha/bin/mocha.js', ...(specs.length > 0 ? specs : ['tests/**/*.test.ts'])];
const run = spawnSync(process.execPath, args, { stdio: 'inherit', env });
process.exit(run.status ?? 1);
