import sinon from 'sinon';
import { createApiClient, type ApiClient } from '../../../tab/src/api/client.js';
import type { TokenOutcome } from '../../../tab/src/app/TeamsHost.js';

/** A fake fetch and token source for the tab's API client: real Responses, no server. */

export interface Call {
  readonly url: string;
  readonly method: string;
  readonly authorization: string | undefined;
  readonly body: string | undefined;
}

/** A fake fetch answering from a queue; records each request. */
export function fakeFetch(...answers: (Response | Error)[]) {
  const calls: Call[] = [];
  const fetch = sinon.fake((input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    calls.push({
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      method: init?.method ?? 'GET',
      authorization: headers.get('authorization') ?? undefined,
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    const next = answers.shift();
    if (next === undefined) return Promise.reject(new Error('no more answers'));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function tokens(...outcomes: TokenOutcome[]) {
  let n = 0;
  return sinon.fake(() => {
    n++;
    return Promise.resolve(outcomes.shift() ?? { ok: true as const, token: `token-${n}` });
  });
}

export function client(fetch: typeof globalThis.fetch, getToken = tokens()): ApiClient {
  return createApiClient({ getToken, fetch });
}
