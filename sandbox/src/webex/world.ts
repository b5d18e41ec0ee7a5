import type { CallEngine } from './calls.js';
import type { DeliveryEngine } from './deliveries.js';
import type { DndStore } from './dnd.js';
import type { GuardContext } from './http-kit.js';
import type { PresenceModel } from './presence.js';
import type { Voicemail } from './voicemail.js';
import type { WebhookHub } from './webhooks.js';

/** Everything the route modules and controls share: one in-memory Webex per stand-in. */
export interface WebexWorld extends GuardContext {
  /** The stand-in's own base URL, known once it listens (used for Link headers and avatars). */
  readonly site: { url: string };
  readonly now: () => number;
  readonly presence: PresenceModel;
  readonly calls: CallEngine;
  readonly voicemail: Voicemail;
  readonly dnd: DndStore;
  readonly webhooks: WebhookHub;
  readonly deliveries: DeliveryEngine;
  /** Person ids with the full-admin role in the demo org. */
  readonly admins: ReadonlySet<string>;
}
