import type { JWTPayload } from 'jose';
import type { DemoOrg } from '../seed/org.js';
import { Issuer } from '../shared/issuer.js';
import { json, Router, serve, type TlsMaterial } from '../shared/http.js';
import {
  adaptiveCardAction,
  composeExtensionQuery,
  conversationUpdate,
  personalInstallationUpdate,
  personalMessage,
  type ActivityContext,
  type CardActionRequest,
  type ComposeQueryRequest,
  type ConversationUpdateRequest,
  type TeamsActivity,
} from './activities.js';
import { mountConnector, type BotTokenVerifier } from './connector.js';
import { mountControls } from './controls.js';
import { BOT_FRAMEWORK_ISSUER, OrgDirectory } from './identities.js';
import { BotActivityRecorder, type RecordedBotActivity, type WaitOptions } from './recorder.js';
import { createStandInTokenEndpoint, type StandInTokenEndpoint } from './standin-token-endpoint.js';

/**
 * The Bot Framework channel stand-in: plays Microsoft Teams + the Bot Connector service for the
 * bot. It publishes OpenID metadata and signing keys like `login.botframework.com`, sends the bot
 * Teams activities signed exactly as the channel signs them, hosts the connector API on its
 * `serviceUrl` and records everything the bot sends.
 */

export interface BotChannelOptions {
  /** The bot's messaging endpoint (`…/api/messages`); a function when it is known only later. */
  readonly botEndpoint: string | (() => string);
  readonly botAppId: string;
  readonly tenantId: string;
  readonly org: DemoOrg;
  /** `recipient.name` on activities; default "CallBridge". */
  readonly botName?: string;
  /**
   * Verifies the bearer tokens the bot sends to the connector (signature, lifetime, issuer) and
   * returns their claims; the connector then checks audience and app id itself. Pass the Entra
   * stand-in's verifier here. Default: the stop-gap token endpoint's own verifier.
   */
  readonly verifyBotToken?: BotTokenVerifier;
  /**
   * Serves the stop-gap client-credentials token endpoint (`POST /{tenant}/oauth2/v2.0/token`)
   * for the bot, which must present this secret. Leave unset once Entra issues the bot's tokens.
   */
  readonly botAppPassword?: string;
  readonly port?: number;
  readonly host?: string;
  readonly tls?: TlsMaterial;
  /** Teams gives up on an invoke (e.g. a search query) after 5 s; default 5000. */
  readonly invokeTimeoutMs?: number;
  /** Default 15000. */
  readonly messageTimeoutMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** The outcome of POSTing one activity to the bot. */
export interface Delivery {
  readonly activity: TeamsActivity;
  /** HTTP status of the bot's answer; 504 when it did not answer in time. */
  readonly status: number;
  readonly body: unknown;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** What the bot sent to this conversation while handling the activity. */
  readonly replies: readonly RecordedBotActivity[];
}

/** The bot's answer to an invoke, as Teams receives it. */
export interface InvokeResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface DeliverOptions {
  /** The Authorization header to send; `null` sends none. Default: a freshly signed channel token. */
  readonly authorization?: string | null;
}

export interface RunningBotChannel {
  readonly url: string;
  readonly port: number;
  /** `serviceUrl` of every activity; the connector API lives under it. */
  readonly serviceUrl: string;
  /** For the service's BOT_FRAMEWORK_OPENID_METADATA_URL. */
  readonly openIdMetadataUrl: string;
  readonly jwksUrl: string;
  /** For AAD_APP_OAUTH_AUTHORITY_HOST while the stop-gap token endpoint is used (undefined when not served). */
  readonly tokenAuthorityHost: string | undefined;
  readonly tokenEndpoint: StandInTokenEndpoint | undefined;
  /** The channel's key set; sign with `signChannelToken` and rotate with `rotateKeys`. */
  readonly issuer: Issuer;
  /** The key id activities are signed with now. */
  readonly signingKid: string;
  /**
   * Rotates like the real channel: signing moves to the key that is already published (so
   * verifiers that cached the key set keep working), the oldest key is retired and a fresh one
   * is published for the next rotation.
   */
  rotateKeys(): Promise<void>;
  readonly recorder: BotActivityRecorder;
  /** Builds activities without sending them (tests craft variants from these). */
  readonly activities: {
    personalMessage(userId: string, text: string): TeamsActivity;
    installationUpdate(userId: string, action: 'add' | 'remove'): TeamsActivity;
    conversationUpdate(request: ConversationUpdateRequest): TeamsActivity;
    composeExtensionQuery(request: ComposeQueryRequest): TeamsActivity;
    adaptiveCardAction(request: CardActionRequest): TeamsActivity;
  };
  /** A personal-chat message from the user (Entra object id or `29:` id). */
  sendMessage(userId: string, text: string): Promise<Delivery>;
  sendInstallationUpdate(userId: string, action: 'add' | 'remove'): Promise<Delivery>;
  sendConversationUpdate(request: ConversationUpdateRequest): Promise<Delivery>;
  invokeComposeExtensionQuery(request: ComposeQueryRequest): Promise<InvokeResponse>;
  /** A user presses an `Action.Execute` button on a card (`adaptiveCard/action`). */
  invokeAdaptiveCardAction(request: CardActionRequest): Promise<InvokeResponse>;
  /** POSTs any activity to the bot, signed like the channel unless told otherwise. */
  deliver(activity: TeamsActivity, options?: DeliverOptions): Promise<Delivery>;
  /** The channel's JWT for an activity with this serviceUrl; claims can be overridden for negative tests. */
  signChannelToken(serviceUrl: string, overrides?: JWTPayload & Record<string, unknown>): Promise<string>;
  waitForActivity(options?: WaitOptions): Promise<RecordedBotActivity>;
  close(): Promise<void>;
}

const SERVICE_PATH = '/amer';
const OPENID_PATH = '/v1/.well-known/openidconfiguration';
const JWKS_PATH = '/v1/.well-known/keys';
/** Real keys list every channel they may sign for; the channel id must be among them. */
const ENDORSEMENTS = ['msteams'];
const TOKEN_LIFETIME_SECONDS = 3600;

export async function startBotChannel(options: BotChannelOptions): Promise<RunningBotChannel> {
  if (options.verifyBotToken === undefined && options.botAppPassword === undefined) {
    throw new Error(
      'startBotChannel needs verifyBotToken (Entra stand-in) or botAppPassword (stop-gap token endpoint)',
    );
  }
  const issuer = await Issuer.create();
  const recorder = new BotActivityRecorder();
  const directory = new OrgDirectory(options.org, options.botAppId);
  let baseUrl = '';
  const tokenEndpoint =
    options.botAppPassword === undefined
      ? undefined
      : await createStandInTokenEndpoint({
          clientId: options.botAppId,
          clientSecret: options.botAppPassword,
          tenantId: options.tenantId,
          baseUrl: () => baseUrl,
        });
  const verifyBotToken: BotTokenVerifier =
    options.verifyBotToken ??
    ((token) => (tokenEndpoint === undefined ? Promise.resolve(undefined) : tokenEndpoint.verify(token)));

  const context = (): ActivityContext => ({
    directory,
    serviceUrl: `${baseUrl}${SERVICE_PATH}/`,
    botAppId: options.botAppId,
    botName: options.botName ?? 'CallBridge',
    tenantId: options.tenantId,
  });
  const botEndpoint = (): string =>
    typeof options.botEndpoint === 'string' ? options.botEndpoint : options.botEndpoint();

  // Issuer.rotate() moves signing to the pre-published key, as the real channel does.
  const rotateKeys = (): Promise<void> => issuer.rotate();
  const signChannelToken = (
    serviceUrl: string,
    overrides: JWTPayload & Record<string, unknown> = {},
  ): Promise<string> =>
    issuer.sign(
      { iss: BOT_FRAMEWORK_ISSUER, aud: options.botAppId, serviceurl: serviceUrl, ...overrides },
      { lifetimeSeconds: TOKEN_LIFETIME_SECONDS },
    );

  const deliver = async (activity: TeamsActivity, deliverOptions: DeliverOptions = {}): Promise<Delivery> => {
    const authorization =
      deliverOptions.authorization === undefined
        ? `Bearer ${await signChannelToken(activity.serviceUrl)}`
        : deliverOptions.authorization;
    const mark = recorder.sequence;
    const started = Date.now();
    const timeoutMs =
      activity.type === 'invoke' ? (options.invokeTimeoutMs ?? 5_000) : (options.messageTimeoutMs ?? 15_000);
    let status: number;
    let body: unknown;
    let timedOut = false;
    try {
      const response = await fetch(botEndpoint(), {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Microsoft-SkypeBotApi (Microsoft-BotFramework-CallBridgeSandbox)',
          ...(authorization === null ? {} : { authorization }),
        },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      const text = await response.text();
      body = parseMaybeJson(text);
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TimeoutError') throw error;
      status = 504;
      body = undefined;
      timedOut = true;
    }
    const replies = recorder.list(activity.conversation.id).filter((a) => a.sequence > mark);
    return { activity, status, body, durationMs: Date.now() - started, timedOut, replies };
  };

  const activities: RunningBotChannel['activities'] = {
    personalMessage: (userId, text) => personalMessage(context(), userId, text),
    installationUpdate: (userId, action) => personalInstallationUpdate(context(), userId, action),
    conversationUpdate: (request) => conversationUpdate(context(), request),
    composeExtensionQuery: (request) => composeExtensionQuery(context(), request),
    adaptiveCardAction: (request) => adaptiveCardAction(context(), request),
  };

  const channel: Omit<
    RunningBotChannel,
    | 'url'
    | 'port'
    | 'serviceUrl'
    | 'openIdMetadataUrl'
    | 'jwksUrl'
    | 'tokenAuthorityHost'
    | 'signingKid'
    | 'close'
  > = {
    tokenEndpoint,
    issuer,
    rotateKeys,
    recorder,
    activities,
    sendMessage: (userId, text) => deliver(activities.personalMessage(userId, text)),
    sendInstallationUpdate: (userId, action) => deliver(activities.installationUpdate(userId, action)),
    sendConversationUpdate: (request) => deliver(activities.conversationUpdate(request)),
    invokeComposeExtensionQuery: async (request) => {
      const delivery = await deliver(activities.composeExtensionQuery(request));
      return { status: delivery.status, body: delivery.body };
    },
    invokeAdaptiveCardAction: async (request) => {
      const delivery = await deliver(activities.adaptiveCardAction(request));
      return { status: delivery.status, body: delivery.body };
    },
    deliver,
    signChannelToken,
    waitForActivity: (waitOptions) => recorder.waitForActivity(waitOptions),
  };

  const router = new Router();
  router.add('GET', OPENID_PATH, () =>
    json(200, {
      issuer: BOT_FRAMEWORK_ISSUER,
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: `${baseUrl}${JWKS_PATH}`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    }),
  );
  router.add('GET', JWKS_PATH, () =>
    json(200, {
      keys: issuer.jwks().keys.map((key) => ({
        kty: key.kty,
        use: 'sig',
        kid: key.kid,
        x5t: key.kid,
        n: key.n,
        e: key.e,
        endorsements: ENDORSEMENTS,
      })),
    }),
  );
  tokenEndpoint?.mount(router);
  mountConnector(router, {
    prefix: SERVICE_PATH,
    botAppId: options.botAppId,
    tenantId: options.tenantId,
    directory,
    recorder,
    verifyBotToken,
  });
  mountControls(router, { channel, directory, botEndpoint, serviceUrl: () => context().serviceUrl });

  const running = await serve(router, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
    notFound: () =>
      json(404, {
        error: { code: 'NotFound', message: 'No such endpoint on the Bot Framework channel stand-in.' },
      }),
  });
  baseUrl = running.url;

  return {
    ...channel,
    get signingKid() {
      return issuer.activeKid;
    },
    url: running.url,
    port: running.port,
    serviceUrl: context().serviceUrl,
    openIdMetadataUrl: `${running.url}${OPENID_PATH}`,
    jwksUrl: `${running.url}${JWKS_PATH}`,
    tokenAuthorityHost: tokenEndpoint === undefined ? undefined : running.url,
    close: () => running.close(),
  };
}

function parseMaybeJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
