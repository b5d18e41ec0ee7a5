import { importJWK, type CryptoKey } from 'jose';
import type { Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';

/**
 * The authority's RS256 signing keys, fetched once and kept. A token naming a key id we do not
 * hold triggers a refetch (Entra rotates keys without notice), but at most one fetch per
 * `refetchIntervalMs`, so tokens with made-up key ids cannot turn us into a request amplifier
 * against the authority. Concurrent lookups share one in-flight fetch.
 */
export interface JwksCache {
  getKey(kid: string): Promise<Result<CryptoKey, KeyLookupError>>;
}

export interface KeyLookupError {
  readonly code: 'unknown_key' | 'jwks_unavailable';
  readonly message: string;
}

export interface JwksCacheOptions {
  /** `${authorityHost}/${tenantId}/v2.0/.well-known/openid-configuration`; its `jwks_uri` is used. */
  readonly discoveryUrl: string;
  /** Used when discovery fails: `${authorityHost}/common/discovery/v2.0/keys`. */
  readonly fallbackJwksUri: string;
  readonly fetch: typeof fetch;
  /** Epoch ms. */
  readonly now: () => number;
  /** Minimum time between two fetches after a successful one. Default 30 s. */
  readonly refetchIntervalMs?: number;
  /** Keys older than this are refreshed on the next lookup (kept if the refresh fails). Default 24 h. */
  readonly maxAgeMs?: number;
  /** Per-request timeout. Default 5 s. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

const DEFAULT_REFETCH_INTERVAL_MS = 30_000;
/** After a failed fetch the next attempt may come sooner, so a blip at start does not last 30 s. */
const FAILURE_BACKOFF_MS = 5_000;
const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_BODY_CHARS = 512 * 1024;

interface KeySet {
  readonly keys: ReadonlyMap<string, CryptoKey>;
  readonly fetchedAt: number;
}

export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const refetchIntervalMs = options.refetchIntervalMs ?? DEFAULT_REFETCH_INTERVAL_MS;
  const failureBackoffMs = Math.min(FAILURE_BACKOFF_MS, refetchIntervalMs);
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const log = options.logger?.child({ component: 'jwks' });

  let current: KeySet | undefined;
  let discoveredJwksUri: string | undefined;
  let lastAttempt: { readonly at: number; readonly ok: boolean } | undefined;
  let inFlight: Promise<void> | undefined;

  function mayFetch(): boolean {
    if (lastAttempt === undefined) return true;
    const wait = lastAttempt.ok ? refetchIntervalMs : failureBackoffMs;
    return options.now() - lastAttempt.at >= wait;
  }

  /** Fetches unless another caller already is (then waits for theirs) or the rate limit says no. */
  async function refresh(): Promise<void> {
    if (inFlight === undefined) {
      if (!mayFetch()) return;
      lastAttempt = { at: options.now(), ok: false };
      inFlight = load()
        .then((loaded) => {
          if (loaded.ok) {
            current = { keys: loaded.value, fetchedAt: options.now() };
            lastAttempt = { at: options.now(), ok: true };
          } else {
            log?.warn({ reason: loaded.error }, 'could not fetch the authority signing keys');
          }
        })
        .finally(() => {
          inFlight = undefined;
        });
    }
    await inFlight;
  }

  async function load(): Promise<Result<Map<string, CryptoKey>, string>> {
    const uri = discoveredJwksUri ?? (await discover());
    const body = await getJson(uri);
    if (!body.ok) return body;
    const rawKeys = (body.value as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(rawKeys)) return err(`${describe(uri)} is not a JWKS (no "keys" array)`);
    const keys = new Map<string, CryptoKey>();
    for (const jwk of rawKeys as unknown[]) {
      const imported = await importRs256Key(jwk);
      if (imported !== undefined && !keys.has(imported.kid)) keys.set(imported.kid, imported.key);
    }
    if (keys.size === 0) return err(`${describe(uri)} holds no usable RS256 signing key`);
    return ok(keys);
  }

  async function discover(): Promise<string> {
    const doc = await getJson(options.discoveryUrl);
    const jwksUri = doc.ok ? (doc.value as { jwks_uri?: unknown } | null)?.jwks_uri : undefined;
    if (typeof jwksUri === 'string' && isHttpUrl(jwksUri)) {
      discoveredJwksUri = jwksUri;
      return jwksUri;
    }
    log?.warn(
      { reason: doc.ok ? 'no jwks_uri in the discovery document' : doc.error },
      'OpenID discovery failed; using the common key endpoint',
    );
    return options.fallbackJwksUri;
  }

  async function getJson(uri: string): Promise<Result<unknown, string>> {
    try {
      const response = await options.fetch(uri, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return err(`${describe(uri)} answered HTTP ${response.status}`);
      }
      const text = await response.text();
      if (text.length > MAX_BODY_CHARS)
        return err(`${describe(uri)} answered more than ${MAX_BODY_CHARS} characters`);
      return ok(JSON.parse(text) as unknown);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'error';
      return err(`${describe(uri)} could not be read (${name})`);
    }
  }

  return {
    async getKey(kid) {
      if (current === undefined || options.now() - current.fetchedAt >= maxAgeMs) await refresh();
      let key = current?.keys.get(kid);
      if (key === undefined && current !== undefined) {
        await refresh();
        key = current.keys.get(kid);
      }
      if (key !== undefined) return ok(key);
      if (current === undefined) {
        return err({
          code: 'jwks_unavailable',
          message:
            'the signing keys of the Entra authority could not be fetched; check AAD_APP_OAUTH_AUTHORITY_HOST and outbound access',
        });
      }
      return err({
        code: 'unknown_key',
        message: `the token was signed with a key the authority does not publish (kid ${printableKid(kid)})`,
      });
    },
  };
}

async function importRs256Key(jwk: unknown): Promise<{ kid: string; key: CryptoKey } | undefined> {
  if (typeof jwk !== 'object' || jwk === null) return undefined;
  const { kty, use, alg, kid, n, e } = jwk as Record<string, unknown>;
  if (
    kty !== 'RSA' ||
    typeof kid !== 'string' ||
    kid === '' ||
    typeof n !== 'string' ||
    typeof e !== 'string'
  ) {
    return undefined;
  }
  if ((use !== undefined && use !== 'sig') || (alg !== undefined && alg !== 'RS256')) return undefined;
  try {
    // Only the public members: a JWKS that (wrongly) carried private parts still yields a public key.
    const key = await importJWK({ kty: 'RSA', n, e, alg: 'RS256', ext: false }, 'RS256');
    return { kid, key };
  } catch {
    return undefined;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Origin and path only: never a query string. */
function describe(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'the key endpoint';
  }
}

export function printableKid(kid: string): string {
  return /^[A-Za-z0-9._~+/=-]{1,128}$/.test(kid) ? `"${kid}"` : '(unprintable)';
}
