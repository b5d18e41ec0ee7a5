import type { TokenVault } from '../bot/src/auth/token-vault.js';
import type { Route } from '../bot/src/http/route.js';
import type { Logger } from '../bot/src/observability/logger.js';
import type { NotificationIntake } from '../bot/src/presence-sync/intake/intake.js';
import type { Store } from '../bot/src/store/store.js';
import type { RequestMakerRef } from './lib/load.js';

/**
 * One notification intake route under test (bench/intakeRoutes.ts): how to seed what it checks
 * requests against, how the senders' side makes requests, and how production builds the route.
 */
export interface NotificationRouteUnderTest {
  /** `Webex POST /api/notifications/webex` */
  readonly label: string;
  readonly path: string;
  /** Every acknowledged notification is a row of its own (Graph folds a user's repeats, still 202). */
  readonly everyAckStored: boolean;
  /** Seeds the rows the route checks against; returns the senders' side as the load's request maker. */
  seed(store: Store, vault: TokenVault, users: readonly SeededUser[]): Promise<RequestMakerRef>;
  /** The routes as the production factory builds them; `close` cancels whatever it scheduled. */
  build(deps: RouteDeps): { readonly routes: readonly Route[]; close(): void };
}

export interface RouteDeps {
  readonly store: Store;
  readonly vault: TokenVault;
  /** One intake shared by every route, as `createPresenceSync` shares it. */
  readonly intake: NotificationIntake;
  readonly logger: Logger;
}

export interface SeededUser {
  readonly id: string;
  readonly aadObjectId: string;
}

export const BENCH_TENANT = '00000000-0000-4000-8000-0000000000b7';
/** Where the routes believe they are reachable (webhook target URLs); nothing calls it. */
export const BENCH_PUBLIC_BASE_URL = 'https://callbridge.bench.invalid';
const SEED_PARALLEL = 10;

/** For token sources and notifiers the routes must be given but never call. */
export function noUpstream(): never {
  throw new Error('the notification intake benchmark makes no upstream calls');
}

/** Seeding: `fn` over `inputs`, a few at a time (PostgreSQL's pool overlaps their commits), in order. */
export async function inParallel<T, R>(
  inputs: readonly T[],
  fn: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let from = 0; from < inputs.length; from += SEED_PARALLEL) {
    const chunk = inputs.slice(from, from + SEED_PARALLEL);
    out.push(...(await Promise.all(chunk.map((input, k) => fn(input, from + k)))));
  }
  return out;
}
