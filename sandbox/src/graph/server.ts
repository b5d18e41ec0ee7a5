import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Router, SandboxRequest, SandboxResponse } from '../shared/http.js';
import { authenticate, type VerifyAccessToken } from './auth.js';
import type { GraphClock } from './clock.js';
import { badRequest, errorResponse, GraphError, tooManyRequests } from './errors.js';
import { headerValue, readJsonBody, type GraphRoute } from './route.js';
import type { Faults } from './throttle.js';

/**
 * The request pipeline every Graph call goes through, whether it arrives over HTTP or inside a
 * `$batch`: request ids, injected latency, authentication, throttling, the handler, and Graph's
 * error body for anything that goes wrong.
 */

export const VERSIONS = ['v1.0', 'beta'] as const;

/** Events the stand-in reports through the optional `log` callback. */
export type GraphLogEvent =
  | { readonly type: 'request'; readonly method: string; readonly path: string; readonly status: number }
  | { readonly type: 'delivery'; readonly url: string; readonly outcome: string; readonly count: number }
  | { readonly type: 'error'; readonly error: unknown };

export interface PipelineOptions {
  readonly tenantId: string;
  readonly verifyAccessToken: VerifyAccessToken;
  readonly clock: GraphClock;
  readonly faults: Faults;
  readonly scheme: 'http' | 'https';
  readonly log?: ((event: GraphLogEvent) => void) | undefined;
}

/** A request to run through the pipeline without HTTP (used by `$batch`). */
export interface InnerRequest {
  readonly method: string;
  /** Path and query below the host, e.g. `/v1.0/me?$select=id`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export class GraphPipeline {
  private readonly templates: string[][] = [];

  constructor(
    private readonly router: Router,
    private readonly options: PipelineOptions,
  ) {}

  /**
   * Mounts routes under `/v1.0` and `/beta`. Routes sharing a template share one router entry that
   * picks the method itself, so an unsupported method gets Graph's 405 rather than a generic one.
   */
  mount(routes: readonly GraphRoute[]): void {
    const byTemplate = new Map<string, GraphRoute[]>();
    for (const route of routes)
      byTemplate.set(route.template, [...(byTemplate.get(route.template) ?? []), route]);
    for (const [template, group] of byTemplate) {
      this.templates.push(template.split('/').filter(Boolean));
      for (const version of VERSIONS) {
        for (const method of ['GET', 'POST', 'PATCH', 'DELETE', 'PUT']) {
          this.router.add(method, `/${version}${template}`, (req) => this.run(req, version, group));
        }
      }
    }
  }

  /** Runs a request that did not come over HTTP, e.g. one item of a `$batch`. */
  async dispatch(inner: InnerRequest): Promise<SandboxResponse> {
    const url = new URL(inner.url, 'http://graph.local');
    const raw = inner.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(inner.body));
    const request: SandboxRequest = {
      method: inner.method.toUpperCase(),
      url,
      path: url.pathname,
      headers: inner.headers,
      params: {},
      rawBody: raw,
      body: inner.body,
    };
    const matched = this.router.match(request.method, url.pathname);
    if (matched === undefined || matched === 'method') return this.notFound(request);
    return matched.handler({ ...request, params: matched.params });
  }

  /** Graph's answer for a path no route serves: 400 naming the first unknown segment. */
  notFound(req: SandboxRequest): SandboxResponse {
    const ids = this.ids(req.headers);
    const segments = req.path.split('/').filter(Boolean);
    const [version, ...rest] = segments;
    const error =
      version === undefined || !(VERSIONS as readonly string[]).includes(version)
        ? badRequest(`Invalid version: ${version ?? ''}`)
        : badRequest(`Resource not found for the segment '${rest[this.matchedDepth(rest)] ?? version}'.`);
    return this.finish(errorResponse(error, ids), ids, req);
  }

  private async run(
    req: SandboxRequest,
    version: 'v1.0' | 'beta',
    group: readonly GraphRoute[],
  ): Promise<SandboxResponse> {
    const ids = this.ids(req.headers);
    const route = group.find((r) => r.method === req.method.toUpperCase());
    let response: SandboxResponse;
    try {
      if (route === undefined) {
        throw new GraphError(
          405,
          'Request_BadRequest',
          'Specified HTTP method is not allowed for the request target.',
        );
      }
      const latency = this.options.faults.latencyFor(route.family);
      if (latency > 0) await sleep(latency);
      const caller = await authenticate(
        headerValue(req.headers, 'authorization'),
        this.options.verifyAccessToken,
        this.options.clock.now(),
        this.options.tenantId,
      );
      const retryAfter = this.options.faults.admit(route.family, caller.appId);
      if (retryAfter !== undefined) throw tooManyRequests(retryAfter);
      const host = headerValue(req.headers, 'host') ?? 'localhost';
      response = await route.handler({
        method: req.method.toUpperCase(),
        path: req.path,
        params: req.params,
        query: req.url.searchParams,
        headers: req.headers,
        caller,
        version,
        serviceRoot: `${this.options.scheme}://${host}/${version}`,
        jsonBody: () => readJsonBody(req.body, req.rawBody),
      });
    } catch (error) {
      response = errorResponse(this.asGraphError(error), ids);
    }
    return this.finish(response, ids, req);
  }

  private asGraphError(error: unknown): GraphError {
    if (error instanceof GraphError) return error;
    this.options.log?.({ type: 'error', error });
    return new GraphError(500, 'InternalServerError', 'The sandbox failed to process the request.');
  }

  private ids(headers: IncomingHttpHeaders): { requestId: string; clientRequestId: string; now: number } {
    const requestId = randomUUID();
    return {
      requestId,
      clientRequestId: headerValue(headers, 'client-request-id') ?? requestId,
      now: this.options.clock.now(),
    };
  }

  /** Adds the headers every Graph response carries, and logs the exchange. */
  private finish(
    response: SandboxResponse,
    ids: { requestId: string; clientRequestId: string },
    req: SandboxRequest,
  ): SandboxResponse {
    this.options.log?.({ type: 'request', method: req.method, path: req.path, status: response.status });
    return {
      ...response,
      headers: {
        ...response.headers,
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId,
        'x-ms-ags-diagnostic': JSON.stringify({
          ServerInfo: {
            DataCenter: 'Sandbox',
            Slice: 'E',
            Ring: '0',
            ScaleUnit: '000',
            RoleInstance: 'SANDBOX',
          },
        }),
        'cache-control': 'no-cache',
      },
    };
  }

  /** How many leading segments of `rest` some route template accepts. */
  private matchedDepth(rest: readonly string[]): number {
    let best = 0;
    for (const template of this.templates) {
      let depth = 0;
      while (depth < rest.length && depth < template.length) {
        const t = template[depth] ?? '';
        if (!t.startsWith(':') && t !== rest[depth]) break;
        depth += 1;
      }
      best = Math.max(best, depth);
    }
    return best;
  }
}
