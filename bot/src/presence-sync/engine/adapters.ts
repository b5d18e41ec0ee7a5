import type { Presence } from '@microsoft/microsoft-graph-types';
import type { EntraTokenClient } from '../../auth/obo/entra-token-client.js';
import { GraphClient, type GraphError } from '../../integrations/graph/graph.client.js';
import type { HttpPolicy } from '../../integrations/http-policy.js';
import { WebexClient, type WebexError } from '../../integrations/webex/webex.client.js';
import type { Logger } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { WebexTokenError } from '../../webex-link/token-service.js';
import type { PortError, TeamsPresencePort, WebexCallsPort, WebexDndPort, WebexPeoplePort } from './ports.js';

/**
 * Production adapters of the engine's ports.
 *
 * Teams: app-only Graph tokens (`Presence.ReadWrite.All`, the application permission in
 * infra/aad.manifest.json). Writing another user's presence with a delegated token is refused
 * (delegated `Presence.ReadWrite` covers the signed-in user only), and the app-only token also
 * reads presence (getPresencesByUserId accepts application permissions), so one token per
 * tenant serves every read and write, with no user session needed. setPresence's `sessionId`
 * is our Entra app's client id: the one the app-only token is issued to.
 *
 * Webex: the user's own token (Calling DND at the user-level endpoint, their calls, their own
 * `Person.status` for meetings).
 */

const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
const MIN_SESSION_MS = 5 * 60_000;
const MAX_SESSION_MS = 4 * 60 * 60_000;

/** App-only Graph tokens per tenant, cached until shortly before they expire. */
export function createAppTokenSource(
  tokens: Pick<EntraTokenClient, 'clientCredentials'>,
  now: () => number = Date.now,
): (tenantId: string) => Promise<string> {
  const cache = new Map<string, { token: string; refreshAt: number }>();
  const pending = new Map<string, Promise<string>>();
  return async (tenantId) => {
    const cached = cache.get(tenantId);
    if (cached !== undefined && now() < cached.refreshAt) return cached.token;
    let request = pending.get(tenantId);
    if (request === undefined) {
      request = (async () => {
        const started = now();
        const issued = await tokens.clientCredentials(GRAPH_DEFAULT_SCOPE, tenantId);
        if (!issued.ok) throw new Error(`app-only Graph token refused (${issued.error.kind})`);
        const lifetime = issued.value.expiresInSeconds * 1000;
        cache.set(tenantId, {
          token: issued.value.accessToken,
          refreshAt: started + lifetime - Math.min(5 * 60_000, lifetime / 2),
        });
        return issued.value.accessToken;
      })().finally(() => pending.delete(tenantId));
      pending.set(tenantId, request);
    }
    return request;
  };
}

export interface GraphPresenceAdapterOptions {
  readonly baseUrl: string;
  readonly policy: HttpPolicy;
  readonly logger: Logger;
  /** Our Entra app's client id: setPresence's `sessionId`. */
  readonly clientId: string;
  readonly appToken: (tenantId: string) => Promise<string>;
}

export function createGraphPresencePort(options: GraphPresenceAdapterOptions): TeamsPresencePort {
  const clients = new Map<string, GraphClient>();
  const client = (tenantId: string): GraphClient => {
    let found = clients.get(tenantId);
    if (found === undefined) {
      found = new GraphClient({
        baseUrl: options.baseUrl,
        policy: options.policy,
        logger: options.logger,
        getAccessToken: () => options.appToken(tenantId),
      });
      clients.set(tenantId, found);
    }
    return found;
  };
  return {
    async read(user) {
      const got = await client(user.tenantId).getPresence([user.aadObjectId]);
      if (!got.ok) return err(graphPortError(got.error));
      const first = got.value[0];
      const presence = first === undefined ? undefined : pairOf(first);
      return presence === undefined ? err({ code: 'graph_invalid_presence', transient: true }) : ok(presence);
    },
    async readMany(tenantId, ids) {
      const got = await client(tenantId).getPresence(ids);
      if (!got.ok) return err(graphPortError(got.error));
      const map = new Map<string, { availability: string; activity: string }>();
      for (const p of got.value) {
        const presence = pairOf(p);
        if (typeof p.id === 'string' && presence !== undefined) map.set(p.id, presence);
      }
      return ok(map);
    },
    async setSession(user, state, expirationMs) {
      const set = await client(user.tenantId).setPresence(user.aadObjectId, {
        sessionId: options.clientId,
        availability: state.availability,
        activity: state.activity,
        expirationDuration: isoMinutes(expirationMs),
      });
      return set.ok ? ok(undefined) : err(graphPortError(set.error));
    },
    async clearSession(user) {
      const cleared = await client(user.tenantId).clearPresence(user.aadObjectId, options.clientId);
      // No session left to clear is the state we wanted.
      if (!cleared.ok && cleared.error.status === 404) return ok(undefined);
      return cleared.ok ? ok(undefined) : err(graphPortError(cleared.error));
    },
  };
}

