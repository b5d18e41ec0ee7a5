import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxResponse } from '../shared/http.js';
import type { Caller } from './auth.js';
import { badRequest } from './errors.js';
import type { Family } from './throttle.js';

/**
 * What a Graph endpoint handler sees: the authenticated caller, the version it was called under,
 * and the service root for building `@odata.context` / `@odata.nextLink` values.
 */
export interface GraphRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly caller: Caller;
  readonly version: 'v1.0' | 'beta';
  /** Absolute URL of the version root, e.g. `https://localhost:4443/v1.0`. */
  readonly serviceRoot: string;
  /** The JSON body; throws Graph's 400 when absent or malformed. */
  jsonBody(): Readonly<Record<string, unknown>>;
}

export type GraphHandler = (request: GraphRequest) => Promise<SandboxResponse> | SandboxResponse;

export interface GraphRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the version root, with `:param` segments. */
  readonly template: string;
  readonly family: Family;
  readonly handler: GraphHandler;
}

const ODATA_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** A JSON response with Graph's OData content type. */
export function odata(status: number, body: unknown): SandboxResponse {
  return { status, headers: { 'content-type': ODATA_JSON, 'odata-version': '4.0' }, body };
}

/** A bodiless success (204 for updates and deletes, 200 for presence actions). */
export function empty(status = 204): SandboxResponse {
  return { status };
}

/** The request body as JSON: the body the shared layer parsed, or the raw bytes when no JSON type was sent. */
export function readJsonBody(body: unknown, raw: Buffer): Readonly<Record<string, unknown>> {
  let value = body;
  if (value === undefined && raw.length > 0) {
    try {
      value = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      value = undefined;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
  return value as Readonly<Record<string, unknown>>;
}

/** Reads a header as a single string. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
