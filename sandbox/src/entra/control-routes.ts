import { json, type Router, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import type { EntraContext } from './context.js';
import type { EntraControls, SsoTokenOptions } from './controls.js';

/**
 * The control surface over HTTP, under `/_sandbox/entra`, for the sandbox console. Bodies are
 * JSON; every answer is JSON; unknown users or apps are 404.
 */
export function addControlRoutes(router: Router, ctx: EntraContext, controls: EntraControls): void {
  const base = '/_sandbox/entra';

  router.add('GET', base, () =>
    json(200, {
      tenantId: ctx.directory.tenantId,
      authority: ctx.endpoints.authority(),
      issuer: ctx.endpoints.issuerV2(),
      jwksUri: ctx.endpoints.jwks(),
      admin: { id: ctx.directory.admin.id, userPrincipalName: ctx.directory.admin.userPrincipalName },
      apps: ctx.directory.clients.map((c) => ({
        clientId: c.clientId,
        displayName: c.displayName,
        applicationIdUri: c.registration.applicationIdUri ?? null,
      })),
      signingKeys: controls.jwks().keys.map((k) => k.kid),
    }),
  );
  router.add('GET', `${base}/grants`, () =>
    json(200, { tenantGrants: controls.tenantGrants(), userConsents: controls.userConsents() }),
  );
  router.add('POST', `${base}/keys/rotate`, async () =>
    json(200, { activeKid: await controls.rotateKeys() }),
  );
  router.add('POST', `${base}/apps/:clientId/admin-consent`, (req) =>
    withClient(ctx, req, (clientId) => {
      const scope = stringField(req.body, 'scope');
      return json(200, {
        grants:
          scope === undefined
            ? controls.grantAdminConsent(clientId)
            : controls.grantAdminConsent(clientId, scope),
      });
    }),
  );

  const user = `${base}/users/:userId`;
  router.add('GET', user, (req) =>
    withUser(ctx, req, (userId) => json(200, { id: userId, ...controls.userConditions(userId) })),
  );
  router.add('POST', `${user}/revoke-consent`, (req) =>
    withUser(ctx, req, (userId) => {
      controls.revokeConsent(userId, stringField(req.body, 'clientId'));
      return json(200, { id: userId, ...controls.userConditions(userId) });
    }),
  );
  router.add('POST', `${user}/require-mfa`, (req) =>
    withUser(ctx, req, (userId) => {
      const required = booleanField(req.body, 'required') ?? true;
      controls.requireMfa(userId, required);
      return json(200, { id: userId, ...controls.userConditions(userId) });
    }),
  );
  router.add('POST', `${user}/expire-refresh-tokens`, (req) =>
    withUser(ctx, req, (userId) => json(200, { id: userId, expired: controls.expireRefreshTokens(userId) })),
  );
  router.add('POST', `${user}/sso-token`, (req) =>
    withUser(ctx, req, async (userId) =>
      json(200, { token: await controls.ssoToken(userId, ssoOptions(req.body)) }),
    ),
  );
}

function withUser(
  ctx: EntraContext,
  req: SandboxRequest,
  answer: (userId: string) => SandboxResponse | Promise<SandboxResponse>,
): SandboxResponse | Promise<SandboxResponse> {
  const user = ctx.directory.user(req.params.userId ?? '');
  return user === undefined ? notFound(`user ${req.params.userId ?? ''}`) : answer(user.id);
}

function withClient(
  ctx: EntraContext,
  req: SandboxRequest,
  answer: (clientId: string) => SandboxResponse,
): SandboxResponse {
  const client = ctx.directory.client(req.params.clientId ?? '');
  return client === undefined ? notFound(`app ${req.params.clientId ?? ''}`) : answer(client.clientId);
}

function notFound(what: string): SandboxResponse {
  return json(404, { error: 'not_found', message: `No ${what} in the sandbox tenant.` });
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function stringField(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
}

function booleanField(body: unknown, name: string): boolean | undefined {
  const value = field(body, name);
  return typeof value === 'boolean' ? value : undefined;
}

function ssoOptions(body: unknown): SsoTokenOptions {
  const version = stringField(body, 'version');
  const lifetime = field(body, 'lifetimeSeconds');
  const audience = stringField(body, 'audience');
  const clientId = stringField(body, 'clientId');
  return {
    ...(version === '1.0' || version === '2.0' ? { version } : {}),
    ...(typeof lifetime === 'number' ? { lifetimeSeconds: lifetime } : {}),
    ...(audience === undefined ? {} : { audience }),
    ...(clientId === undefined ? {} : { clientId }),
  };
}
