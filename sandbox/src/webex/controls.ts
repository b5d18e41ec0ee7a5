import { callJson } from './call-model.js';
import type { IncomingCallResult } from './calls.js';
import type { DeliveryRecord } from './deliveries.js';
import type { DirectoryEntry } from './directory.js';
import type { DndSettings } from './dnd.js';
import type { TokenResponse } from './oauth.js';
import type { AppStatus, ExplicitStatus, StatusSetter, StatusSnapshot } from './presence.js';
import type { ApiFamily, ThrottleRule } from './throttle.js';
import { webhookJson } from './webhooks.js';
import type { WebexWorld } from './world.js';

/**
 * The control surface tests and the console use to drive the Webex stand-in: things a person
 * does in a Webex client or on a phone, things the far end does, and fault injection.
 */

/** A Webex person of the demo org, as the console lists them. */
export interface WebexPersonSummary {
  readonly personId: string;
  readonly displayName: string;
  readonly email: string;
  readonly calling: boolean;
  readonly extension: string | undefined;
}

export interface WebexControls {
  readonly orgId: string;
  people(): WebexPersonSummary[];
  personIdByEmail(email: string): string | undefined;

  /** Tokens as if the person consented to `clientId` (default: the first registered integration). */
  issueTokens(personId: string, scopes: readonly string[], clientId?: string): TokenResponse;
  /** Makes the person's current access tokens expired (401); refresh still works. */
  expireAccessTokens(personId: string): number;
  /** Revokes the person's grants: tokens 401, refresh answers `invalid_grant`. */
  revokeGrants(personId: string, clientId?: string): number;

  /** Webex App status as the JS SDK presence plugin sets it (`ttlSeconds` 0/undefined: no expiry). */
  setStatus(personId: string, status: AppStatus, ttlSeconds?: number, setBy?: StatusSetter): StatusSnapshot;
  clearStatus(personId: string): StatusSnapshot;
  getStatus(personId: string): StatusSnapshot;
  statusHistory(personId: string): readonly ExplicitStatus[];
  setInMeeting(personId: string, inMeeting: boolean): StatusSnapshot;
  setPresenting(personId: string, presenting: boolean): StatusSnapshot;
  /** Last activity at `at` (epoch ms), now when omitted, or never (`null`, status `pending`). */
  setLastActivity(personId: string, at?: number | null): StatusSnapshot;

  /** The person picks up on a device: places a Click to Dial call or answers an incoming one. */
  answerOnDevice(personId: string, callId: string): void;
  /** The far end answers the person's outgoing call. */
  remoteAnswer(callId: string): void;
  /** The far end hangs up (an unanswered incoming call becomes a missed call). */
  remoteHangup(callId: string): void;
  /** Rings the person's Webex (to voicemail when they are on Do Not Disturb). */
  startIncomingCall(toPersonId: string, fromNumber: string, fromName?: string): IncomingCallResult;
  /** A call from the person that connects at once. */
  startCall(personId: string, destination: string): { callId: string; callSessionId: string };
  /** Active calls (REST call objects plus `ownerId`), for one person or everyone. */
  activeCalls(personId?: string): Record<string, unknown>[];

  leaveVoiceMessage(
    personId: string,
    fromNumber: string,
    options?: { fromName?: string; urgent?: boolean; durationSeconds?: number },
  ): string;
  getDnd(personId: string): DndSettings;
  setDnd(personId: string, settings: boolean | Partial<DndSettings>): DndSettings;

  /** Every webhook (Webhook JSON plus `recentFailures`). */
  webhooks(): Record<string, unknown>[];
  disableWebhook(webhookId: string): void;
  deliveries(webhookId?: string): readonly DeliveryRecord[];
  failNextDeliveries(count: number): void;
  duplicateNextDeliveries(count: number): void;
  /** Holds the next `count` deliveries, then sends them in reverse order. */
  reorderNextDeliveries(count: number): void;
  /** Resolves when every queued delivery has been attempted. */
  flushDeliveries(): Promise<void>;

  throttle(family: ApiFamily, rule: ThrottleRule): void;
  clearThrottle(family?: ApiFamily): void;
}

