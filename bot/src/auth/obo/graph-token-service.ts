import type { Logger } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { Store, TokenKey, TokenRecord, User } from '../../store/store.js';
import type { SsoIdentity } from '../sso-validator.js';
import type { TokenVault } from '../token-vault.js';
import type { EntraTokenClient, TokenEndpointError, TokenGrant } from './entra-token-client.js';
import {
  NEEDS_SIGN_IN_MESSAGE,
  classifyExchangeError,
  classifyRefreshError,
  primaryCode,
  type BackgroundTokenError,
  type ExchangeError,
  type NeedsSignInReason,
  type UnavailableError,
} from './errors.js';

/**
 * Delegated Microsoft Graph tokens for CallBridge users, usable with or without the user present.
 *
 * - `exchange` runs on-behalf-of with the Teams SSO token and `offline_access`, seals the refresh
 *   token in the vault, stores it (compare-and-swap) and marks the user `active`.
 * - `getAccessToken` serves background work: a cached access token with more than 5 minutes left,
 *   else a refresh with the stored refresh token. Entra ROTATES refresh tokens, so the new one is
 *   written with compare-and-swap on the version read; when another worker got there first, its
 *   (newer) record is kept and ours discarded. Concurrent calls for one user share one refresh.
 * - When Entra says the grant is gone (consent revoked, MFA now required, refresh token expired or
 *   revoked), the user is marked `needs_sign_in`, their Graph token records are deleted and
 *   `onNeedsSignIn` is called; nothing throws for an expected failure.
 *
 * Logs carry the internal user id and AADSTS codes only: never tokens, names or email addresses.
 */
export interface GraphTokenService {
  exchange(sso: SsoIdentity, user: User): Promise<Result<GraphAccessToken, ExchangeError>>;
  getAccessToken(userId: string): Promise<Result<GraphAccessToken, BackgroundTokenError>>;
}

