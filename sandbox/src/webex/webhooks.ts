import type { CallEventType, CallLeg, CallWebhookEvent } from './call-model.js';
import { CALL_STATES, CALL_TYPES, PERSONALITIES } from './call-model.js';
import type { DeliveryEngine, DeliveryTarget } from './deliveries.js';
import { compactNumber } from './directory.js';
import { webexId } from './ids.js';
import { SCOPES } from './scopes.js';

/**
 * Webhooks as the webex-messaging OpenAPI defines them (Webhook schema, `/webhooks` paths) and
 * the Webhooks guide describes their life: personal webhooks see the creator's own events, a
 * webhook is disabled (`status: inactive`) after too many failed deliveries within 5 minutes
 * and is never re-enabled except by `PUT` with `status: "active"`.
 */

/** Resource enum of the Webhook schema. */
export const WEBHOOK_RESOURCES = [
  'attachmentActions',
  'dataSources',
  'memberships',
  'messages',
  'rooms',
  'meetings',
  'recordings',
  'convergedRecordings',
  'meetingParticipants',
  'meetingTranscripts',
  'telephony_calls',
  'telephony_conference',
  'telephony_mwi',
  'uc_counters',
  'serviceApp',
  'adminBatchJobs',
] as const;
export type WebhookResource = (typeof WEBHOOK_RESOURCES)[number];

/** Event enum of the Webhook schema, plus the firehose `all` Webex also accepts. */
export const WEBHOOK_EVENTS = [
  'created',
  'updated',
  'deleted',
  'started',
  'ended',
  'joined',
  'left',
  'migrated',
  'authorized',
  'deauthorized',
  'statusChanged',
  'all',
] as const;

/** "Creating a webhook requires 'read' scope on the resource the webhook is for." */
const READ_SCOPE: Partial<Record<WebhookResource, string>> = {
  telephony_calls: SCOPES.callsRead,
  telephony_conference: SCOPES.callsRead,
  telephony_mwi: SCOPES.callsRead,
  messages: 'spark:messages_read',
  attachmentActions: 'spark:messages_read',
  memberships: 'spark:memberships_read',
  rooms: 'spark:rooms_read',
};

export function requiredReadScope(resource: WebhookResource): string | undefined {
  return READ_SCOPE[resource];
}

/** Filter keys Webex accepts for telephony_calls webhooks. */
const TELEPHONY_FILTER_VALUES: Record<string, readonly string[] | undefined> = {
  personId: undefined,
  personality: PERSONALITIES,
  state: CALL_STATES,
  callType: CALL_TYPES,
  number: undefined,
};

export type WebhookStatus = 'active' | 'inactive';

export interface WebhookRecord {
  readonly id: string;
  name: string;
  targetUrl: string;
  readonly resource: WebhookResource;
  readonly event: string;
  readonly filter: string | undefined;
  secret: string | undefined;
  status: WebhookStatus;
  readonly created: number;
  readonly orgId: string;
  readonly createdBy: string;
  readonly appId: string;
  readonly clientId: string;
  /** Timestamps of recent failed deliveries (pruned to the failure window). */
  failures: number[];
}

export interface WebhookCreate {
  readonly name: string;
  readonly targetUrl: string;
  readonly resource: WebhookResource;
  readonly event: string;
  readonly filter: string | undefined;
  readonly secret: string | undefined;
}

/** Validates a create body; returns the fields or the reason Webex would give for a 400. */
export function readWebhookCreate(body: unknown): WebhookCreate | { readonly invalid: string } {
  if (typeof body !== 'object' || body === null) return { invalid: 'A JSON body is required.' };
  const b = body as Record<string, unknown>;
  const { name, targetUrl, resource, event, filter, secret } = b;
  if (typeof name !== 'string' || name === '') return { invalid: 'Missing required field: name' };
  if (typeof targetUrl !== 'string' || targetUrl === '')
    return { invalid: 'Missing required field: targetUrl' };
  if (typeof resource !== 'string' || resource === '') return { invalid: 'Missing required field: resource' };
  if (typeof event !== 'string' || event === '') return { invalid: 'Missing required field: event' };
  if (!isHttpUrl(targetUrl)) return { invalid: 'Invalid value for targetUrl' };
  if (!isResource(resource)) return { invalid: `Invalid value for resource: ${resource}` };
  if (!(WEBHOOK_EVENTS as readonly string[]).includes(event))
    return { invalid: `Invalid value for event: ${event}` };
  if (filter !== undefined && typeof filter !== 'string') return { invalid: 'Invalid value for filter' };
  if (secret !== undefined && typeof secret !== 'string') return { invalid: 'Invalid value for secret' };
  if (resource === 'telephony_calls' && filter !== undefined) {
    const badKey = invalidTelephonyFilter(filter);
    if (badKey !== undefined) return { invalid: `Invalid value for filter: ${badKey}` };
  }
  return { name, targetUrl, resource, event, filter: filter === '' ? undefined : filter, secret };
}

function isResource(value: string): value is WebhookResource {
  return (WEBHOOK_RESOURCES as readonly string[]).includes(value);
}

export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function parseFilter(filter: string | undefined): [string, string][] {
  if (filter === undefined) return [];
  return filter.split('&').map((pair) => {
    const i = pair.indexOf('=');
    return i < 0 ? [pair, ''] : [decodeURIComponent(pair.slice(0, i)), decodeURIComponent(pair.slice(i + 1))];
  });
}