export function createControls(world: WebexWorld, defaultClientId: string | undefined): WebexControls {
  const person = (personId: string): DirectoryEntry => {
    const entry = world.directory.get(personId);
    if (entry === undefined) throw new ControlError(404, `No Webex person ${personId}`);
    return entry;
  };
  const snapshot = (personId: string): StatusSnapshot => world.presence.snapshot(person(personId).personId);

  return {
    orgId: world.directory.orgId,
    people: () =>
      world.directory.all().map((e) => ({
        personId: e.personId,
        displayName: e.user.displayName,
        email: e.email,
        calling: e.calling,
        extension: e.extension,
      })),
    personIdByEmail: (email) => world.directory.byEmailAddress(email)?.personId,

    issueTokens: (personId, scopes, clientId = defaultClientId ?? 'sandbox-console') =>
      world.oauth.issueDirect(person(personId).personId, clientId, scopes),
    expireAccessTokens: (personId) => world.oauth.expireAccessTokens(person(personId).personId),
    revokeGrants: (personId, clientId) => world.oauth.revokeGrants(person(personId).personId, clientId),

    setStatus: (personId, status, ttlSeconds, setBy = 'user') => {
      world.presence.setStatus(person(personId).personId, status, ttlSeconds, setBy);
      return snapshot(personId);
    },
    clearStatus: (personId) => {
      world.presence.clearStatus(person(personId).personId);
      return snapshot(personId);
    },
    getStatus: snapshot,
    statusHistory: (personId) => world.presence.history(person(personId).personId),
    setInMeeting: (personId, inMeeting) => {
      world.presence.setInMeeting(person(personId).personId, inMeeting);
      return snapshot(personId);
    },
    setPresenting: (personId, presenting) => {
      world.presence.setPresenting(person(personId).personId, presenting);
      return snapshot(personId);
    },
    setLastActivity: (personId, at) => {
      world.presence.setLastActivity(person(personId).personId, at === undefined ? world.now() : at);
      return snapshot(personId);
    },

    answerOnDevice: (personId, callId) => {
      world.calls.answerOnDevice(person(personId).personId, callId);
    },
    remoteAnswer: (callId) => {
      world.calls.remoteAnswer(callId);
    },
    remoteHangup: (callId) => {
      world.calls.remoteHangup(callId);
    },
    startIncomingCall: (toPersonId, fromNumber, fromName) =>
      world.calls.startIncomingCall(person(toPersonId), fromNumber, fromName),
    startCall: (personId, destination) => {
      const leg = world.calls.startCall(person(personId), destination);
      return { callId: leg.id, callSessionId: leg.sessionId };
    },
    activeCalls: (personId) =>
      (personId === undefined ? world.calls.all() : world.calls.list(person(personId).personId)).map(
        (leg) => ({
          ...callJson(leg),
          ownerId: leg.ownerId,
        }),
      ),

    leaveVoiceMessage: (personId, fromNumber, options = {}) => {
      const owner = person(personId);
      if (!owner.calling)
        throw new ControlError(400, `${owner.user.displayName} has no Webex Calling voicemail`);
      const known = world.directory.byCallingNumber(fromNumber);
      const name = known?.user.displayName ?? options.fromName;
      return world.voicemail.leave(owner.personId, {
        callingParty: {
          ...(name === undefined ? {} : { name }),
          number: known?.extension ?? fromNumber,
          ...(known === undefined ? {} : { personId: known.personId }),
          privacyEnabled: false,
        },
        ...(options.urgent === undefined ? {} : { urgent: options.urgent }),
        ...(options.durationSeconds === undefined ? {} : { durationSeconds: options.durationSeconds }),
      }).id;
    },
    getDnd: (personId) => world.dnd.get(person(personId).personId),
    setDnd: (personId, settings) =>
      world.dnd.update(
        person(personId).personId,
        typeof settings === 'boolean' ? { enabled: settings } : settings,
      ),

    webhooks: () =>
      world.webhooks.all().map((w) => ({ ...webhookJson(w), recentFailures: w.failures.length })),
    disableWebhook: (webhookId) => {
      const webhook = world.webhooks.get(webhookId);
      if (webhook === undefined) throw new ControlError(404, `No webhook ${webhookId}`);
      world.webhooks.disable(webhook);
    },
    deliveries: (webhookId) => world.deliveries.list(webhookId),
    failNextDeliveries: (count) => {
      world.deliveries.failNext(count);
    },
    duplicateNextDeliveries: (count) => {
      world.deliveries.duplicateNext(count);
    },
    reorderNextDeliveries: (count) => {
      world.deliveries.reorderNext(count);
    },
    flushDeliveries: () => world.deliveries.idle(),

    throttle: (family, rule) => {
      world.throttle.set(family, rule);
    },
    clearThrottle: (family) => {
      world.throttle.clear(family);
    },
  };
}

/** A control refused (unknown person or webhook, or a request that makes no sense). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}
