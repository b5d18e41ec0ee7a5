import { randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type TurnContext,
} from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  BotFrameworkAuthentication,
  ClaimsIdentity,
  JwtTokenProviderFactory,
  ManagedIdentityServiceClientCredentialsFactory,
  ServiceClientCredentialsFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ConnectorFactory,
  type ServiceClientCredentials,
  type UserTokenClient,
} from 'botframework-connector';
import type { Activity } from 'botbuilder';
import type { Config } from '../config/env.js';
import type { Logger } from '../observability/logger.js';
import { serializeError } from '../observability/logger.js';
import { BotCredentialsFactory } from './bot-credentials.js';

/**
 * Builds botbuilder's CloudAdapter from our configuration so that every endpoint it talks to is
 * configuration: the channel's OpenID metadata and issuer (inbound), our own token client
 * (outbound), and nothing else.
 *
 * Inbound: botbuilder picks a validation path from the token itself (skill, Emulator, ASE
 * channel, or Bot Framework channel). Only the channel path uses the configured metadata URL;
 * the Emulator/skill paths use AAD metadata, and the ASE path a metadata URL fixed in a module
 * global. CallBridge is neither a skill nor Emulator-tested, so `ChannelOnlyAuthentication`
 * refuses any bearer token whose (unverified) `iss` is not the configured channel issuer before
 * botbuilder sees it. Every path that remains does its issuer check before fetching keys, so the
 * configured channel metadata is the only metadata ever fetched. The Emulator URL is set from
 * the authority host anyway (equal to botbuilder's default against the real cloud).
 */

/** `turnState` key under which the HTTP route leaves the request's correlation id. */
export const CORRELATION_ID_KEY = Symbol('callbridge.correlationId');

export interface AdapterDeps {
  /** Outbound credentials; defaults to ours (client credentials) or managed identity for UserAssignedMSI. */
  readonly credentialsFactory?: ServiceClientCredentialsFactory;
}

