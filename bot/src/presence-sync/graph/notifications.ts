import type { Response } from 'restify';
import { z } from 'zod';
import { HttpError, sendError, type RouteRequest } from '../../http/route.js';
import type { Logger } from '../../observability/logger.js';
import type { Result } from '../../shared/result.js';
import type { GraphSubscription, NewInboxItem, Store } from '../../store/store.js';
import { inboxItemFor, type InboxEvent } from '../inbox-events.js';
import { clientStateMatches } from './client-state.js';
import { notifiedObjectId } from './resource.js';

/**
 * The edge of Graph change and lifecycle notifications: answer the validation handshake, check
 * each notification against the subscription it names (clientState in constant time, tenant),
 * resolve the user, store what passed in the durable inbox through the intake, and only then
 * answer 202 (5xx when the store failed, so Graph retries). Nothing is processed here.
 *
 * A notification for an unknown subscription, with a wrong clientState or for an unknown user is
 * dropped (logged by ids) while its valid siblings in the same POST are stored.
 *
 * Dedupe: basic presence notifications carry no id, so a redelivery looks exactly like a new
 * change. Notifications for one user and subscription are keyed per coalescing window and held
 * until the window ends; every copy inside a window arrives before processing can start, so
 * folding them loses nothing (the processor reads the current presence), and copies in later
 * windows are harmless repeats of an idempotent "read the latest presence".
 */

/** The part of `NotificationIntake` (presence-sync/intake) this edge needs. */
export interface GraphNotificationIntake {
  accept(items: readonly NewInboxItem[]): Promise<Result<{ inserted: number }, 'store_unavailable'>>;
}

export type NotificationKind = 'change' | 'lifecycle';

export interface GraphNotificationReceiver {
  receive(kind: NotificationKind, req: RouteRequest, res: Response): Promise<void>;
}

export interface ReceiverDeps {
  readonly store: Pick<Store, 'graphSubscriptions' | 'users'>;
  readonly intake: GraphNotificationIntake;
  readonly logger: Logger;
  readonly now: () => number;
  /** Coalescing window for the dedupe key and the processing delay (default 500 ms; 0 disables holding). */
  readonly coalesceWindowMs?: number;
}

export const DEFAULT_COALESCE_WINDOW_MS = 500;
export const MAX_NOTIFICATION_BODY_BYTES = 4 * 1024 * 1024;
/** Graph's tokens are short sentences; anything long is not Graph. */
const MAX_VALIDATION_TOKEN_CHARS = 1024;
const MAX_ITEMS = 1000;

const common = {
  subscriptionId: z.string().min(1).max(200),
  clientState: z.string().max(128).nullish(),
  tenantId: z.string().min(1).max(100),
  subscriptionExpirationDateTime: z.string().optional(),
};

const changeNotification = z.looseObject({
  ...common,
  changeType: z.string().min(1).max(100),
  resource: z.string().min(1).max(2048),
  resourceData: z.looseObject({ id: z.string().min(1).max(100).optional() }).optional(),
});

const lifecycleNotification = z.looseObject({
  ...common,
  lifecycleEvent: z.string().min(1).max(100),
});

const LIFECYCLE_EVENTS = new Set(['reauthorizationRequired', 'subscriptionRemoved', 'missed']);

const envelope = z.object({ value: z.array(z.unknown()).min(1).max(MAX_ITEMS) });

type Drop =
  'malformed' | 'unknown_subscription' | 'client_state' | 'tenant' | 'unknown_user' | 'unknown_event';

