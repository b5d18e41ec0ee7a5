import { randomUUID } from 'node:crypto';
import { requirePermission, type Caller } from './auth.js';
import type { GraphClock } from './clock.js';
import type { DeliveryService } from './delivery.js';
import { GraphError, notFound, subscriptionServiceError } from './errors.js';
import { empty, odata, type GraphRequest, type GraphRoute } from './route.js';
import {
  matchesParticipants,
  parseResource,
  presenceNotificationResource,
  RULES,
  type SubscriptionTarget,
} from './subscription-resources.js';
import { graphDateTime } from './time-format.js';
import { validateEndpoint } from './validation.js';

/**
 * `/subscriptions`: create (with the validation handshake), list, get, renew (PATCH), delete and
 * reauthorize, plus the change and lifecycle notifications the stand-in sends for them.
 */

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface SubscriptionRecord {
  readonly id: string;
  readonly resource: string;
  readonly target: SubscriptionTarget;
  readonly changeType: string;
  readonly changeTypes: ReadonlySet<string>;
  notificationUrl: string;
  readonly lifecycleNotificationUrl: string | undefined;
  readonly clientState: string | undefined;
  expiresAt: number;
  readonly applicationId: string;
  /** The signed-in user for delegated subscriptions, the app for application ones. */
  readonly creatorId: string;
  readonly delegated: boolean;
  readonly latestSupportedTlsVersion: string;
  readonly includeResourceData: boolean;
  /** Delivery pauses after the authorising token expires, until renewed or reauthorized. */
  authorizedUntil: number | undefined;
}

export interface SubscriptionOptions {
  readonly clock: GraphClock;
  readonly delivery: DeliveryService;
  readonly fetch: typeof fetch;
  readonly tenantId: string;
  readonly validationTimeoutMs?: number | undefined;
}

const TLS_VERSIONS = new Set(['v1_0', 'v1_1', 'v1_2', 'v1_3']);
const MAX_CLIENT_STATE = 128;

export class Subscriptions {
  private readonly records = new Map<string, SubscriptionRecord>();
  private readonly expiryTimers = new Map<string, () => void>();

  constructor(private readonly options: SubscriptionOptions) {}

  routes(): GraphRoute[] {
    return [
      { method: 'POST', template: '/subscriptions', family: 'subscriptions', handler: (r) => this.create(r) },
      { method: 'GET', template: '/subscriptions', family: 'subscriptions', handler: (r) => this.list(r) },
      { method: 'GET', template: '/subscriptions/:id', family: 'subscriptions', handler: (r) => this.get(r) },
      {
        method: 'PATCH',
        template: '/subscriptions/:id',
        family: 'subscriptions',
        handler: (r) => this.renew(r),
      },
      {
        method: 'DELETE',
        template: '/subscriptions/:id',
        family: 'subscriptions',
        handler: (r) => this.delete(r),
      },
      {
        method: 'POST',
        template: '/subscriptions/:id/reauthorize',
        family: 'subscriptions',
        handler: (r) => this.reauthorize(r),
      },
    ];
  }

  /** Sends `updated` notifications for a user's presence to every subscription covering them. */
  notifyPresence(userId: string): void {
    const id = userId.toLowerCase();
    for (const sub of this.live()) {
      if (sub.target.kind !== 'presence' || !sub.target.userIds.has(id)) continue;
      this.send(sub, {
        changeType: 'updated',
        resource: presenceNotificationResource(sub.target, id),
        resourceData: { '@odata.type': '#Microsoft.Graph.presence', '@odata.id': `users/${id}/presence`, id },
      });
    }
  }

