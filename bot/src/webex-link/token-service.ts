import type { TokenVault } from '../auth/token-vault.js';
import type { Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Store, TokenKey, TokenKind, TokenRecord, User } from '../store/store.js';
import type { WebexOAuthClient, WebexTokens } from './webex-oauth.js';

/**
 * The one owner of a user's Webex tokens: saves a new grant, hands out a fresh access token
 * (refreshing it well before its 14-day expiry), and reports link status. Tokens are sealed by
 * the vault, bound to (tenant, user, kind), and written with compare-and-swap so two refreshers
 * never lose the newest token.
 *
 * A refused refresh (`invalid_grant`: revoked, expired after 90 idle days, replayed) deletes the
 * stored tokens but keeps the link (the Webex person stays reserved to this user): status then
 * says `needsRelink`, and linking again through the Call tab repairs it.
 */

export const DEFAULT_REFRESH_WITHIN_MS = 3 * 24 * 60 * 60 * 1000;

export type WebexTokenError =
  | { readonly code: 'not_linked' }
  /** The grant is gone (revoked or expired): the user must link Webex again from the Call tab. */
  | { readonly code: 'needs_relink' }
  /** Webex did not answer usefully; try again later. */
  | { readonly code: 'unavailable'; readonly retryAfterMs?: number }
  /** A stored token does not open (key removed, row tampered): an operator problem. */
  | { readonly code: 'vault_error'; readonly message: string };

export interface FreshToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  /** Whether this call refreshed the token. */
  readonly refreshed: boolean;
}

export interface WebexLinkStatus {
  readonly linked: boolean;
  readonly personId?: string;
  readonly linkedAt?: number;
  /** When the link lapses unless refreshed: the refresh token's expiry (kept moving by the refresh daemon). */
  readonly expiresAt?: number;
  /** Linked, but the tokens were refused or are missing: link again from the Call tab. */
  readonly needsRelink?: boolean;
}

export interface WebexTokenServiceOptions {
  readonly store: Pick<Store, 'users' | 'tokens'>;
  readonly vault: TokenVault;
  readonly oauth: Pick<WebexOAuthClient, 'refresh'>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Refresh when the access token expires within this long (default 3 days). */
  readonly refreshWithinMs?: number;
}

export class WebexTokenService {
  private readonly now: () => number;
  private readonly refreshWithinMs: number;
  /** One refresh per user at a time in this instance; CAS covers other instances. */
  private readonly inFlight = new Map<string, Promise<Result<FreshToken, WebexTokenError>>>();

  constructor(private readonly options: WebexTokenServiceOptions) {
    this.now = options.now ?? Date.now;
    this.refreshWithinMs = options.refreshWithinMs ?? DEFAULT_REFRESH_WITHIN_MS;
  }

  /** A usable access token for the user, refreshed first when it expires within the window. */
  async getAccessToken(userId: string): Promise<Result<string, WebexTokenError>> {
    const fresh = await this.ensureFresh(userId);
    return fresh.ok ? ok(fresh.value.accessToken) : fresh;
  }

  /** Like {@link getAccessToken}, with expiry and whether it refreshed (the sweep counts those). */
  async ensureFresh(userId: string): Promise<Result<FreshToken, WebexTokenError>> {
    const user = await this.options.store.users.get(userId);
    if (user === undefined || user.webex === null) return err({ code: 'not_linked' });
    const access = await this.options.store.tokens.get(key(user, 'webex_access'));
    if (
      access !== undefined &&
      access.expiresAt !== null &&
      access.expiresAt - this.now() > this.refreshWithinMs
    ) {
      const opened = this.open(access);
      if (opened.ok) return ok({ accessToken: opened.value, expiresAt: access.expiresAt, refreshed: false });
      // An access token that does not open is replaced by a refresh.
    }
    const running = this.inFlight.get(user.id);
    if (running !== undefined) return running;
    const refresh = this.refresh(user).finally(() => this.inFlight.delete(user.id));
    this.inFlight.set(user.id, refresh);
    return refresh;
  }

  /** Stores a brand-new grant (after linking), replacing whatever the user had. */
  async saveGrant(user: User, tokens: WebexTokens): Promise<Result<void, WebexTokenError>> {
    const now = this.now();
    const refreshExpiresAt =
      tokens.refreshExpiresInSec === undefined ? null : now + tokens.refreshExpiresInSec * 1000;
    for (const [kind, secret, expiresAt] of [
      ['webex_refresh', tokens.refreshToken, refreshExpiresAt],
      ['webex_access', tokens.accessToken, now + tokens.accessExpiresInSec * 1000],
    ] as const) {
      const written = await this.overwrite(user, kind, secret, expiresAt);
      if (!written) return err({ code: 'unavailable' });
    }
    return ok(undefined);
  }

  async status(userId: string): Promise<WebexLinkStatus> {
    const user = await this.options.store.users.get(userId);
    if (user === undefined || user.webex === null) return { linked: false };
    const refresh = await this.options.store.tokens.get(key(user, 'webex_refresh'));
    const refreshExpiresAt = refresh?.expiresAt ?? null;
    const expired = refreshExpiresAt !== null && refreshExpiresAt <= this.now();
    return {
      linked: true,
      personId: user.webex.personId,
      linkedAt: user.webex.linkedAt,
      ...(refreshExpiresAt === null ? {} : { expiresAt: refreshExpiresAt }),
      needsRelink: refresh === undefined || expired,
    };
  }