export function createAdapter(config: Config, logger: Logger, deps: AdapterDeps = {}): CloudAdapter {
  const log = logger.child({ component: 'bot-adapter' });
  const allowUnauthenticated = config.bot.dangerouslyAllowUnauthenticated;
  if (allowUnauthenticated && config.mode !== 'sandbox') {
    throw new Error('DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT may only be used in sandbox mode');
  }
  let credentialsFactory = deps.credentialsFactory ?? defaultCredentialsFactory(config, log);
  if (allowUnauthenticated) {
    credentialsFactory = new AnonymousAwareCredentialsFactory(credentialsFactory);
    log.warn(
      { setting: 'DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT', mode: config.mode },
      '!!! UNAUTHENTICATED BOT TRAFFIC ACCEPTED: activities WITHOUT an Authorization header are processed ' +
        'unverified (for Microsoft 365 Agents Playground). Signed activities are still fully verified. Sandbox only. !!!',
    );
  }

  const settings = authenticationSettings(config);
  const inner = new ConfigurationBotFrameworkAuthentication(settings, credentialsFactory);
  const auth = new ChannelOnlyAuthentication(inner, {
    channelIssuer: config.bot.tokenIssuer,
    oAuthScope: config.bot.oAuthScope,
    allowUnauthenticated,
    logger: log,
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = (context, error) => handleTurnError(context, error, log);
  return adapter;
}

/**
 * The `ConfigurationBotFrameworkAuthentication` settings. Setting any of the `To*` values makes
 * botbuilder use exactly these (ParameterizedBotFrameworkAuthentication), so all are set.
 */
export function authenticationSettings(config: Config): Record<string, string | boolean> {
  return {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppTenantId: config.bot.tenantId,
    MicrosoftAppType: config.bot.appType,
    // Inbound, channel → bot: the only metadata actually fetched (see ChannelOnlyAuthentication).
    ToBotFromChannelOpenIdMetadataUrl: config.bot.openIdMetadataUrl,
    ToBotFromChannelTokenIssuer: config.bot.tokenIssuer,
    // Inbound Emulator/skill tokens are refused before validation; point the URL at our authority anyway.
    ToBotFromEmulatorOpenIdMetadataUrl: `${config.entra.authorityHost}/common/v2.0/.well-known/openid-configuration`,
    // Outbound, bot → channel: informational for our credentials factory, which has its own endpoint.
    ToChannelFromBotLoginUrl: `${config.entra.authorityHost}/${outboundTenant(config)}`,
    ToChannelFromBotOAuthScope: config.bot.oAuthScope,
    // The user-token service is only used by OAuthPrompt/sign-in cards, which CallBridge does not use.
    OAuthUrl: config.bot.oAuthScope,
    CallerId: 'urn:botframework:azure',
    ValidateAuthority: true,
  };
}

function outboundTenant(config: Config): string {
  return config.bot.appType === 'MultiTenant'
    ? AuthenticationConstants.DefaultChannelAuthTenant
    : config.bot.tenantId;
}

function defaultCredentialsFactory(config: Config, log: Logger): ServiceClientCredentialsFactory {
  if (config.bot.appType === 'UserAssignedMSI') {
    return new ManagedIdentityServiceClientCredentialsFactory(
      config.bot.appId,
      new JwtTokenProviderFactory(),
    );
  }
  if (config.bot.appPassword === undefined) {
    // Live mode refuses this configuration; in the sandbox the bot can still take unsigned Playground traffic.
    log.warn(
      { setting: 'BOT_PASSWORD' },
      'BOT_PASSWORD is not set: the bot cannot reply to signed (channel) activities',
    );
    return new NoPasswordCredentialsFactory(config.bot.appId);
  }
  return new BotCredentialsFactory({
    appId: config.bot.appId,
    appPassword: config.bot.appPassword,
    tenantId: outboundTenant(config),
    authorityHost: config.entra.authorityHost,
  });
}

interface GuardOptions {
  readonly channelIssuer: string;
  readonly oAuthScope: string;
  readonly allowUnauthenticated: boolean;
  readonly logger: Logger;
}

const JWT_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);
const ANONYMOUS_APP_ID = '';

/**
 * Narrows botbuilder's inbound authentication to Bot Framework channel tokens, turns every
 * token defect into a 401 (botbuilder lets some jsonwebtoken errors escape as 500s), and, only
 * when explicitly allowed, treats a request WITHOUT an Authorization header as anonymous.
 */
export class ChannelOnlyAuthentication extends BotFrameworkAuthentication {
  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly options: GuardOptions,
  ) {
    super();
  }

  override async authenticateRequest(
    activity: Activity,
    authHeader: string,
  ): Promise<AuthenticateRequestResult> {
    if (authHeader.trim() === '' && this.options.allowUnauthenticated) {
      this.options.logger.warn(
        { activityType: activity.type },
        'processing an UNAUTHENTICATED activity (sandbox switch)',
      );
      const claimsIdentity = new ClaimsIdentity([], AuthenticationConstants.AnonymousAuthType);
      return {
        audience: this.options.oAuthScope,
        claimsIdentity,
        connectorFactory: this.inner.createConnectorFactory(claimsIdentity),
      };
    }
    const issuer = unverifiedIssuer(authHeader);
    if (authHeader.trim() !== '' && issuer !== this.options.channelIssuer) {
      this.reject('foreign_issuer');
      throw new AuthenticationError('Unauthorized. Only Bot Framework channel tokens are accepted.', 401);
    }
    try {
      return await this.inner.authenticateRequest(activity, authHeader);
    } catch (error) {
      throw this.normalize(error);
    }
  }

  override authenticateStreamingRequest(): Promise<AuthenticateRequestResult> {
    this.reject('streaming');
    return Promise.reject(
      new AuthenticationError('Unauthorized. Streaming connections are not accepted.', 401),
    );
  }

  override authenticateChannelRequest(): Promise<ClaimsIdentity> {
    this.reject('skill');
    return Promise.reject(new AuthenticationError('Unauthorized. Skill requests are not accepted.', 401));
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.inner.createConnectorFactory(claimsIdentity);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.inner.createUserTokenClient(claimsIdentity);
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  private normalize(error: unknown): unknown {
    if (error instanceof AuthenticationError) {
      // botbuilder marks "could not load the OpenID document/keys" with 500: an outage, not a bad token.
      if (error.statusCode === 500) {
        this.options.logger.error(
          { err: serializeError(error) },
          'Bot Framework signing keys could not be loaded',
        );
        return new Error('Bot Framework signing keys unavailable', { cause: error });
      }
      this.reject('invalid_token');
      return error;
    }
    if (error instanceof Error && JWT_ERRORS.has(error.name)) {
      this.reject(error.name === 'NotBeforeError' ? 'not_yet_valid' : 'invalid_token');
      return new AuthenticationError('Unauthorized. The token is not valid.', 401);
    }
    this.options.logger.error(
      { err: serializeError(error) },
      'bot request authentication failed unexpectedly',
    );
    return error;
  }

  private reject(reason: string): void {
    this.options.logger.warn({ reason }, 'bot request rejected: not authenticated');
  }
}

/** The `iss` claim of a bearer JWT, read without verification (routing only, never trust). */
function unverifiedIssuer(authHeader: string): string | undefined {
  const match = /^Bearer\s+([^.\s]+)\.([^.\s]+)\.[^.\s]*$/.exec(authHeader.trim());
  const payload = match?.[2];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const iss = (claims as { iss?: unknown }).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** Credentials that sign nothing: replies to unauthenticated (Agents Playground) traffic. */
const NO_CREDENTIALS: ServiceClientCredentials = {
  signRequest: (webResource) => Promise.resolve(webResource),
};

/**
 * Only used with the sandbox switch: the anonymous identity has no app id, so its outbound
 * calls (to the Playground's connector) go unsigned; everything else is delegated.
 */
class AnonymousAwareCredentialsFactory extends ServiceClientCredentialsFactory {
  constructor(private readonly inner: ServiceClientCredentialsFactory) {
    super();
  }

  isValidAppId(appId: string): Promise<boolean> {
    return appId === ANONYMOUS_APP_ID ? Promise.resolve(false) : this.inner.isValidAppId(appId);
  }

  isAuthenticationDisabled(): Promise<boolean> {
    return Promise.resolve(false);
  }

  createCredentials(
    appId: string | undefined,
    audience: string | undefined,
    loginEndpoint: string,
    validateAuthority: boolean,
  ): Promise<ServiceClientCredentials> {
    if (appId === undefined || appId === ANONYMOUS_APP_ID) return Promise.resolve(NO_CREDENTIALS);
    return this.inner.createCredentials(appId, audience, loginEndpoint, validateAuthority);
  }
}

/** Sandbox without BOT_PASSWORD: inbound checks work, outbound calls fail with a clear reason. */
class NoPasswordCredentialsFactory extends ServiceClientCredentialsFactory {
  constructor(private readonly appId: string) {
    super();
  }

  isValidAppId(appId: string): Promise<boolean> {
    return Promise.resolve(appId === this.appId);
  }

  isAuthenticationDisabled(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** Fails when used (inside the turn, where onTurnError logs it), not when the turn starts. */
  createCredentials(): Promise<ServiceClientCredentials> {
    return Promise.resolve({
      signRequest: () =>
        Promise.reject(new Error('BOT_PASSWORD is not set, so the bot has no credentials to reply with')),
    });
  }
}

const USER_ERROR_TEXT =
  'Sorry, something went wrong on our side and CallBridge could not finish that. Please try again in a moment.';

/**
 * Last-resort turn error handler: logs opaque ids only and tells the user something short and
 * useful, never internals. A failing reply is logged, not rethrown, so the channel gets its 200.
 */
async function handleTurnError(context: TurnContext, error: Error, log: Logger): Promise<void> {
  const turnState = context.turnState as { get(key: symbol): unknown };
  const fromRoute = turnState.get(CORRELATION_ID_KEY);
  const correlationId = typeof fromRoute === 'string' ? fromRoute : randomUUID();
  const activity = context.activity;
  log.error(
    {
      err: serializeError(error),
      correlationId,
      activityId: activity.id,
      activityType: activity.type,
      activityName: activity.name,
      conversationType: activity.conversation.conversationType,
      channelId: activity.channelId,
    },
    'bot turn failed',
  );
  try {
    if (activity.type === 'invoke') {
      await context.sendActivity({
        type: ActivityTypes.InvokeResponse,
        value: { status: 500, body: { correlationId } },
      });
    } else if (activity.type === 'message') {
      await context.sendActivity(`${USER_ERROR_TEXT} (Reference: ${correlationId})`);
    }
  } catch (sendError) {
    log.error(
      { err: serializeError(sendError), correlationId },
      'could not tell the user about the failed turn',
    );
  }
}