  /** Sends call-record notifications; `updated` subscriptions also hear about new records. */
  notifyCallRecord(
    recordId: string,
    participantIds: readonly string[],
    changeType: 'created' | 'updated',
  ): void {
    for (const sub of this.live()) {
      if (
        sub.target.kind !== 'callRecords' ||
        !matchesParticipants(sub.target.participantFilter, participantIds)
      )
        continue;
      const type = sub.changeTypes.has(changeType)
        ? changeType
        : changeType === 'created'
          ? 'updated'
          : undefined;
      if (type === undefined || !sub.changeTypes.has(type)) continue;
      this.send(sub, {
        changeType: type,
        resource: `communications/callRecords/${recordId}`,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.callrecord',
          '@odata.id': `communications/callRecords/${recordId}`,
          id: recordId,
        },
      });
    }
  }

  /** Control: the subscriptions that exist now. */
  all(): SubscriptionRecord[] {
    return this.live();
  }

  /** Control: sends a lifecycle notification; false when the subscription is unknown or has no lifecycle URL. */
  sendLifecycle(id: string, lifecycleEvent: LifecycleEvent): boolean {
    const sub = this.records.get(id);
    if (sub?.lifecycleNotificationUrl === undefined) return false;
    this.options.delivery.enqueue(sub.lifecycleNotificationUrl, 'lifecycle', {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: graphDateTime(sub.expiresAt),
      tenantId: this.options.tenantId,
      clientState: sub.clientState ?? null,
      lifecycleEvent,
    });
    return true;
  }

  /** Control: Graph removes the subscription and says so with `subscriptionRemoved`. */
  remove(id: string): boolean {
    if (!this.records.has(id)) return false;
    this.sendLifecycle(id, 'subscriptionRemoved');
    this.drop(id);
    return true;
  }

  /** Control: the subscription reaches its expiry now; Graph deletes expired subscriptions silently. */
  expire(id: string): boolean {
    if (!this.records.has(id)) return false;
    this.drop(id);
    return true;
  }

  dispose(): void {
    for (const cancel of this.expiryTimers.values()) cancel();
    this.expiryTimers.clear();
  }

  private async create(r: GraphRequest): Promise<ReturnType<typeof odata>> {
    const body = r.jsonBody();
    const resource = requiredString(body, 'resource');
    const changeType = requiredString(body, 'changeType');
    const notificationUrl = webhookUrl(requiredString(body, 'notificationUrl'), 'notificationUrl');
    const lifecycleNotificationUrl =
      body.lifecycleNotificationUrl === undefined || body.lifecycleNotificationUrl === null
        ? undefined
        : webhookUrl(requiredString(body, 'lifecycleNotificationUrl'), 'lifecycleNotificationUrl');
    const clientState = optionalString(body, 'clientState');
    if (clientState !== undefined && clientState.length > MAX_CLIENT_STATE) {
      throw invalid(`clientState must not exceed ${MAX_CLIENT_STATE} characters.`);
    }
    const tls = optionalString(body, 'latestSupportedTlsVersion') ?? 'v1_2';
    if (!TLS_VERSIONS.has(tls)) throw invalid(`Invalid latestSupportedTlsVersion '${tls}'.`);
    const target = parseResource(resource);
    const rules = RULES[target.kind];
    this.authorize(r.caller, target, 'Create');
    const changeTypes = new Set(changeType.split(',').map((c) => c.trim()));
    for (const c of changeTypes) {
      if (!rules.changeTypes.has(c))
        throw invalid(`Change type '${c}' is not supported for resource '${resource}'.`);
    }
    const expiresAt = this.expiration(body, rules.maxLifetimeMs);
    const includeResourceData = body.includeResourceData === true;
    if (includeResourceData) {
      if (
        optionalString(body, 'encryptionCertificate') === undefined ||
        optionalString(body, 'encryptionCertificateId') === undefined
      ) {
        throw invalid(
          'encryptionCertificate and encryptionCertificateId are required when includeResourceData is true.',
        );
      }
      // Rich (encrypted) notifications are not modelled; refusing beats sending a basic payload instead.
      throw new GraphError(
        400,
        'InvalidRequest',
        'The sandbox does not deliver notifications with resource data.',
      );
    }
    const creatorId = r.caller.userId ?? r.caller.appId;
    if (
      target.kind === 'presence' &&
      this.live().some(
        (s) =>
          s.target.kind === 'presence' && s.applicationId === r.caller.appId && s.creatorId === creatorId,
      )
    ) {
      // Documented: one presence subscription per user per application.
      throw subscriptionServiceError(
        409,
        'Create',
        'Conflict',
        'A subscripton already exists. It must be deleted before a another can be made',
      );
    }
    await validateEndpoint(this.options.fetch, notificationUrl, this.options.validationTimeoutMs);
    if (lifecycleNotificationUrl !== undefined) {
      await validateEndpoint(this.options.fetch, lifecycleNotificationUrl, this.options.validationTimeoutMs);
    }
    const record: SubscriptionRecord = {
      id: randomUUID(),
      resource,
      target,
      changeType,
      changeTypes,
      notificationUrl,
      lifecycleNotificationUrl,
      clientState,
      expiresAt,
      applicationId: r.caller.appId,
      creatorId,
      delegated: r.caller.kind === 'delegated',
      latestSupportedTlsVersion: tls,
      includeResourceData,
      authorizedUntil: r.caller.expiresAt,
    };
    this.records.set(record.id, record);
    this.armExpiry(record);
    return odata(201, {
      '@odata.context': `${r.serviceRoot}/$metadata#subscriptions/$entity`,
      ...subscriptionJson(record),
    });
  }

  private list(r: GraphRequest): ReturnType<typeof odata> {
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#subscriptions`,
      value: this.live()
        .filter((s) => visibleTo(s, r.caller))
        .map(subscriptionJson),
    });
  }

  private get(r: GraphRequest): ReturnType<typeof odata> {
    const sub = this.owned(r);
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#subscriptions/$entity`,
      ...subscriptionJson(sub),
    });
  }

  private async renew(r: GraphRequest): Promise<ReturnType<typeof odata>> {
    const sub = this.owned(r);
    this.authorize(r.caller, sub.target, 'Update');
    const body = r.jsonBody();
    if (body.lifecycleNotificationUrl !== undefined) {
      // Documented: lifecycleNotificationUrl can only be set when the subscription is created.
      throw invalid('lifecycleNotificationUrl cannot be changed; delete and recreate the subscription.');
    }
    const expiresAt =
      body.expirationDateTime === undefined
        ? sub.expiresAt
        : this.expiration(body, RULES[sub.target.kind].maxLifetimeMs);
    if (body.notificationUrl !== undefined) {
      const url = webhookUrl(requiredString(body, 'notificationUrl'), 'notificationUrl');
      await validateEndpoint(this.options.fetch, url, this.options.validationTimeoutMs);
      sub.notificationUrl = url;
    }
    sub.expiresAt = expiresAt;
    // Renewing also reauthorizes the subscription with the caller's current token.
    sub.authorizedUntil = r.caller.expiresAt;
    this.armExpiry(sub);
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#subscriptions/$entity`,
      ...subscriptionJson(sub),
    });
  }

  private delete(r: GraphRequest): ReturnType<typeof empty> {
    this.drop(this.owned(r).id);
    return empty(204);
  }

  private reauthorize(r: GraphRequest): ReturnType<typeof empty> {
    const sub = this.owned(r);
    this.authorize(r.caller, sub.target, 'Reauthorize');
    sub.authorizedUntil = r.caller.expiresAt;
    return empty(204);
  }

  /** Token-kind and permission rules of the resource (presence: delegated only; callRecords: application only). */
  private authorize(caller: Caller, target: SubscriptionTarget, operation: string): void {
    const rule = RULES[target.kind].permission;
    const accepted = caller.kind === 'delegated' ? rule.delegated : rule.application;
    if (accepted.length === 0) {
      throw subscriptionServiceError(
        403,
        operation,
        'Forbidden',
        'The request is not authorized for this user or application.',
      );
    }
    requirePermission(caller, rule, 'subscriptions');
  }

  private expiration(body: Readonly<Record<string, unknown>>, maxLifetimeMs: number): number {
    const text = requiredString(body, 'expirationDateTime');
    const at = Date.parse(text);
    if (Number.isNaN(at)) throw invalid(`Invalid expirationDateTime '${text}'.`);
    const now = this.options.clock.now();
    if (at <= now) throw invalid('Subscription expiration can only be in the future.');
    if (at > now + maxLifetimeMs) {
      throw invalid(
        `Subscription expiration can only be ${Math.round(maxLifetimeMs / 60_000)} minutes in the future.`,
      );
    }
    return at;
  }

  /** The subscription a path names, if the caller's app (and user, for delegated callers) owns it. */
  private owned(r: GraphRequest): SubscriptionRecord {
    const sub = this.records.get(r.params.id ?? '');
    if (sub === undefined || sub.expiresAt <= this.options.clock.now() || !visibleTo(sub, r.caller)) {
      throw notFound('subscriptions', r.params.id ?? '');
    }
    return sub;
  }

  private live(): SubscriptionRecord[] {
    const now = this.options.clock.now();
    return [...this.records.values()].filter((s) => s.expiresAt > now);
  }

  private send(sub: SubscriptionRecord, change: Readonly<Record<string, unknown>>): void {
    const now = this.options.clock.now();
    if (sub.authorizedUntil !== undefined && sub.authorizedUntil <= now) {
      this.options.delivery.skip(sub.notificationUrl, 'change', 1, 'subscription needs reauthorization');
      return;
    }
    this.options.delivery.enqueue(sub.notificationUrl, 'change', {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: graphDateTime(sub.expiresAt),
      changeType: change.changeType,
      resource: change.resource,
      resourceData: change.resourceData,
      clientState: sub.clientState ?? null,
      tenantId: this.options.tenantId,
    });
  }

  private armExpiry(sub: SubscriptionRecord): void {
    this.expiryTimers.get(sub.id)?.();
    const cancel = this.options.clock.schedule(sub.expiresAt - this.options.clock.now(), () => {
      this.drop(sub.id);
    });
    this.expiryTimers.set(sub.id, cancel);
  }

  private drop(id: string): void {
    this.expiryTimers.get(id)?.();
    this.expiryTimers.delete(id);
    this.records.delete(id);
  }
}

