import { Router, serve, type TlsMaterial } from '../shared/http.js';
import { createDemoOrg, type DemoOrg } from '../seed/org.js';
import { callEventData } from './call-model.js';
import { CallEngine } from './calls.js';
import { createControls, type WebexControls } from './controls.js';
import { DeliveryEngine } from './deliveries.js';
import { Directory } from './directory.js';
import { DndStore } from './dnd.js';
import { notFound } from './errors.js';
import { DEFAULT_LIFETIMES, OAuthServer, type OAuthLifetimes, type WebexIntegration } from './oauth.js';
import { PresenceModel } from './presence.js';
import { addCallRoutes } from './routes/call-routes.js';
import { addControlRoutes } from './routes/control-routes.js';
import { addDndRoutes } from './routes/dnd-routes.js';
import { addOAuthRoutes } from './routes/oauth-routes.js';
import { addPeopleRoutes } from './routes/people-routes.js';
import { addVoicemailRoutes } from './routes/voicemail-routes.js';
import { addWebhookRoutes } from './routes/webhook-routes.js';
import { Throttle } from './throttle.js';
import { Voicemail } from './voicemail.js';
import { WebhookHub } from './webhooks.js';
import type { WebexWorld } from './world.js';

/**
 * The Webex stand-in: OAuth integrations, People, Webex Calling call control and voice
 * messages, calling Do Not Disturb, webhooks with signed deliveries, the Webex App status
 * model, throttling; plus `/_sandbox/webex/...` controls. State lives in memory.
 */

export type { WebexControls, WebexPersonSummary } from './controls.js';
export type { WebexIntegration, TokenResponse, OAuthLifetimes } from './oauth.js';
export type { AppStatus, PersonStatus, StatusSetter, StatusSnapshot, ExplicitStatus } from './presence.js';
export type { DeliveryRecord, DeliveryStatus } from './deliveries.js';
export type { DndSettings } from './dnd.js';
export type { ApiFamily, ThrottleRule } from './throttle.js';
export type { IncomingCallResult } from './calls.js';
export { sparkSignature } from './deliveries.js';
export { SCOPES } from './scopes.js';

export interface StartWebexOptions {
  /** The organisation to serve (default `createDemoOrg()`). */
  readonly org?: DemoOrg;
  /** Registered integrations (client id/secret, redirect URIs, scopes). */
  readonly integrations?: readonly WebexIntegration[];
  /** Port to listen on (default 0: any free port). */
  readonly port?: number;
  readonly host?: string;
  readonly tls?: TlsMaterial;
  /** Clock for tokens, statuses, timestamps and the webhook failure window. */
  readonly now?: () => number;
  /** Used for webhook deliveries (default global fetch). */
  readonly fetch?: typeof fetch;
  /** When set, called parties answer by themselves after this many ms. */
  readonly remoteAutoAnswerMs?: number;
  /** Failed deliveries within the window that disable a webhook (Webex: 100). */
  readonly webhookFailureThreshold?: number;
  /** The failure window (Webex: 5 minutes). */
  readonly webhookFailureWindowMs?: number;
  /** Per-delivery timeout (default 10 s). */
  readonly deliveryTimeoutMs?: number;
  /** Full admins of the org (default: the first person with a Webex account). */
  readonly adminPersonIds?: readonly string[];
  /** Token lifetimes (default: access 14 days, refresh 90 days, code 5 minutes). */
  readonly tokenLifetimes?: Partial<OAuthLifetimes>;
  readonly onError?: (error: unknown) => void;
}

export interface WebexStandIn extends WebexControls {
  /** Base URL; the REST API is under `${url}/v1`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startWebex(options: StartWebexOptions = {}): Promise<WebexStandIn> {
  const now = options.now ?? Date.now;
  const directory = new Directory(options.org ?? createDemoOrg());
  const dnd = new DndStore();
  const voicemail = new Voicemail(now);
  const calls = new CallEngine({
    directory,
    dnd,
    voicemail,
    now,
    remoteAutoAnswerMs: options.remoteAutoAnswerMs,
  });
  const presence = new PresenceModel(now, (personId) => calls.isInCall(personId));
  const startedAt = now();
  for (const entry of directory.all()) presence.register(entry.personId, startedAt);
  const deliveries = new DeliveryEngine({
    fetch: options.fetch ?? fetch,
    now,
    timeoutMs: options.deliveryTimeoutMs ?? 10_000,
  });
  const webhooks = new WebhookHub({
    orgId: directory.orgId,
    now,
    deliveries,
    failureThreshold: options.webhookFailureThreshold ?? 100,
    failureWindowMs: options.webhookFailureWindowMs ?? 5 * 60 * 1000,
  });
  calls.onEvent((leg, event, eventType) => {
    webhooks.notifyCall(leg, event, eventType, callEventData(leg, eventType, now()));
  });
  const integrations = options.integrations ?? [];
  const oauth = new OAuthServer(integrations, directory.orgId, now, {
    ...DEFAULT_LIFETIMES,
    ...options.tokenLifetimes,
  });
  const firstPerson = directory.all()[0]?.personId;
  const world: WebexWorld = {
    site: { url: '' },
    now,
    directory,
    oauth,
    throttle: new Throttle(),
    presence,
    calls,
    voicemail,
    dnd,
    webhooks,
    deliveries,
    admins: new Set(options.adminPersonIds ?? (firstPerson === undefined ? [] : [firstPerson])),
  };
  const controls = createControls(world, integrations[0]?.clientId);

  const router = new Router();
  addOAuthRoutes(router, world);
  addPeopleRoutes(router, world);
  addDndRoutes(router, world);
  addCallRoutes(router, world);
  addVoicemailRoutes(router, world);
  addWebhookRoutes(router, world);
  addControlRoutes(router, world, controls);

  const running = await serve(router, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
    notFound: () => notFound(),
  });
  world.site.url = running.url;
  return {
    ...controls,
    url: running.url,
    close: async () => {
      calls.close();
      await running.close();
    },
  };
}
