import { Aadsts, refuse, succeed, type Outcome } from './errors.js';
import { opaque } from './tokens.js';

/**
 * Refresh tokens: opaque, bound to one client and user, and ROTATING. Each redemption returns
 * a new token; the redeemed one keeps working for a short grace (so a client that lost the
 * response to a network error can retry) and is refused after it. Entra itself only *may*
 * revoke used tokens (RFC 6749 §6); the sandbox always does, so a client that keeps an old
 * refresh token fails here rather than months later in production.
 */

export interface RefreshGrant {
  readonly clientId: string;
  readonly userId: string;
  /** The resource of the request that produced the token: the default when a refresh names none. */
  readonly resourceAppId: string | undefined;
  readonly amr: readonly string[];
}

interface RefreshRecord extends RefreshGrant {
  readonly issuedAt: number;
  supersededAt: number | undefined;
  /** Set by the console's "expire refresh tokens" control. */
  forcedExpiry: boolean;
}

export interface RefreshTokenPolicy {
  /** How long a superseded token still redeems. */
  readonly graceSeconds: number;
  /** Entra's inactivity lifetime for refresh tokens (90 days). */
  readonly maxInactiveSeconds: number;
}

export class RefreshTokenStore {
  private readonly records = new Map<string, RefreshRecord>();

  constructor(
    private readonly now: () => number,
    private readonly policy: RefreshTokenPolicy,
  ) {}

  issue(grant: RefreshGrant): string {
    // Real Entra refresh tokens are opaque, versioned strings; only their opacity matters.
    const token = `1.${opaque(48)}`;
    this.records.set(token, {
      ...grant,
      amr: [...grant.amr],
      issuedAt: this.now(),
      supersededAt: undefined,
      forcedExpiry: false,
    });
    return token;
  }

  /** Checks a presented refresh token without consuming it. */
  check(token: string, clientId: string): Outcome<RefreshGrant> {
    const record = this.records.get(token);
    if (record === undefined || record.clientId.toLowerCase() !== clientId.toLowerCase()) {
      return refuse(Aadsts.invalidRefreshToken());
    }
    const now = this.now();
    const inactiveSeconds = Math.floor((now - record.issuedAt) / 1000);
    if (record.forcedExpiry || inactiveSeconds > this.policy.maxInactiveSeconds) {
      return refuse(Aadsts.refreshTokenInactive(record.issuedAt, inactiveSeconds));
    }
    if (record.supersededAt !== undefined && now > record.supersededAt + this.policy.graceSeconds * 1000) {
      return refuse(Aadsts.invalidRefreshToken());
    }
    return succeed(record);
  }

  /** Marks a redeemed token as superseded; its grace period starts at its first redemption. */
  supersede(token: string): void {
    const record = this.records.get(token);
    if (record !== undefined) record.supersededAt ??= this.now();
  }

  /** Expires every refresh token of a user; returns how many were live. */
  expireAllFor(userId: string): number {
    let count = 0;
    for (const record of this.records.values()) {
      if (record.userId.toLowerCase() === userId.toLowerCase() && !record.forcedExpiry) {
        record.forcedExpiry = true;
        count += 1;
      }
    }
    return count;
  }
}
