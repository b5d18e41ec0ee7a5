import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { DemoUser } from '../seed/org.js';
import type { Issuer } from '../shared/issuer.js';
import type { TenantGrant, UserConditions, UserConsent } from './consent.js';
import { grantAdminConsent, planAdminConsent } from './consent-plan.js';
import type { EntraContext } from './context.js';
import type { RegisteredApp } from './directory.js';
import { TEAMS_CLIENT_ID } from './resources.js';
import { parseScopes } from './scopes.js';
import { audienceFor } from './tokens.js';

/**
 * The stand-in's control surface: what tests call directly and what `/_sandbox/entra/...`
 * exposes to the sandbox console. Unknown user or client ids are programming errors here
 * (they throw); the HTTP layer checks them first and answers 404.
 */

export interface SsoTokenOptions {
  /** `aud`; defaults to the API's client id for v2.0 (what Teams sends) and its Application ID URI for v1.0. */
  readonly audience?: string;
  readonly version?: '1.0' | '2.0';
  readonly lifetimeSeconds?: number;
  /** The API the token is for; defaults to the first registered app that exposes one. */
  readonly clientId?: string;
  /** The Teams client that asked (`azp`/`appid`); defaults to Teams desktop/mobile. */
  readonly teamsClientId?: string;
}

export interface MintAccessTokenOptions {
  /** The client the token is issued to (`azp`/`appid`); need not be registered. */
  readonly clientId: string;
  /** The resource by identifier URI or app id, e.g. `https://graph.microsoft.com`. */
  readonly resource: string;
  /** A user object id or UPN for a delegated token; omitted for an app-only token. */
  readonly userId?: string;
  /** Delegated scopes (`scp`), for user tokens. */
  readonly scopes?: readonly string[];
  /** Application permissions (`roles`), for app-only tokens. */
  readonly roles?: readonly string[];
  readonly lifetimeSeconds?: number;
}

export class EntraControls {
  constructor(
    private readonly ctx: EntraContext,
    private readonly signer: Issuer,
  ) {}

  /**
   * The token Teams' `authentication.getAuthToken()` hands the tab or messaging extension:
   * issued to the Teams client for the API's `access_as_user` scope, v2.0 by default.
   */
  async ssoToken(userId: string, options: SsoTokenOptions = {}): Promise<string> {
    const user = this.requireUser(userId);
    const api = this.apiApp(options.clientId);
    const version = options.version === '1.0' ? 1 : 2;
    const resource = api.api;
    if (resource === undefined) throw new Error(`app ${api.clientId} exposes no API`);
    const audience =
      options.audience ?? (version === 2 ? api.clientId : (resource.identifierUris[0] ?? api.clientId));
    const { token } = await this.ctx.tokens.delegated({
      user,
      clientId: options.teamsClientId ?? TEAMS_CLIENT_ID,
      clientDisplayName: 'Microsoft Teams',
      confidentialClient: false,
      audience,
      scopes: resource.scopes.map((s) => s.value),
      version,
      wids: this.ctx.directory.widsFor(resource, user.id),
      ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
    });
    return token;
  }

  /**
   * Mints an access token directly, with no consent checks: for tests of the stand-ins that
   * consume Entra tokens (Graph, Bot channel), which need tokens of a given shape.
   */
  async mintAccessToken(options: MintAccessTokenOptions): Promise<string> {
    const resource = this.ctx.directory.resource(options.resource);
    if (resource === undefined) throw new Error(`unknown resource ${options.resource}`);
    const audience = audienceFor({
      resource,
      identifier: options.resource,
      bare: false,
      isDefault: false,
      names: [],
    });
    const client = this.ctx.directory.client(options.clientId);
    const clientDisplayName = client?.displayName ?? options.clientId;
    if (options.userId !== undefined) {
      const user = this.requireUser(options.userId);
      const issued = await this.ctx.tokens.delegated({
        user,
        clientId: options.clientId,
        clientDisplayName,
        confidentialClient: true,
        audience,
        scopes: options.scopes ?? [],
        version: resource.accessTokenVersion,
        wids: this.ctx.directory.widsFor(resource, user.id),
        ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
      });
      return issued.token;
    }
    const issued = await this.ctx.tokens.appOnly({
      clientId: options.clientId,
      clientDisplayName,
      clientServicePrincipalId: client?.servicePrincipalId ?? options.clientId,
      audience,
      roles: options.roles ?? [],
      version: resource.accessTokenVersion,
    });
    return issued.token;
  }

