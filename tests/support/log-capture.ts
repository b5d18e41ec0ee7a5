import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../bot/src/observability/logger.js';

/** A real pino logger whose lines are kept in memory, so tests can read every line written. */
export function captureLogs(level = 'debug'): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ level, destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0),
  };
}
