import assert from 'node:assert/strict';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import {
  startEntra,
  type EntraAppRegistration,
  type EntraOptions,
  type EntraStandIn,
} from '../../../sandbox/src/entra/index.js';
import {
  createSsoValidator,
  type SsoValidator,
  type SsoValidatorOptions,
} from '../../../bot/src/auth/sso-validator.js';
import { createDemoOrg } from '../../../sandbox/src/seed/org.js';
import { loadSandboxTls, type SandboxTls } from '../../../sandbox/src/tls/index.js';

/**
 * Shared set-up for the Entra stand-in tests: the service's and the bot's app registrations
 * (the sandbox default ids from bot/src/config/env.ts), a raw HTTPS client that trusts the
 * sandbox CA explicitly (so protocol tests don't depend on NODE_EXTRA_CA_CERTS), and JWT peeking.
 */

export const BOT_ID = '00000000-0000-4000-8000-00000000b075';
export const SERVICE_CLIENT_ID = '00000000-0000-4000-8000-00000000a11d';
export const SERVICE_SECRET = 'service-secret-for-tests';
export const BOT_SECRET = 'bot-secret-for-tests';
export const APP_ID_URI = `api://localhost:3978/botid-${BOT_ID}`;
export const REDIRECT_URI = 'https://localhost:3978/auth/callback';

export const SERVICE_APP: EntraAppRegistration = {
  clientId: SERVICE_CLIENT_ID,
  clientSecret: SERVICE_SECRET,
  displayName: 'CallBridge',
  redirectUris: [REDIRECT_URI],
  applicationIdUri: APP_ID_URI,
  // As infra/aad.manifest.json: SSO tokens carry the caller's directory roles (`wids`).
  groupMembershipClaims: 'DirectoryRole',
  requiredResourceAccess: [
    {
      resource: 'https://graph.microsoft.com',
      scopes: [
        'User.Read',
        'User.ReadBasic.All',
        'Presence.Read.All',
        'Presence.ReadWrite',
        'Contacts.Read',
        'offline_access',
      ],
      roles: ['Presence.ReadWrite.All', 'User.Read.All'],
    },
  ],
};

export const BOT_APP: EntraAppRegistration = {
  clientId: BOT_ID,
  clientSecret: BOT_SECRET,
  displayName: 'CallBridge bot',
  redirectUris: [],
};

export const org = createDemoOrg();
/** The Global Administrator (first user) and two regular users. */
/** The service's SSO validator for tokens this stand-in (at `entraUrl`) issues for SERVICE_APP. */
export function serviceSsoValidator(
  entraUrl: string,
  extra: Partial<Pick<SsoValidatorOptions, 'logger' | 'now'>> = {},
): SsoValidator {
  return createSsoValidator({
    clientId: SERVICE_CLIENT_ID,
    applicationIdUri: APP_ID_URI,
    tenantId: org.tenantId,
    authorityHost: entraUrl,
    v1TokenIssuerHost: entraUrl,
    allowedTenantIds: [org.tenantId],
    ...extra,
  });
}

export const ADMIN = org.users[0]!;
export const ALICE = org.users[5]!;
export const BOB = org.users[6]!;

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The same TLS material scripts/test.mjs tells Node to trust. */
export function sandboxTls(): Promise<SandboxTls> {
  return loadSandboxTls(`${repoRoot}.data/sandbox-tls`);
}

export async function startTestEntra(options: Partial<EntraOptions> = {}): Promise<EntraStandIn> {
  return startEntra({ org, tls: await sandboxTls(), apps: [SERVICE_APP, BOT_APP], ...options });
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/** One HTTPS exchange, trusting the sandbox CA, never following redirects. */
export async function raw(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const { ca } = await sandboxTls();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await raw(url);
  return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> };
}

/** POSTs a form to the token endpoint of the tenant (or another `{tenant}` segment). */
export async function token(
  entra: EntraStandIn,
  form: Record<string, string>,
  options: { tenant?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: RawResponse['headers']; body: Record<string, unknown> }> {
  const res = await raw(`${entra.url}/${options.tenant ?? entra.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, headers: res.headers, body: JSON.parse(res.text) as Record<string, unknown> };
}

export const serviceCredentials = { client_id: SERVICE_CLIENT_ID, client_secret: SERVICE_SECRET };

export function claimsOf(jwt: unknown): JWTPayload & Record<string, unknown> {
  if (typeof jwt !== 'string') throw new Error(`not a token: ${String(jwt)}`);
  return decodeJwt(jwt);
}

export function headerOf(jwt: unknown): ProtectedHeaderParameters {
  if (typeof jwt !== 'string') throw new Error(`not a token: ${String(jwt)}`);
  return decodeProtectedHeader(jwt);
}

/**
 * Asserts Entra's error answer: the HTTP status, `error`, `error_codes` = [code], the
 * description's `AADSTS<code>: ` prefix and its trace / correlation / timestamp lines, and the
 * `trace_id`, `correlation_id` and `timestamp` members (Entra's documented error shape).
 */
export function assertEntraError(
  res: { status: number; body: Record<string, unknown> },
  status: number,
  error: string,
  code: number,
): void {
  const { body } = res;
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error, error);
  assert.deepEqual(body.error_codes, [code]);
  const description = String(body.error_description);
  assert.ok(description.startsWith(`AADSTS${code}: `), description);
  assert.match(
    description,
    /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
  );
  assert.match(String(body.trace_id), GUID);
  assert.match(String(body.correlation_id), GUID);
  assert.match(String(body.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