/** A delegated Graph access token. A credential: never log it, never send it to the browser. */
export interface GraphAccessToken {
  readonly token: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export interface GraphTokenServiceDeps {
  readonly client: Pick<EntraTokenClient, 'onBehalfOf' | 'refresh'>;
  readonly store: Pick<Store, 'users' | 'tokens'>;
  readonly vault: TokenVault;
  readonly logger: Logger;
  /**
   * Called once when a user who was `active` loses background access (the bot will send
   * "open the Call tab to sign in again"). Must not throw; a rejection is logged and ignored.
   */
  readonly onNeedsSignIn: (user: User, reason: NeedsSignInReason) => void | Promise<void>;
  /** Default `https://graph.microsoft.com/.default offline_access`. */
  readonly scope?: string;
  /** An access token with less than this left is refreshed (default 5 minutes). */
  readonly minRemainingMs?: number;
  /** Epoch ms. */
  readonly now?: () => number;
}

export const GRAPH_OFFLINE_SCOPE = 'https://graph.microsoft.com/.default offline_access';
const DEFAULT_MIN_REMAINING_MS = 5 * 60_000;
/** Re-reads after a lost compare-and-swap or a refresh token someone else replaced. */
const MAX_ATTEMPTS = 4;

/** A token-endpoint grant that carries a refresh token (it was asked with `offline_access`). */
export type AdoptableGrant = TokenGrant & { readonly refreshToken: string };

/**
 * For the interactive consent / step-up popup (bot/src/auth/consent): stores the Graph tokens the
 * user just obtained by signing in (authorization code) exactly as `exchange` stores OBO tokens
 * (sealed, compare-and-swap, user marked `active`). Separate from {@link GraphTokenService} so
 * other implementations of that interface are unaffected.
 */
export interface GraphTokenAdoption {
  adoptTokens(
    user: User,
    grant: AdoptableGrant,
    issuedAt: number,
  ): Promise<Result<GraphAccessToken, UnavailableError>>;
}

export function createGraphTokenService(deps: GraphTokenServiceDeps): GraphTokenService & GraphTokenAdoption {
  const { client, store, vault } = deps;
  const log = deps.logger.child({ component: 'graph-tokens' });
  const now = deps.now ?? Date.now;
  const scope = deps.scope ?? GRAPH_OFFLINE_SCOPE;
  const minRemainingMs = deps.minRemainingMs ?? DEFAULT_MIN_REMAINING_MS;
  /** userId → access token, in this process only. */
  const memory = new Map<string, GraphAccessToken>();
  /** userId → the refresh in progress, so concurrent callers share it. */
  const inFlight = new Map<string, Promise<Result<GraphAccessToken, BackgroundTokenError>>>();

  const fresh = (t: GraphAccessToken | undefined): t is GraphAccessToken =>
    t !== undefined && t.expiresAt - now() > minRemainingMs;

  const keyOf = (user: Pick<User, 'id' | 'tenantId'>, kind: 'graph_refresh' | 'graph_access'): TokenKey => ({
    tenantId: user.tenantId,
    userId: user.id,
    kind,
  });

  /** Writes a token record, overwriting whatever is there (an interactive sign-in is the newest grant). */
  async function overwrite(key: TokenKey, plaintext: string, expiresAt: number | null): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = await store.tokens.get(key);
      const put = await store.tokens.put({
        ...key,
        sealed: vault.seal(plaintext, key),
        expiresAt,
        expectedVersion: current?.version ?? null,
      });
      if (put.ok) return true;
      if (put.error.code === 'user_not_found') return false;
    }
    return false;
  }

  /** Best effort: another worker storing a fresh access token first is fine. */
  async function saveAccess(
    user: User,
    token: GraphAccessToken,
    expectedVersion: number | null,
  ): Promise<void> {
    const key = keyOf(user, 'graph_access');
    const put = await store.tokens.put({
      ...key,
      sealed: vault.seal(token.token, key),
      expiresAt: token.expiresAt,
      expectedVersion,
    });
    if (!put.ok)
      log.debug(
        { userId: user.id, code: put.error.code },
        'graph access token not cached (newer record kept)',
      );
  }

  function toAccess(grant: TokenGrant, issuedAt: number): GraphAccessToken {
    return { token: grant.accessToken, expiresAt: issuedAt + grant.expiresInSeconds * 1000 };
  }

  async function exchange(sso: SsoIdentity, user: User): Promise<Result<GraphAccessToken, ExchangeError>> {
    if (
      sso.tenantId.toLowerCase() !== user.tenantId.toLowerCase() ||
      sso.aadObjectId.toLowerCase() !== user.aadObjectId.toLowerCase()
    ) {
      throw new TypeError('exchange: the SSO identity does not belong to this user');
    }
    const issuedAt = now();
    const answer = await client.onBehalfOf(sso.token, scope);
    if (!answer.ok) {
      const error = classifyExchangeError(answer.error);
      const aadsts = primaryCode(answer.error);
      log.warn(
        { userId: user.id, code: error.code, aadsts, traceId: traceIdOf(answer.error) },
        'on-behalf-of exchange refused',
      );
      return err(error);
    }
    const grant = answer.value;
    if (grant.refreshToken === undefined) {
      // offline_access was not granted: background work would stop within the hour.
      log.warn(
        { userId: user.id, code: 'consent_required' },
        'on-behalf-of answer carried no refresh token (offline_access not granted)',
      );
      return err({
        code: 'consent_required',
        aadsts: undefined,
        message:
          'CallBridge needs your consent to keep working in the background (offline access). Sign in and accept the permissions.',
      });
    }
    return enrol(user, grant.refreshToken, toAccess(grant, issuedAt), 'on-behalf-of');
  }

  /** Stores a new grant (overwriting: an interactive sign-in is the newest) and marks the user active. */
  async function enrol(
    user: User,
    refreshToken: string,
    access: GraphAccessToken,
    via: string,
  ): Promise<Result<GraphAccessToken, UnavailableError>> {
    const stored = await overwrite(keyOf(user, 'graph_refresh'), refreshToken, null);
    if (!stored) {
      log.error(
        { userId: user.id },
        'could not store the Graph refresh token (user missing or constant write conflicts)',
      );
      return err({
        code: 'unavailable',
        retryAfterMs: undefined,
        message: 'Could not save your sign-in. Retry shortly.',
      });
    }
    await overwrite(keyOf(user, 'graph_access'), access.token, access.expiresAt);
    memory.set(user.id, access);
    if (user.status !== 'active') await store.users.setStatus(user.id, 'active');
    log.info({ userId: user.id, via }, `graph tokens enrolled through ${via}`);
    return ok(access);
  }

  function adoptTokens(
    user: User,
    grant: AdoptableGrant,
    issuedAt: number,
  ): Promise<Result<GraphAccessToken, UnavailableError>> {
    return enrol(user, grant.refreshToken, toAccess(grant, issuedAt), 'interactive sign-in');
  }

  function getAccessToken(userId: string): Promise<Result<GraphAccessToken, BackgroundTokenError>> {
    const cached = memory.get(userId);
    if (fresh(cached)) return Promise.resolve(ok(cached));
    const running = inFlight.get(userId);
    if (running !== undefined) return running;
    const started = background(userId).finally(() => inFlight.delete(userId));
    inFlight.set(userId, started);
    return started;
  }

  async function background(userId: string): Promise<Result<GraphAccessToken, BackgroundTokenError>> {
    const user = await store.users.get(userId);
    if (user === undefined) {
      memory.delete(userId);
      return err({
        code: 'needs_sign_in',
        reason: 'unknown_user',
        aadsts: undefined,
        message: NEEDS_SIGN_IN_MESSAGE,
      });
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      // Another worker (or instance) may have refreshed already: use its access token.
      const accessRecord = await store.tokens.get(keyOf(user, 'graph_access'));
      const stored = openAccess(user, accessRecord);
      if (fresh(stored)) {
        memory.set(user.id, stored);
        return ok(stored);
      }

      const refreshRecord = await store.tokens.get(keyOf(user, 'graph_refresh'));
      if (refreshRecord === undefined) {
        return err(await signedOut(user, 'not_signed_in', undefined, undefined));
      }
      const opened = vault.open(refreshRecord.sealed, keyOf(user, 'graph_refresh'));
      if (!opened.ok) {
        log.error(
          { userId: user.id, code: opened.error.code, keyId: opened.error.keyId },
          'stored Graph refresh token cannot be opened',
        );
        return err({ code: 'misconfigured', aadsts: undefined, message: opened.error.message });
      }

      const issuedAt = now();
      const answer = await client.refresh(opened.value, scope);
      if (!answer.ok) {
        const error = classifyRefreshError(answer.error);
        const aadsts = primaryCode(answer.error);
        if (error.code !== 'needs_sign_in') {
          log.warn(
            { userId: user.id, code: error.code, aadsts, traceId: traceIdOf(answer.error) },
            'graph token refresh failed',
          );
          return err(error);
        }
        // Before signing the user out, make sure nobody replaced the token we used: a concurrent
        // refresh (rotation) or a new interactive sign-in. Delete only the version we were refused.
        const deleted = await store.tokens.delete(keyOf(user, 'graph_refresh'), refreshRecord.version);
        if (!deleted) {
          log.debug(
            { userId: user.id, aadsts },
            'refresh token refused but replaced meanwhile; retrying with the newer one',
          );
          continue;
        }
        return err(await signedOut(user, error.reason, aadsts, answer.error));
      }

      const access = toAccess(answer.value, issuedAt);
      const rotated = answer.value.refreshToken;
      if (rotated !== undefined) {
        const key = keyOf(user, 'graph_refresh');
        const put = await store.tokens.put({
          ...key,
          sealed: vault.seal(rotated, key),
          expiresAt: null,
          expectedVersion: refreshRecord.version,
        });
        if (!put.ok) {
          // Another worker rotated (or the user re-enrolled) first: its record is the newest
          // valid one. Keep it; ours is simply never used. Our access token is valid either way.
          const newer = await store.tokens.get(key);
          log.debug(
            { userId: user.id, readVersion: refreshRecord.version, storedVersion: newer?.version ?? null },
            'refresh token rotation lost the compare-and-swap; kept the newer stored record',
          );
          memory.set(user.id, access);
          return ok(access);
        }
      }
      await saveAccess(user, access, accessRecord?.version ?? null);
      memory.set(user.id, access);
      if (user.status !== 'active') await store.users.setStatus(user.id, 'active');
      log.debug({ userId: user.id }, 'graph access token refreshed');
      return ok(access);
    }
    log.warn({ userId: user.id }, 'graph token refresh gave up after repeated concurrent changes');
    return err({
      code: 'unavailable',
      retryAfterMs: undefined,
      message: 'The sign-in changed repeatedly during refresh; retry.',
    });
  }

  function openAccess(user: User, record: TokenRecord | undefined): GraphAccessToken | undefined {
    if (record?.expiresAt === undefined || record.expiresAt === null) return undefined;
    const opened = vault.open(record.sealed, keyOf(user, 'graph_access'));
    return opened.ok ? { token: opened.value, expiresAt: record.expiresAt } : undefined;
  }

  /**
   * The grant is gone: delete the user's Graph tokens, mark them `needs_sign_in`, and tell the
   * hook when this is news (the user was `active`).
   */
  async function signedOut(
    user: User,
    reason: NeedsSignInReason,
    aadsts: number | undefined,
    cause: TokenEndpointError | undefined,
  ): Promise<BackgroundTokenError> {
    memory.delete(user.id);
    // The refresh token was already deleted by version (or never existed): a newer one written
    // by a concurrent sign-in is left alone.
    await store.tokens.delete(keyOf(user, 'graph_access'));
    const current = await store.users.get(user.id);
    if (current?.status === 'active') {
      const marked = await store.users.setStatus(user.id, 'needs_sign_in');
      log.warn(
        { userId: user.id, reason, aadsts, traceId: cause === undefined ? undefined : traceIdOf(cause) },
        'user needs to sign in again; Graph tokens deleted',
      );
      try {
        await deps.onNeedsSignIn(marked.ok ? marked.value : current, reason);
      } catch (error) {
        log.error(
          { userId: user.id, errorName: error instanceof Error ? error.name : typeof error },
          'onNeedsSignIn hook failed',
        );
      }
    }
    return { code: 'needs_sign_in', reason, aadsts, message: NEEDS_SIGN_IN_MESSAGE };
  }

  return { exchange, getAccessToken, adoptTokens };
}

function traceIdOf(error: TokenEndpointError): string | undefined {
  return error.kind === 'oauth' ? error.traceId : undefined;
}