  /** Deletes the user's Webex tokens (all versions). Webex has no public revocation endpoint. */
  async deleteTokens(user: Pick<User, 'id' | 'tenantId'>): Promise<void> {
    await this.options.store.tokens.delete(key(user, 'webex_access'));
    await this.options.store.tokens.delete(key(user, 'webex_refresh'));
  }

  private async refresh(user: User): Promise<Result<FreshToken, WebexTokenError>> {
    const tokens = this.options.store.tokens;
    const refreshRecord = await tokens.get(key(user, 'webex_refresh'));
    if (refreshRecord === undefined) return err({ code: 'needs_relink' });
    const refreshToken = this.open(refreshRecord);
    if (!refreshToken.ok) return refreshToken;
    const accessBefore = await tokens.get(key(user, 'webex_access'));

    const answered = await this.options.oauth.refresh(refreshToken.value);
    if (!answered.ok) {
      const failure = answered.error;
      if (failure.code === 'invalid_grant') {
        // Delete only the versions we read: a concurrent successful relink is not undone.
        await tokens.delete(key(user, 'webex_refresh'), refreshRecord.version);
        if (accessBefore !== undefined) await tokens.delete(key(user, 'webex_access'), accessBefore.version);
        this.options.logger.warn({ userId: user.id }, 'webex grant refused on refresh; user must link again');
        return err({ code: 'needs_relink' });
      }
      this.options.logger.warn({ userId: user.id, code: failure.code }, 'webex token refresh failed');
      // Still-valid access token: use it and try the refresh again next time.
      if (
        accessBefore !== undefined &&
        accessBefore.expiresAt !== null &&
        accessBefore.expiresAt > this.now()
      ) {
        const opened = this.open(accessBefore);
        if (opened.ok)
          return ok({ accessToken: opened.value, expiresAt: accessBefore.expiresAt, refreshed: false });
      }
      return err({
        code: 'unavailable',
        ...(failure.code === 'unavailable' && failure.retryAfterMs !== undefined
          ? { retryAfterMs: failure.retryAfterMs }
          : {}),
      });
    }

    const fresh = answered.value;
    const now = this.now();
    const accessExpiresAt = now + fresh.accessExpiresInSec * 1000;
    const wroteAccess = await tokens.put({
      ...key(user, 'webex_access'),
      sealed: this.options.vault.seal(fresh.accessToken, key(user, 'webex_access')),
      expiresAt: accessExpiresAt,
      expectedVersion: accessBefore?.version ?? null,
    });
    if (!wroteAccess.ok) {
      // Another instance refreshed first: use what it stored.
      const theirs = await tokens.get(key(user, 'webex_access'));
      const opened = theirs === undefined ? undefined : this.open(theirs);
      if (theirs !== undefined && theirs.expiresAt !== null && opened?.ok === true)
        return ok({ accessToken: opened.value, expiresAt: theirs.expiresAt, refreshed: false });
      return err({ code: 'unavailable' });
    }
    // Webex restarts the refresh token's 90 days on every refresh (and may rotate it).
    const wroteRefresh = await tokens.put({
      ...key(user, 'webex_refresh'),
      sealed: this.options.vault.seal(fresh.refreshToken, key(user, 'webex_refresh')),
      expiresAt:
        fresh.refreshExpiresInSec === undefined
          ? refreshRecord.expiresAt
          : now + fresh.refreshExpiresInSec * 1000,
      expectedVersion: refreshRecord.version,
    });
    if (!wroteRefresh.ok)
      this.options.logger.info({ userId: user.id }, 'webex refresh token changed concurrently; kept theirs');
    return ok({ accessToken: fresh.accessToken, expiresAt: accessExpiresAt, refreshed: true });
  }

  /** Create-or-replace with CAS, re-reading on a lost race (a few times at most). */
  private async overwrite(
    user: User,
    kind: TokenKind,
    secret: string,
    expiresAt: number | null,
  ): Promise<boolean> {
    const k = key(user, kind);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const current = await this.options.store.tokens.get(k);
      const put = await this.options.store.tokens.put({
        ...k,
        sealed: this.options.vault.seal(secret, k),
        expiresAt,
        expectedVersion: current?.version ?? null,
      });
      if (put.ok) return true;
      if (put.error.code === 'user_not_found') return false;
    }
    return false;
  }

  private open(record: TokenRecord): Result<string, WebexTokenError> {
    const opened = this.options.vault.open(record.sealed, record);
    if (opened.ok) return opened;
    this.options.logger.error(
      { userId: record.userId, kind: record.kind, code: opened.error.code },
      'webex token does not open',
    );
    return err({ code: 'vault_error', message: opened.error.message });
  }
}

function key(user: Pick<User, 'id' | 'tenantId'>, kind: TokenKind): TokenKey {
  return { tenantId: user.tenantId, userId: user.id, kind };
}
