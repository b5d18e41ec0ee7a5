import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startWebex,
  type StartWebexOptions,
  type WebexIntegration,
  type WebexStandIn,
} from '../../../sandbox/src/webex/index.js';

/** Shared set-up for the Webex stand-in tests. */

export const INTEGRATION: WebexIntegration = {
  clientId: 'C0ffee1234567890abcdef',
  clientSecret: 'sandbox-secret-0123456789',
  redirectUris: ['https://callbridge.example/auth/webex/callback'],
  scopes: [
    'spark:people_read',
    'spark:people_write',
    'spark:calls_read',
    'spark:calls_write',
    'spark:telephony_config_read',
    'spark:telephony_config_write',
    'spark-admin:people_read',
    'spark-admin:people_write',
    'spark:kms',
  ],
  name: 'CallBridge',
};

export const CALL_SCOPES = ['spark:people_read', 'spark:calls_read', 'spark:calls_write'];

export async function startTestWebex(options: StartWebexOptions = {}): Promise<WebexStandIn> {
  return startWebex({ integrations: [INTEGRATION], ...options });
}

/** A controllable clock for tests that move time. */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 10, 23, 9, 0, 0)) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface ApiResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** Calls the stand-in's REST API with a bearer token and parses the JSON answer. */
export async function api(
  webex: { url: string },
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResult> {
  const response = await fetch(`${webex.url}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const raw = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: raw === '' ? undefined : (JSON.parse(raw) as unknown),
  };
}

/** Narrows an unknown JSON value to a record (fails the test otherwise). */
export function rec(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`not an object: ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

export function items(value: unknown): Record<string, unknown>[] {
  const list = rec(value).items;
  if (!Array.isArray(list)) throw new Error('no items array');
  return list.map(rec);
}

/** Demo people chosen by what the tests need. */
export function pickPeople(webex: WebexStandIn): {
  caller: string;
  callee: string;
  nonCalling: string;
  admin: string;
  sameOfficeAs: (personId: string) => string;
} {
  const people = webex.people();
  const calling = people.filter((p) => p.calling);
  const caller = calling[1];
  const callee = calling[2];
  const nonCalling = people.find((p) => !p.calling);
  const admin = people[0];
  if (caller === undefined || callee === undefined || nonCalling === undefined || admin === undefined)
    throw new Error('seed changed');
  return {
    caller: caller.personId,
    callee: callee.personId,
    nonCalling: nonCalling.personId,
    admin: admin.personId,
    sameOfficeAs: (personId) => {
      const me = people.findIndex((p) => p.personId === personId);
      // The seed assigns offices round-robin over 4, so index + 4 shares the office.
      const mate = people.slice(me + 1).find((p, i) => p.calling && (i + 1) % 4 === 0);
      if (mate === undefined) throw new Error('no office mate');
      return mate.personId;
    },
  };
}

/** PKCE verifier and S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** POSTs a form to the token endpoint. */
export async function tokenRequest(webex: { url: string }, form: Record<string, string>): Promise<ApiResult> {
  const response = await fetch(`${webex.url}/v1/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(await response.text()) as unknown,
  };
}

/**
 * Runs the authorize step without a browser: GET the page, then POST the form the page would
 * post; returns the redirect Location.
 */
export async function authorizeViaForm(
  webex: { url: string },
  params: Record<string, string>,
  person: string,
  decision: 'accept' | 'decline' = 'accept',
): Promise<{ status: number; location: URL | undefined; page: string }> {
  const page = await fetch(`${webex.url}/v1/authorize?${new URLSearchParams(params).toString()}`, {
    redirect: 'manual',
  });
  const pageText = await page.text();
  if (page.status !== 200) {
    const location = page.headers.get('location');
    return {
      status: page.status,
      location: location === null ? undefined : new URL(location),
      page: pageText,
    };
  }
  const posted = await fetch(`${webex.url}/v1/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, person, decision }).toString(),
  });
  const location = posted.headers.get('location');
  return {
    status: posted.status,
    location: location === null ? undefined : new URL(location),
    page: await posted.text(),
  };
}

export interface ReceivedRequest {
  readonly headers: IncomingMessage['headers'];
  readonly raw: Buffer;
}

/** A real HTTP receiver on port 0 that records raw bodies and answers with `status()`. */
export async function startReceiver(status: () => number = () => 200): Promise<{
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(status());
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webex/events`,
    received,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => {
          ok();
        });
        server.closeAllConnections();
      }),
  };
}

const here = dirname(fileURLToPath(import.meta.url));
/** `shared/` beside the repository (absent in a fresh clone). */
export const SPECS_DIR = resolve(here, '../../../../shared/reference/specs');

/** Reads an official spec file when `../shared` exists; undefined (so the caller skips) otherwise. */
export function readSpec(name: string): unknown {
  const path = resolve(SPECS_DIR, name);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
