import type { Request, Response } from 'restify';
import type { z } from 'zod';
import { err, ok, type Result } from '../shared/result.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'del';

/** A request as our routes see it: the raw bytes are kept for signature checks. */
export interface RouteRequest extends Request {
  rawBody?: Buffer;
}

/**
 * One route per file: its method, path template and handler. The server adds body reading,
 * metrics, error mapping and in-flight tracking around every route the same way.
 */
export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  /** `raw` keeps the bytes only; `json` also parses them into `req.body`; `stream` leaves the body alone. */
  readonly body?: 'none' | 'json' | 'raw' | 'stream';
  readonly maxBodyBytes?: number;
  handler(req: RouteRequest, res: Response): Promise<void>;
}

/** A client error with a stable code, sent as `{ code, message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status);
  res.json({ code, message });
}

/** Validates an already-read value against a schema; the failure lists every bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): Result<z.output<S>, HttpError> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const detail = parsed.error.issues
    .slice(0, 10)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
  return err(new HttpError(400, 'invalid_request', detail));
}
