import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxResponse } from '../shared/http.js';
import { badRequest } from './errors.js';
import { headerValue, odata, type GraphRequest, type GraphRoute } from './route.js';
import type { InnerRequest } from './server.js';

/**
 * JSON batching (`POST /$batch`): up to 20 requests with relative URLs, each run through the full
 * pipeline on its own (so each is authenticated, delayed and throttled individually: a batch can
 * be 200 with inner 429s), `dependsOn` for ordering (a request whose dependency failed gets 424),
 * and a `responses` array correlated by `id`. A malformed batch as a whole is a 400.
 */

const MAX_REQUESTS = 20;
/** Headers of an inner response that describe the pipeline rather than the resource. */
const HIDDEN_HEADERS = new Set(['request-id', 'client-request-id', 'x-ms-ags-diagnostic']);

interface BatchItem {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly dependsOn: readonly string[];
}

interface BatchResult {
  readonly id: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export function batchRoutes(dispatch: (request: InnerRequest) => Promise<SandboxResponse>): GraphRoute[] {
  return [{ method: 'POST', template: '/$batch', family: 'batch', handler: (r) => runBatch(r, dispatch) }];
}

async function runBatch(
  r: GraphRequest,
  dispatch: (request: InnerRequest) => Promise<SandboxResponse>,
): Promise<SandboxResponse> {
  const items = parseBatch(r.jsonBody());
  const results = new Map<string, BatchResult>();
  const run = async (item: BatchItem): Promise<void> => {
    const failed = item.dependsOn.find((dep) => (results.get(dep.toLowerCase())?.status ?? 0) >= 400);
    if (failed !== undefined) {
      results.set(item.id.toLowerCase(), {
        id: item.id,
        status: 424,
        body: {
          error: {
            code: 'FailedDependency',
            message: `Request '${item.id}' depends on request '${failed}', which failed.`,
          },
        },
      });
      return;
    }
    const response = await dispatch({
      method: item.method,
      url: `/${r.version}/${item.url.replace(/^\//, '')}`,
      headers: innerHeaders(r.headers, item.headers),
      body: item.body,
    });
    results.set(item.id.toLowerCase(), toResult(item.id, response));
  };
  if (items.some((i) => i.dependsOn.length > 0)) {
    // Documented: with dependsOn the batch runs in dependency order, one request at a time.
    for (const item of dependencyOrder(items)) await run(item);
  } else {
    await Promise.all(items.map(run));
  }
  return odata(200, { responses: items.map((i) => results.get(i.id.toLowerCase())) });
}

function parseBatch(body: Readonly<Record<string, unknown>>): BatchItem[] {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    throw badRequest('Invalid batch payload format: requests is required.');
  if (requests.length > MAX_REQUESTS) {
    throw badRequest(
      `Invalid batch payload format: a batch can hold at most ${MAX_REQUESTS} requests, this one has ${requests.length}.`,
    );
  }
  const items = requests.map((raw: unknown, index): BatchItem => {
    if (typeof raw !== 'object' || raw === null)
      throw badRequest(`Invalid batch payload format: request ${index} is not an object.`);
    const req = raw as Record<string, unknown>;
    const { id, method, url } = req;
    if (typeof id !== 'string' || id === '' || typeof method !== 'string' || typeof url !== 'string') {
      throw badRequest('Invalid batch payload format: every request needs id, method and url.');
    }
    if (/^[a-z]+:\/\//i.test(url))
      throw badRequest(`Invalid batch payload format: url of request '${id}' must be relative.`);
    if (/^\/?\$batch/i.test(url)) throw badRequest('Invalid batch payload format: batches cannot be nested.');
    const headers = stringRecord(req.headers);
    if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      throw badRequest(
        `Invalid batch payload format: request '${id}' has a body but no Content-Type header.`,
      );
    }
    const dependsOn = Array.isArray(req.dependsOn)
      ? req.dependsOn.filter((d): d is string => typeof d === 'string')
      : [];
    return { id, method: method.toUpperCase(), url, headers, body: req.body, dependsOn };
  });
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id.toLowerCase()))
      throw badRequest(`Invalid batch payload format: duplicate request id '${item.id}'.`);
    ids.add(item.id.toLowerCase());
  }
  for (const item of items) {
    const unknown = item.dependsOn.find((d) => !ids.has(d.toLowerCase()));
    if (unknown !== undefined)
      throw badRequest(
        `Invalid batch payload format: request '${item.id}' depends on unknown request '${unknown}'.`,
      );
  }
  return items;
}

/** Requests in an order where each comes after its dependencies; a cycle is a malformed batch. */
function dependencyOrder(items: readonly BatchItem[]): BatchItem[] {
  const byId = new Map(items.map((i) => [i.id.toLowerCase(), i]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: BatchItem[] = [];
  const visit = (item: BatchItem): void => {
    const key = item.id.toLowerCase();
    if (done.has(key)) return;
    if (visiting.has(key))
      throw badRequest(`Invalid batch payload format: circular dependsOn at request '${item.id}'.`);
    visiting.add(key);
    for (const dep of item.dependsOn) {
      const target = byId.get(dep.toLowerCase());
      if (target !== undefined) visit(target);
    }
    visiting.delete(key);
    done.add(key);
    order.push(item);
  };
  items.forEach(visit);
  return order;
}

function innerHeaders(
  outer: IncomingHttpHeaders,
  inner: Readonly<Record<string, string>>,
): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(inner)) headers[name.toLowerCase()] = value;
  // Inner requests run with the batch's credentials and host.
  const authorization = headerValue(outer, 'authorization');
  if (authorization !== undefined) headers.authorization = authorization;
  const host = headerValue(outer, 'host');
  if (host !== undefined) headers.host = host;
  return headers;
}

function toResult(id: string, response: SandboxResponse): BatchResult {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (!HIDDEN_HEADERS.has(name.toLowerCase())) headers[canonicalHeader(name)] = value;
  }
  return { id, status: response.status, headers, body: response.body ?? null };
}

/** `retry-after` → `Retry-After`, `odata-version` → `OData-Version`, as Graph spells them. */
function canonicalHeader(name: string): string {
  if (name.toLowerCase() === 'odata-version') return 'OData-Version';
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
