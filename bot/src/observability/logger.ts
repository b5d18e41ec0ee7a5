import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks before a line is written. The rule is still "never pass a token to a
 * logger"; this is the net under it.
 */
const REDACT_PATHS = [
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'password',
  'secret',
  'clientSecret',
  'authorization',
  'email',
  'mail',
  'userPrincipalName',
  'displayName',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.authorization',
  '*.email',
  '*.mail',
  '*.userPrincipalName',
  '*.displayName',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerOptions {
  readonly level: string;
  /** Where lines go; tests pass a stream to read every line the suite writes. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'callbridge' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

/**
 * Errors are logged by type, code and message only: upstream error messages can echo
 * request data, so stacks and `cause` chains are kept to names and codes.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const out: Record<string, unknown> = { type: error.name, message: scrub(error.message) };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (error.stack !== undefined) out.stack = scrub(error.stack);
  if (error.cause !== undefined) out.cause = serializeError(error.cause);
  return out;
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(bearer\s+)[^\s"']+/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** A run of digits with phone punctuation, standing alone (not inside an id or a word). */
const PHONE_LIKE = /(?<![\w-])\+?\(?\d[\d\s().-]{5,}\d(?![\w-])/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const PHONE_MIN_DIGITS = 7;

/** Removes anything shaped like a token, an email address or a phone number from free text. */
export function scrub(text: string): string {
  return text
    .replace(JWT_LIKE, '[jwt]')
    .replace(BEARER, '$1[redacted]')
    .replace(EMAIL, '[email]')
    .replace(PHONE_LIKE, (run) =>
      ISO_DATE.test(run) || run.replace(/\D/g, '').length < PHONE_MIN_DIGITS ? run : '[phone]',
    );
}
