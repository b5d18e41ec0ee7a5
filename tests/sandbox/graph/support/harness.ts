import { randomUUID } from 'node:crypto';
import { createDemoOrg, type DemoOrg, type DemoUser } from '../../../../sandbox/src/seed/org.js';
import { Issuer } from '../../../../sandbox/src/shared/issuer.js';
import { startGraph, type GraphOptions, type GraphStandIn } from '../../../../sandbox/src/graph/index.js';
import { FakeClock } from './fake-clock.js';

/**
 * Starts the Graph stand-in on port 0 with a fake clock and a verifier built from the test's own
 * issuer, and mints tokens carrying the claims real Graph access tokens carry.
 */

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
export const APP_ID = '11111111-2222-4333-8444-555555555555';
export const OTHER_APP_ID = '99999999-8888-4777-8666-555555555555';

export interface Harness {
  readonly graph: GraphStandIn;
  readonly org: DemoOrg;
  readonly clock: FakeClock;
  readonly issuer: Issuer;
  /** `${graph.url}/v1.0` */
  readonly root: string;
  user(index: number): DemoUser;
  /** A delegated token for a seed user with the given scopes. */
  delegated(user: DemoUser, scopes: string, extra?: Record<string, unknown>): Promise<string>;
  /** An application token with the given roles. */
  app(roles: readonly string[], extra?: Record<string, unknown>): Promise<string>;
  /** Calls the stand-in; `path` is below the version root (`/me`) or absolute (`/beta/me`). */
  call(method: string, path: string, init?: CallInit): Promise<GraphResponse>;
  close(): Promise<void>;
}

export interface CallInit {
  readonly token?: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface GraphResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body (undefined when the body is empty). */
  readonly json: Record<string, unknown>;
}

/** One signing authority for all suites: RSA key generation is the slow part of a harness. */
let sharedIssuer: Promise<Issuer> | undefined;

export async function startHarness(overrides: Partial<GraphOptions> = {}): Promise<Harness> {
  const org = createDemoOrg();
  const issuer = await (sharedIssuer ??= Issuer.create());
  const clock = new FakeClock();
  const graph = await startGraph({
    org,
    verifyAccessToken: (token) => issuer.verify(token),
    clock,
    ...overrides,
  });
  const root = `${graph.url}/v1.0`;
  // Expiry follows the fake clock, so advancing it expires tokens the way real time would.
  const base = (): Record<string, unknown> => ({
    aud: GRAPH_AUDIENCE,
    iss: `https://sts.windows.net/${org.tenantId}/`,
    tid: org.tenantId,
    ver: '1.0',
    exp: Math.floor(clock.now() / 1000) + 3600,
  });
  const harness: Harness = {
    graph,
    org,
    clock,
    issuer,
    root,
    user: (index) => {
      const u = org.users[index];
      if (u === undefined) throw new Error(`no seed user ${index}`);
      return u;
    },
    delegated: (user, scopes, extra = {}) =>
      issuer.sign({
        ...base(),
        oid: user.id,
        sub: randomUUID(),
        appid: APP_ID,
        scp: scopes,
        upn: user.userPrincipalName,
        ...extra,
      }),
    app: (roles, extra = {}) =>
      issuer.sign({
        ...base(),
        oid: randomUUID(),
        sub: randomUUID(),
        appid: APP_ID,
        roles: [...roles],
        ...extra,
      }),
    call: async (method, path, init = {}) => {
      const url =
        /^\/(v1\.0|beta)\//.test(path) || path.startsWith('/_sandbox')
          ? `${graph.url}${path}`
          : `${root}${path}`;
      const headers: Record<string, string> = { ...init.headers };
      if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
      if (init.body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(url, {
        method,
        headers,
        ...(init.body === undefined
          ? {}
          : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      };
    },
    close: () => graph.close(),
  };
  return harness;
}

/** The `error` object of a Graph error body, asserting its documented shape on the way. */
export function graphError(response: GraphResponse): {
  code: string;
  message: string;
  innerError: Record<string, unknown>;
} {
  const error = response.json.error as
    { code: string; message: string; innerError: Record<string, unknown> } | undefined;
  if (error === undefined || typeof error.code !== 'string' || typeof error.message !== 'string') {
    throw new Error(`not a Graph error body: ${response.text}`);
  }
  return error;
}

export function items(response: GraphResponse): Record<string, unknown>[] {
  const value = response.json.value;
  if (!Array.isArray(value)) throw new Error(`no value array in ${response.text}`);
  return value as Record<string, unknown>[];
}