export function createNotificationReceiver(deps: ReceiverDeps): GraphNotificationReceiver {
  const log = deps.logger.child({ component: 'graph-notifications' });
  const windowMs = deps.coalesceWindowMs ?? DEFAULT_COALESCE_WINDOW_MS;
  if (!(windowMs >= 0)) throw new RangeError('coalesceWindowMs must be ≥ 0');

  function handshake(req: RouteRequest, res: Response): boolean {
    const token = new URLSearchParams(req.getQuery()).get('validationToken');
    if (token === null) return false;
    if (token.length > MAX_VALIDATION_TOKEN_CHARS) {
      throw new HttpError(400, 'invalid_validation_token', 'The validationToken is too long.');
    }
    // URLSearchParams has decoded it, which is what Graph requires back.
    res.sendRaw(200, token, {
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    return true;
  }

  function parseBody(req: RouteRequest): unknown[] {
    const raw = req.rawBody ?? Buffer.alloc(0);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(
        400,
        'invalid_json',
        'The body must be a JSON notification collection { "value": [...] }.',
      );
    }
    const parsed = envelope.safeParse(body);
    if (!parsed.success) {
      throw new HttpError(
        400,
        'invalid_notification',
        `The body must be { "value": [...] } with 1 to ${String(MAX_ITEMS)} notifications.`,
      );
    }
    return parsed.data.value;
  }

  return {
    async receive(kind, req, res) {
      if (handshake(req, res)) return;
      const items = parseBody(req);
      const receivedAt = deps.now();
      const window = windowMs === 0 ? receivedAt : Math.floor(receivedAt / windowMs);
      const availableAt = windowMs === 0 ? receivedAt : (window + 1) * windowMs;
      const rows = new Map<string, Promise<GraphSubscription | undefined>>();
      const rowOf = (id: string): Promise<GraphSubscription | undefined> => {
        let row = rows.get(id);
        if (row === undefined) {
          row = deps.store.graphSubscriptions.get(id);
          rows.set(id, row);
        }
        return row;
      };
      const drops: { subscriptionId: string | undefined; reason: Drop }[] = [];
      const accepted: NewInboxItem[] = [];

      for (const item of items) {
        const outcome =
          kind === 'change'
            ? await acceptChange(item, rowOf, receivedAt)
            : await acceptLifecycle(item, rowOf, receivedAt);
        if ('reason' in outcome) {
          drops.push(outcome);
          continue;
        }
        accepted.push({ ...inboxItemFor(outcome.event, `${outcome.key}:${String(window)}`), availableAt });
      }

      if (drops.length > 0) {
        log.warn(
          {
            kind,
            dropped: drops.length,
            kept: accepted.length,
            drops: drops.slice(0, 20),
          },
          'graph notifications dropped',
        );
      }
      if (accepted.length === 0 && drops.every((d) => d.reason === 'malformed')) {
        throw new HttpError(
          400,
          'invalid_notification',
          'No notification in the body has the documented shape.',
        );
      }
      const stored = await deps.intake.accept(accepted);
      if (!stored.ok) {
        sendError(res, 503, 'store_unavailable', 'Notifications could not be stored; retry later.');
        return;
      }
      log.debug(
        { kind, received: items.length, stored: stored.value.inserted },
        'graph notifications stored',
      );
      res.sendRaw(202, '');
    },
  };

  async function checkedRow(
    subscriptionId: string,
    clientState: string | null | undefined,
    tenantId: string,
    rowOf: (id: string) => Promise<GraphSubscription | undefined>,
  ): Promise<GraphSubscription | { subscriptionId: string; reason: Drop }> {
    const row = await rowOf(subscriptionId);
    if (row === undefined) return { subscriptionId, reason: 'unknown_subscription' };
    if (!clientStateMatches(clientState, row.clientStateHash))
      return { subscriptionId, reason: 'client_state' };
    if (row.tenantId.toLowerCase() !== tenantId.toLowerCase()) return { subscriptionId, reason: 'tenant' };
    return row;
  }

  async function acceptChange(
    item: unknown,
    rowOf: (id: string) => Promise<GraphSubscription | undefined>,
    receivedAt: number,
  ): Promise<{ event: InboxEvent; key: string } | { subscriptionId: string | undefined; reason: Drop }> {
    const parsed = changeNotification.safeParse(item);
    if (!parsed.success) return { subscriptionId: undefined, reason: 'malformed' };
    const n = parsed.data;
    const row = await checkedRow(n.subscriptionId, n.clientState, n.tenantId, rowOf);
    if ('reason' in row) return row;
    const aadObjectId = notifiedObjectId(n.resource, n.resourceData?.id);
    if (aadObjectId === undefined) return { subscriptionId: n.subscriptionId, reason: 'malformed' };
    const user = await deps.store.users.getByAadObjectId(row.tenantId, aadObjectId);
    if (user === undefined) return { subscriptionId: n.subscriptionId, reason: 'unknown_user' };
    return {
      event: {
        type: 'graph.presence',
        tenantId: row.tenantId,
        userId: user.id,
        aadObjectId,
        subscriptionId: row.id,
        receivedAt,
      },
      key: `graph.presence:${row.id}:${user.id}`,
    };
  }

  async function acceptLifecycle(
    item: unknown,
    rowOf: (id: string) => Promise<GraphSubscription | undefined>,
    receivedAt: number,
  ): Promise<{ event: InboxEvent; key: string } | { subscriptionId: string | undefined; reason: Drop }> {
    const parsed = lifecycleNotification.safeParse(item);
    if (!parsed.success) return { subscriptionId: undefined, reason: 'malformed' };
    const n = parsed.data;
    const row = await checkedRow(n.subscriptionId, n.clientState, n.tenantId, rowOf);
    if ('reason' in row) return row;
    const lifecycleEvent = n.lifecycleEvent;
    if (!isLifecycleEvent(lifecycleEvent))
      return { subscriptionId: n.subscriptionId, reason: 'unknown_event' };
    return {
      event: {
        type: 'graph.lifecycle',
        tenantId: row.tenantId,
        subscriptionId: row.id,
        lifecycleEvent,
        receivedAt,
      },
      key: `graph.lifecycle:${row.id}:${lifecycleEvent}`,
    };
  }
}

function isLifecycleEvent(
  value: string,
): value is 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed' {
  return LIFECYCLE_EVENTS.has(value);
}