function pairOf(p: Presence): { availability: string; activity: string } | undefined {
  return typeof p.availability === 'string' && typeof p.activity === 'string'
    ? { availability: p.availability, activity: p.activity }
    : undefined;
}

/** `expirationDuration` in whole minutes within Graph's PT5M–PT4H. */
export function isoMinutes(ms: number): string {
  const clamped = Math.min(MAX_SESSION_MS, Math.max(MIN_SESSION_MS, ms));
  return `PT${String(Math.ceil(clamped / 60_000))}M`;
}

export function graphPortError(error: GraphError): PortError {
  const retry = error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
  switch (error.kind) {
    case 'throttled':
      return { code: 'throttled', transient: true, ...retry };
    case 'timeout':
    case 'unavailable':
    case 'network':
    case 'aborted':
    case 'invalid_response':
    case 'token_unavailable':
      return { code: `graph_${error.kind}`, transient: true, ...retry };
    case 'http_error':
      if (error.status === 401 || error.status === 403)
        return { code: 'graph_forbidden', transient: false, action: 'admin_consent' };
      if (error.status === 404) return { code: 'teams_user_not_found', transient: false, action: 'retry' };
      return {
        code: `graph_${String(error.status ?? 'error')}`,
        transient: (error.status ?? 500) >= 500,
        ...retry,
      };
  }
}

export interface WebexPortsOptions {
  readonly baseUrl: string;
  readonly policy: HttpPolicy;
  readonly logger: Logger;
  /** The user's Webex access token (WebexTokenService.getAccessToken). */
  readonly userToken: (userId: string) => Promise<Result<string, WebexTokenError>>;
}

export function createWebexRestPorts(options: WebexPortsOptions): {
  calls: WebexCallsPort;
  dnd: WebexDndPort;
  people: WebexPeoplePort;
} {
  const forUser = async (userId: string): Promise<Result<WebexClient, PortError>> => {
    const first = await options.userToken(userId);
    if (!first.ok) return err(tokenPortError(first.error));
    let token = first.value;
    return ok(
      new WebexClient({
        baseUrl: options.baseUrl,
        policy: options.policy,
        logger: options.logger,
        getAccessToken: async () => {
          const again = await options.userToken(userId);
          if (again.ok) token = again.value;
          return token;
        },
      }),
    );
  };
  return {
    calls: {
      async list(userId) {
        const client = await forUser(userId);
        if (!client.ok) return client;
        const calls = await client.value.listCalls();
        return calls.ok
          ? ok(calls.value.map((c) => ({ id: c.id, state: c.state })))
          : err(webexPortError(calls.error));
      },
    },
    people: {
      async status(userId) {
        const client = await forUser(userId);
        if (!client.ok) return client;
        const me = await client.value.getMe();
        return me.ok ? ok(me.value.status) : err(webexPortError(me.error));
      },
    },
    dnd: {
      async get(userId) {
        const client = await forUser(userId);
        if (!client.ok) return client;
        const got = await client.value.getDnd();
        return got.ok ? ok(got.value.enabled) : err(webexPortError(got.error));
      },
      async set(userId, enabled) {
        const client = await forUser(userId);
        if (!client.ok) return client;
        const set = await client.value.setDnd({ enabled });
        return set.ok ? ok(undefined) : err(webexPortError(set.error));
      },
    },
  };
}

function tokenPortError(error: WebexTokenError): PortError {
  switch (error.code) {
    case 'not_linked':
      return { code: 'webex_not_linked', transient: false, action: 'link_webex' };
    case 'needs_relink':
      return { code: 'webex_needs_relink', transient: false, action: 'link_webex' };
    case 'unavailable':
      return {
        code: 'webex_unavailable',
        transient: true,
        ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      };
    case 'vault_error':
      return { code: 'webex_token_unreadable', transient: false, action: 'retry' };
  }
}

export function webexPortError(error: WebexError): PortError {
  const retry = error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
  switch (error.code) {
    case 'unauthorized':
    case 'token_unavailable':
      return { code: 'webex_unauthorized', transient: false, action: 'link_webex' };
    case 'forbidden':
      return { code: 'webex_forbidden', transient: false, action: 'link_webex' };
    case 'not_calling_enabled':
      return { code: 'webex_not_calling_enabled', transient: false, action: 'retry' };
    case 'throttled':
      return { code: 'throttled_webex', transient: true, ...retry };
    case 'timeout':
    case 'unavailable':
    case 'network':
    case 'aborted':
    case 'http_error':
    case 'invalid_response':
      return { code: `webex_${error.code}`, transient: true, ...retry };
    case 'not_found':
    case 'bad_request':
    case 'invalid_destination':
      return { code: `webex_${error.code}`, transient: false, action: 'retry' };
  }
}
