/**
 * CLI: ensures the sandbox TLS material exists under `<repo>/.data/sandbox-tls` and prints
 * ONLY the absolute CA file path on stdout, so a runner can pass it to child processes as
 * NODE_EXTRA_CA_CERTS (scripts/test.mjs does). Run: `node --import tsx sandbox/src/tls/prepare-ca.ts`.
 */
import { fileURLToPath } from 'node:url';
import { loadSandboxTls } from './sandbox-tls.js';

// The repository root is three levels above this file (sandbox/src/tls), whatever the cwd.
const dataDir = fileURLToPath(new URL('../../../.data/sandbox-tls', import.meta.url));

try {
  const tls = await loadSandboxTls(dataDir);
  process.stdout.write(`${tls.caPath}\n`);
} catch (error) {
  process.stderr.write(`prepare-ca: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
