import type { AuthorizationCodeStore } from './authorization-codes.js';
import type { ConsentLedger } from './consent.js';
import type { Directory } from './directory.js';
import type { Endpoints } from './endpoints.js';
import type { RefreshTokenStore } from './refresh-tokens.js';
import type { TokenFactory } from './tokens.js';

/** Everything a request handler of the Entra stand-in works with; one per running stand-in. */
export interface EntraContext {
  readonly directory: Directory;
  readonly ledger: ConsentLedger;
  readonly tokens: TokenFactory;
  readonly refreshTokens: RefreshTokenStore;
  readonly codes: AuthorizationCodeStore;
  readonly endpoints: Endpoints;
  readonly now: () => number;
  readonly log: (line: string) => void;
}
