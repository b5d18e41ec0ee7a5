import { createHash } from 'node:crypto';
import { Aadsts, refuse, succeed, type EntraError, type Outcome } from './errors.js';
import { opaque } from './tokens.js';

/**
 * Authorization codes: single use, bound to the client and redirect URI they were issued
 * for, valid for ten minutes, and (when the sign-in sent a code_challenge) redeemable only
 * with the matching PKCE code_verifier (RFC 7636).
 */

export type CodeChallengeMethod = 'S256' | 'plain';

export interface CodeChallenge {
  readonly value: string;
  readonly method: CodeChallengeMethod;
}

export interface CodeGrant {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly userId: string;
  /** The scope parameter of the authorize request, which may span several resources. */
  readonly scope: string;
  readonly nonce: string | undefined;
  readonly challenge: CodeChallenge | undefined;
  readonly amr: readonly string[];
}

export interface Redemption {
  readonly clientId: string;
  readonly redirectUri: string | undefined;
  readonly codeVerifier: string | undefined;
}

interface CodeRecord extends CodeGrant {
  readonly issuedAt: number;
  redeemed: boolean;
}

const CODE_LIFETIME_MS = 10 * 60 * 1000;
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

export class AuthorizationCodeStore {
  private readonly records = new Map<string, CodeRecord>();

  constructor(private readonly now: () => number) {}

  issue(grant: CodeGrant): string {
    const code = `1.${opaque(64)}`;
    this.records.set(code, { ...grant, issuedAt: this.now(), redeemed: false });
    return code;
  }

  /**
   * Redeems a code. A refusal for a wrong client, redirect URI or verifier leaves the code
   * unused (the legitimate client can still redeem it); success consumes it for good.
   */
  redeem(code: string, redemption: Redemption): Outcome<CodeGrant> {
    const record = this.records.get(code);
    if (record === undefined) return refuse(Aadsts.invalidCode());
    if (record.redeemed) return refuse(Aadsts.codeRedeemed());
    if (this.now() - record.issuedAt > CODE_LIFETIME_MS) return refuse(Aadsts.codeExpired());
    if (record.clientId.toLowerCase() !== redemption.clientId.toLowerCase())
      return refuse(Aadsts.codeClientMismatch());
    if (redemption.redirectUri !== record.redirectUri) {
      return refuse(Aadsts.redirectUriMismatch(redemption.redirectUri ?? ''));
    }
    const pkce = checkVerifier(record.challenge, redemption.codeVerifier);
    if (pkce !== undefined) return refuse(pkce);
    record.redeemed = true;
    return succeed(record);
  }
}

function checkVerifier(
  challenge: CodeChallenge | undefined,
  verifier: string | undefined,
): EntraError | undefined {
  if (challenge === undefined) {
    // A verifier for a code issued without a challenge can't be checked against anything.
    return verifier === undefined ? undefined : Aadsts.pkceMismatch();
  }
  if (verifier === undefined || !VERIFIER_SHAPE.test(verifier)) return Aadsts.pkceMismatch();
  const derived =
    challenge.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === challenge.value ? undefined : Aadsts.pkceMismatch();
}