  /** Verifies a token this stand-in issued (signature and lifetime, by the stand-in's clock). */
  async verifyToken(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.signer.jwks()), {
        algorithms: ['RS256'],
        currentDate: new Date(this.ctx.now()),
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  jwks(): { keys: JWK[] } {
    return this.signer.jwks();
  }

  /** Signs with a new key from now on; the previous key stays published. Returns the new `kid`. */
  async rotateKeys(): Promise<string> {
    await this.signer.rotate();
    return this.signer.activeKid;
  }

  /** The user withdraws consent (for one client or all): OBO and refresh then fail with AADSTS65001. */
  revokeConsent(userId: string, clientId?: string): void {
    this.ctx.ledger.revokeConsent(this.requireUser(userId).id, clientId);
  }

  /** Conditional Access demands MFA: OBO and refresh fail with AADSTS50076 until the user signs in interactively. */
  requireMfa(userId: string, required = true): void {
    this.ctx.ledger.requireMfa(this.requireUser(userId).id, required);
  }

  /** Expires the user's refresh tokens (AADSTS700082 on use); returns how many were live. */
  expireRefreshTokens(userId: string): number {
    return this.ctx.refreshTokens.expireAllFor(this.requireUser(userId).id);
  }

  /**
   * Grants admin consent as the admin consent page's Accept would; `scope` defaults to the
   * app's static permissions (`.default`), delegated and application.
   */
  grantAdminConsent(
    clientId: string,
    scope = 'https://graph.microsoft.com/.default',
  ): readonly TenantGrant[] {
    const client = this.requireClient(clientId);
    const parsed = parseScopes(scope, this.ctx.directory);
    if (!parsed.ok) throw new Error(`invalid scope for admin consent: ${parsed.error.message}`);
    return grantAdminConsent(
      this.ctx.ledger,
      client,
      planAdminConsent(client, parsed.value),
      this.ctx.directory.admin,
    );
  }

  /** Records a user's consent as Accept on the authorize page would (scopes of one resource). */
  grantUserConsent(userId: string, clientId: string, scope: string): void {
    const user = this.requireUser(userId);
    const client = this.requireClient(clientId);
    const parsed = parseScopes(scope, this.ctx.directory);
    if (!parsed.ok) throw new Error(`invalid scope for user consent: ${parsed.error.message}`);
    for (const asked of parsed.value.resources) {
      this.ctx.ledger.grantForUser(user.id, client.clientId, asked.resource, asked.names);
    }
    this.ctx.ledger.restoreConsent(user.id, client.clientId);
  }

  /** Tenant-wide grants, shaped for Graph's oauth2PermissionGrants / appRoleAssignments. */
  tenantGrants(): readonly TenantGrant[] {
    return this.ctx.ledger.allTenantGrants;
  }

  userConsents(): readonly UserConsent[] {
    return this.ctx.ledger.allUserConsents;
  }

  userConditions(userId: string): UserConditions {
    return this.ctx.ledger.conditions(this.requireUser(userId).id);
  }

  private requireUser(userId: string): DemoUser {
    const user = this.ctx.directory.user(userId);
    if (user === undefined) throw new Error(`unknown user ${userId}`);
    return user;
  }

  private requireClient(clientId: string): RegisteredApp {
    const client = this.ctx.directory.client(clientId);
    if (client === undefined) throw new Error(`unknown client ${clientId}`);
    return client;
  }

  private apiApp(clientId: string | undefined): RegisteredApp {
    if (clientId !== undefined) return this.requireClient(clientId);
    const first = this.ctx.directory.clients.find((c) => c.api !== undefined);
    if (first === undefined) throw new Error('no registered app exposes an API to issue SSO tokens for');
    return first;
  }
}
