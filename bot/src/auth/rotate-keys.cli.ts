import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/env.js';
import { createLogger, serializeError } from '../observability/logger.js';
import { openStore } from '../store/open.js';
import { rotateKeys, type RotateResult } from './rotate-keys.js';
import { createTokenVault } from './token-vault.js';

/**
 * `rotate-keys`: re-seals every stored token and Webex webhook secret under
 * TOKEN_ENCRYPTION_ACTIVE_KEY_ID.
 *
 * Reads the same environment as the service (so it finds the same database and key ring),
 * prints the counts on stdout (logs go to stderr) and exits 0 when nothing failed, 1 when some
 * record could not be opened (or the run broke), 2 on bad arguments, 78 on bad configuration.
 */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: NodeJS.WritableStream;
}

const USAGE = 'usage: rotate-keys [--batch-size <1..1000>]   (default 200)\n';

export async function runRotateKeysCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): Promise<number> {
  let batchSize = 200;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { 'batch-size': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (values['batch-size'] !== undefined) {
      batchSize = Number(values['batch-size']);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000)
        throw new RangeError('bad batch size');
    }
  } catch {
    io.stderr.write(USAGE);
    return 2;
  }

  const loaded = loadConfig(env);
  if (!loaded.ok) {
    io.stderr.write(`${loaded.error.message}\n`);
    return 78;
  }
  const config = loaded.value;
  const logger = createLogger({ level: config.logLevel, destination: io.stderr });
  if (config.tokenVault.source === 'sandbox-dev') {
    io.stderr.write(
      'note: using the public sandbox-dev token key (sandbox mode, TOKEN_ENCRYPTION_KEYS unset)\n',
    );
  }
  const vault = createTokenVault(config.tokenVault);
  const opened = await openStore(config.store, logger);
  if (!opened.ok) {
    io.stderr.write(`rotate-keys: cannot open the store: ${opened.error.message}\n`);
    return 1;
  }
  const store = opened.value;
  try {
    const result = await rotateKeys(store, vault, { batchSize, logger });
    const line = (what: string, counts: RotateResult, skippedBecause: string): string =>
      `rotate-keys: active key "${vault.activeKeyId}": ${what}: rotated ${counts.rotated}, ` +
      `skipped ${counts.skipped} (${skippedBecause}), failed ${counts.failed}\n`;
    io.stdout.write(line('tokens', result.tokens, 'changed concurrently'));
    io.stdout.write(line('webex webhook secrets', result.webhookSecrets, 'deleted concurrently'));
    if (result.tokens.failed + result.webhookSecrets.failed > 0) {
      io.stdout.write(
        'rotate-keys: some records could not be opened (see the warnings); keep their keys in TOKEN_ENCRYPTION_KEYS\n',
      );
      return 1;
    }
    return 0;
  } catch (error) {
    logger.error({ err: serializeError(error) }, 'token key rotation stopped');
    io.stderr.write(
      `rotate-keys: stopped: ${error instanceof Error ? error.name : 'error'}; re-run to continue\n`,
    );
    return 1;
  } finally {
    await store.close();
  }
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  runRotateKeysCli(process.argv.slice(2), process.env, {
    stdout: process.stdout,
    stderr: process.stderr,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`rotate-keys crashed: ${error instanceof Error ? error.name : 'error'}\n`);
      process.exitCode = 1;
    },
  );
}