/** The subscription resource's JSON, as the create/get/update examples show it. */
export function subscriptionJson(sub: SubscriptionRecord): Record<string, unknown> {
  return {
    id: sub.id,
    resource: sub.resource,
    applicationId: sub.applicationId,
    changeType: sub.changeType,
    clientState: sub.clientState ?? null,
    notificationUrl: sub.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: sub.lifecycleNotificationUrl ?? null,
    expirationDateTime: graphDateTime(sub.expiresAt),
    creatorId: sub.creatorId,
    includeResourceData: sub.includeResourceData,
    latestSupportedTlsVersion: sub.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}

function visibleTo(sub: SubscriptionRecord, caller: Caller): boolean {
  if (sub.applicationId !== caller.appId) return false;
  // Delegated callers see the subscriptions their app created for them; app callers see all of the app's.
  return caller.kind === 'application' || sub.creatorId === caller.userId;
}

function invalid(message: string): GraphError {
  return new GraphError(400, 'InvalidRequest', message);
}

function requiredString(body: Readonly<Record<string, unknown>>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '')
    throw invalid(`${name} is a required property for subscription creation.`);
  return value;
}

function optionalString(body: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Graph requires HTTPS webhook URLs. The sandbox also accepts plain http to loopback hosts, so
 * tests and the launcher can receive notifications without a certificate.
 */
function webhookUrl(text: string, name: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`Invalid ${name} '${text}'.`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw invalid(`The ${name} must use the https scheme.`);
  }
  return text;
}