function invalidTelephonyFilter(filter: string): string | undefined {
  for (const [key, value] of parseFilter(filter)) {
    if (!(key in TELEPHONY_FILTER_VALUES) || value === '') return key;
    const allowed = TELEPHONY_FILTER_VALUES[key];
    if (allowed !== undefined && !allowed.includes(value)) return key;
  }
  return undefined;
}

/** The Webhook JSON (Webhook schema): `filter` and `secret` only when set. */
export function webhookJson(webhook: WebhookRecord): Record<string, unknown> {
  return {
    id: webhook.id,
    name: webhook.name,
    targetUrl: webhook.targetUrl,
    resource: webhook.resource,
    event: webhook.event,
    ...(webhook.filter === undefined ? {} : { filter: webhook.filter }),
    ...(webhook.secret === undefined ? {} : { secret: webhook.secret }),
    status: webhook.status,
    created: new Date(webhook.created).toISOString(),
    orgId: webhook.orgId,
    createdBy: webhook.createdBy,
    appId: webhook.appId,
    ownedBy: 'creator',
  };
}

export interface WebhookHubOptions {
  readonly orgId: string;
  readonly now: () => number;
  readonly deliveries: DeliveryEngine;
  /** Failed deliveries within `failureWindowMs` that disable a webhook (Webex: 100 in 5 minutes). */
  readonly failureThreshold: number;
  readonly failureWindowMs: number;
}

export class WebhookHub {
  private readonly webhooks = new Map<string, WebhookRecord>();

  constructor(private readonly options: WebhookHubOptions) {}

  create(fields: WebhookCreate, createdBy: string, clientId: string, appId: string): WebhookRecord {
    const webhook: WebhookRecord = {
      id: webexId('WEBHOOK'),
      ...fields,
      status: 'active',
      created: this.options.now(),
      orgId: this.options.orgId,
      createdBy,
      appId,
      clientId,
      failures: [],
    };
    this.webhooks.set(webhook.id, webhook);
    return webhook;
  }

  /** Webhooks a caller sees: created by that person through that integration. */
  listFor(personId: string, clientId: string): WebhookRecord[] {
    return this.all().filter((w) => w.createdBy === personId && w.clientId === clientId);
  }

  findFor(personId: string, clientId: string, id: string): WebhookRecord | undefined {
    const webhook = this.webhooks.get(id);
    return webhook?.createdBy === personId && webhook.clientId === clientId ? webhook : undefined;
  }

  get(id: string): WebhookRecord | undefined {
    return this.webhooks.get(id);
  }

  all(): WebhookRecord[] {
    return [...this.webhooks.values()].sort((a, b) => a.created - b.created);
  }

  delete(id: string): boolean {
    return this.webhooks.delete(id);
  }

  /** Re-activation by `PUT status=active` starts a fresh failure count. */
  activate(webhook: WebhookRecord): void {
    webhook.status = 'active';
    webhook.failures = [];
  }

  disable(webhook: WebhookRecord): void {
    webhook.status = 'inactive';
  }

  /** Fans a call event out to the owner's matching telephony_calls webhooks. */
  notifyCall(
    leg: CallLeg,
    event: CallWebhookEvent,
    eventType: CallEventType,
    data: Record<string, unknown>,
  ): void {
    for (const webhook of this.all()) {
      if (!this.wantsCall(webhook, leg, event)) continue;
      const envelope = {
        id: webhook.id,
        name: webhook.name,
        targetUrl: webhook.targetUrl,
        resource: webhook.resource,
        event,
        ...(webhook.filter === undefined ? {} : { filter: webhook.filter }),
        orgId: webhook.orgId,
        createdBy: webhook.createdBy,
        appId: webhook.appId,
        ownedBy: 'creator',
        status: webhook.status,
        created: new Date(webhook.created).toISOString(),
        actorId: leg.ownerId,
        data,
      };
      this.options.deliveries.enqueue(this.target(webhook), {
        body: JSON.stringify(envelope),
        event,
        eventType,
        callId: leg.id,
      });
    }
  }

  private wantsCall(webhook: WebhookRecord, leg: CallLeg, event: CallWebhookEvent): boolean {
    if (webhook.status !== 'active' || webhook.resource !== 'telephony_calls') return false;
    if (webhook.createdBy !== leg.ownerId) return false;
    if (webhook.event !== 'all' && webhook.event !== event) return false;
    return parseFilter(webhook.filter).every(([key, value]) => {
      switch (key) {
        case 'personId':
          return value === leg.ownerId;
        case 'personality':
          return value === leg.personality;
        case 'state':
          return value === leg.state;
        case 'callType':
          return value === leg.remoteParty.callType;
        case 'number':
          return compactNumber(value) === compactNumber(leg.remoteParty.number);
        default:
          return false;
      }
    });
  }

  private target(webhook: WebhookRecord): DeliveryTarget {
    return {
      id: webhook.id,
      targetUrl: webhook.targetUrl,
      secret: webhook.secret,
      isActive: () => this.webhooks.get(webhook.id)?.status === 'active',
      recordFailure: (at) => {
        webhook.failures = [...webhook.failures.filter((t) => at - t < this.options.failureWindowMs), at];
        if (webhook.failures.length >= this.options.failureThreshold) this.disable(webhook);
      },
    };
  }
}
