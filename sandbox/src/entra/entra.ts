import type { DemoOrg, DemoUser } from '../seed/org.js';
import { Router, serve, type RunningServer, type TlsMaterial } from '../shared/http.js';
import { Issuer } from '../shared/issuer.js';
import { AuthorizationCodeStore } from './authorization-codes.js';
import { ConsentLedger } from './consent.js';
import type { EntraContext } from './context.js';
import { addControlRoutes } from './control-routes.js';
import { EntraControls } from './controls.js';
import { Directory, type EntraAppRegistration } from './directory.js';
import { addDiscovery } from './discovery.js';
import { Endpoints } from './endpoints.js';
import { addAdminConsentPage } from './pages/admin-consent.js';
import { addAuthorizePage } from './pages/authorize.js';
import { escapeHtml, htmlPage } from './pages/html.js';
import { RefreshTokenStore } from './refresh-tokens.js';
import { addTokenEndpoint } from './token-endpoint.js';
import { TokenFactory } from './tokens.js';

export interface EntraOptions {
  readonly org: DemoOrg;
  /** Entra is served over HTTPS only: MSAL refuses plain-HTTP authorities. */
  readonly tls: TlsMaterial;
  /** Confidential clients of the tenant (the service's Entra app, the bot's app, …). */
  readonly apps: readonly EntraAppRegistration[];
  /** Defaults to 0 (any free port). */
  readonly port?: number;
  /** Clock (epoch ms) for token times, code and refresh-token expiry. */
  readonly now?: () => number;
  readonly log?: (line: string) => void;
  /** Client ids whose static permissions (`.default`) the admin has already consented to at start. */
  readonly adminConsented?: readonly string[];
  /** Access token lifetime; defaults to 3599 s. */
  readonly accessTokenLifetimeSeconds?: number;
  /** How long a superseded refresh token still redeems; defaults to 30 s. */
  readonly refreshTokenGraceSeconds?: number;
}

const NINETY_DAYS_SECONDS = 90 * 24 * 60 * 60;

/**
 * A running Entra ID stand-in: the tenant's OpenID Connect discovery, token endpoint
 * (client credentials, on-behalf-of, refresh token, authorization code + PKCE), authorize and
 * admin consent pages, plus the control surface (inherited from EntraControls).
 */
export class EntraStandIn extends EntraControls {
  /** `https://localhost:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly tenantId: string;
  /** `https://localhost:<port>/<tenant id>`: the MSAL `authority`. */
  readonly authority: string;
  /** `localhost:<port>`: what MSAL's `knownAuthorities` must list. */
  readonly host: string;
  /** The v2.0 issuer (`iss` of v2.0 tokens). */
  readonly issuer: string;
  /** The v1.0 issuer (`iss` of Graph and Bot Framework tokens). */
  readonly issuerV1: string;
  readonly jwksUri: string;
  /** The Global Administrator who answers admin consent. */
  readonly admin: DemoUser;
  private readonly server: RunningServer;

  constructor(ctx: EntraContext, issuer: Issuer, server: RunningServer) {
    super(ctx, issuer);
    this.server = server;
    this.url = server.url;
    this.port = server.port;
    this.tenantId = ctx.directory.tenantId;
    this.authority = ctx.endpoints.authority();
    this.host = ctx.endpoints.host;
    this.issuer = ctx.endpoints.issuerV2();
    this.issuerV1 = ctx.endpoints.issuerV1();
    this.jwksUri = ctx.endpoints.jwks();
    this.admin = ctx.directory.admin;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

export async function startEntra(options: EntraOptions): Promise<EntraStandIn> {
  const now = options.now ?? Date.now;
  const issuer = await Issuer.create(2);
  const directory = new Directory(options.org, options.apps);
  const endpoints = new Endpoints(directory.tenantId);
  const ctx: EntraContext = {
    directory,
    endpoints,
    now,
    log: options.log ?? (() => undefined),
    ledger: new ConsentLedger(now),
    tokens: new TokenFactory(issuer, endpoints, now, options.accessTokenLifetimeSeconds ?? 3599),
    refreshTokens: new RefreshTokenStore(now, {
      graceSeconds: options.refreshTokenGraceSeconds ?? 30,
      maxInactiveSeconds: NINETY_DAYS_SECONDS,
    }),
    codes: new AuthorizationCodeStore(now),
  };
  const controls = new EntraControls(ctx, issuer);
  for (const clientId of options.adminConsented ?? []) controls.grantAdminConsent(clientId);

  const router = new Router();
  addDiscovery(router, ctx, issuer);
  addTokenEndpoint(router, ctx);
  addAuthorizePage(router, ctx);
  addAdminConsentPage(router, ctx);
  addControlRoutes(router, ctx, controls);
  router.add('GET', '/error', (req) => {
    const code = req.url.searchParams.get('code') ?? '';
    return htmlPage(
      200,
      `AADSTS${code}`,
      `<h1>AADSTS${escapeHtml(code)}</h1><p>An error the sandbox Entra ID stand-in returned. The error description in the response explains it.</p>`,
    );
  });

  const server = await serve(router, {
    // Only the leaf: callers may pass a SandboxTls, whose `ca` would make Node send the root too.
    tls: { key: options.tls.key, cert: options.tls.cert },
    ...(options.port === undefined ? {} : { port: options.port }),
    notFound: () =>
      htmlPage(
        404,
        'Not found',
        '<h1>Not found</h1><p>The sandbox Entra ID stand-in serves no page here.</p>',
      ),
    onError: (error) => {
      ctx.log(
        `entra: internal error ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    },
  });
  endpoints.bind(server.url);
  return new EntraStandIn(ctx, issuer, server);
}
