import { timingSafeEqual } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { json, type Router, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import { Issuer } from '../shared/issuer.js';
import { stableGuid } from '../seed/org.js';
import { BOT_FRAMEWORK_SCOPE } from './identities.js';

/**
 * STOP-GAP until the Entra ID stand-in is wired in: a minimal OAuth 2.0 client-credentials
 * token endpoint (`POST /{tenant}/oauth2/v2.0/token`) that issues the bot its bot → channel
 * token, so the service can reply in tests without Entra. Point the service's
 * AAD_APP_OAUTH_AUTHORITY_HOST at the channel stand-in's URL to use it. Once the launcher has the
 * Entra stand-in, it passes Entra's token verifier as `verifyBotToken` and leaves
 * `botAppPassword` unset, and this endpoint is not served.
 */

export interface StandInTokenEndpointOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: string;
  /** The stand-in's public base URL, known once it listens. */
  readonly baseUrl: () => string;
}

export interface StandInTokenEndpoint {
  /** Number of tokens issued (tests check the bot caches its token). */
  readonly issued: number;
  /** Verifies a token this endpoint issued (signature, lifetime, issuer); `undefined` when invalid. */
  verify(token: string): Promise<JWTPayload | undefined>;
  mount(router: Router): void;
}

const LIFETIME_SECONDS = 3599;

function entraError(status: number, error: string, code: number, description: string): SandboxResponse {
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z'),
  });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function createStandInTokenEndpoint(
  options: StandInTokenEndpointOptions,
): Promise<StandInTokenEndpoint> {
  const issuer = await Issuer.create();
  let issued = 0;
  const issuerUrl = (tenant: string): string => `${options.baseUrl()}/${tenant}/`;

  const token = async (req: SandboxRequest): Promise<SandboxResponse> => {
    const tenant = req.params.tenant ?? '';
    if (tenant !== options.tenantId && tenant !== 'botframework.com') {
      return entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    }
    const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
      string,
      unknown
    >;
    const field = (name: string): string => (typeof form[name] === 'string' ? form[name] : '');
    if (field('grant_type') !== 'client_credentials') {
      return entraError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    if (field('client_id') !== options.clientId) {
      return entraError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${field('client_id')}' was not found.`,
      );
    }
    if (!sameSecret(field('client_secret'), options.clientSecret)) {
      return entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    if (field('scope') !== `${BOT_FRAMEWORK_SCOPE}/.default`) {
      return entraError(
        400,
        'invalid_scope',
        70011,
        `The provided value for the input parameter 'scope' is not valid.`,
      );
    }
    const servicePrincipal = stableGuid(`bot-service-principal:${options.clientId}`);
    const accessToken = await issuer.sign(
      {
        iss: issuerUrl(tenant),
        aud: BOT_FRAMEWORK_SCOPE,
        appid: options.clientId,
        appidacr: '1',
        idtyp: 'app',
        oid: servicePrincipal,
        sub: servicePrincipal,
        tid: options.tenantId,
        ver: '1.0',
      },
      { lifetimeSeconds: LIFETIME_SECONDS },
    );
    issued += 1;
    return json(200, {
      token_type: 'Bearer',
      expires_in: LIFETIME_SECONDS,
      ext_expires_in: LIFETIME_SECONDS,
      access_token: accessToken,
    });
  };

  return {
    get issued() {
      return issued;
    },
    verify: async (candidate) => {
      const payload = await issuer.verify(candidate);
      if (
        payload === undefined ||
        typeof payload.iss !== 'string' ||
        !payload.iss.startsWith(`${options.baseUrl()}/`)
      )
        return undefined;
      return payload;
    },
    mount: (router) => {
      router.add('POST', '/:tenant/oauth2/v2.0/token', token);
    },
  };
}
