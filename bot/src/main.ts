import { composeService } from './compose.js';
import { loadConfig } from './config/env.js';
import { serializeError } from './observability/logger.js';

/**
 * Process entry: the only place that reads `process.env` and installs signal handlers.
 * Everything else receives what it needs from the composition root.
 */
async function main(): Promise<number> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.error.message}\n`);
    return 78; // EX_CONFIG: the operator must fix the environment, restarting won't help.
  }
  const composed = await composeService(loaded.value);
  if (!composed.ok) {
    process.stderr.write(`CallBridge could not start: ${composed.error.message}\n`);
    return 1;
  }
  const { service, logger } = composed.value;
  await service.start();

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stop requested');
    void service.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: serializeError(reason) }, 'unhandled rejection');
  });
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `CallBridge crashed while starting: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
