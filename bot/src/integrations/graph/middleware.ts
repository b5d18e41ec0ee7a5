import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { Result } from '../../shared/result.js';
import type { HttpPolicy, UpstreamError, UpstreamRequest } from '../http-policy.js';

/**
 * Our part of the Graph SDK's middleware chain. The chain is
 * `AuthenticationHandler → PolicyMiddleware → FetchMiddleware`:
 *
 * - the SDK's AuthenticationHandler adds `Authorization` only for Graph hosts and `customHosts`
 *   over HTTPS (platform facts, "Found by trying" 19), once per logical request;
 * - PolicyMiddleware runs the rest of the chain under the shared HttpPolicy: retries, backoff,
 *   budgets, and a fresh per-attempt timeout signal combined with the caller's signal;
 * - FetchMiddleware sends with that signal.
 *
 * The SDK's RetryHandler, RedirectHandler and TelemetryHandler are deliberately not in the chain.
 */

/** Per-request options the client hands to the chain; the outcome is written back into it. */
export class GraphCallOptions implements MiddlewareOptions {
  outcome: Result<Response, UpstreamError> | undefined;

  constructor(readonly request: Omit<UpstreamRequest, 'service' | 'method'>) {}
}

export class PolicyMiddleware implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly policy: HttpPolicy) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (next === undefined) throw new Error('PolicyMiddleware needs a next middleware');
    const call = context.middlewareControl?.getMiddlewareOptions(GraphCallOptions) as
      GraphCallOptions | undefined;
    const options = context.options ?? {};
    context.options = options;
    const outcome = await this.policy.execute(
      async (signal) => {
        options.signal = signal;
        delete context.response;
        await next.execute(context);
        const response = responseOf(context);
        if (response === undefined) throw new Error('the HTTP middleware produced no response');
        return response;
      },
      {
        service: 'graph',
        method: options.method ?? 'GET',
        operation: call?.request.operation ?? 'graph',
        idempotent: call?.request.idempotent,
        signal: call?.request.signal,
        maxRetries: call?.request.maxRetries,
      },
    );
    if (call !== undefined) call.outcome = outcome;
    if (outcome.ok) context.response = outcome.value;
    else delete context.response;
  }
}

export class FetchMiddleware implements Middleware {
  constructor(private readonly fetchImpl: typeof fetch) {}

  async execute(context: Context): Promise<void> {
    context.response = await this.fetchImpl(context.request, context.options);
  }
}

/** Read through a function: TypeScript would otherwise keep the `delete` narrowing across the await. */
function responseOf(context: Context): Response | undefined {
  return context.response;
}
