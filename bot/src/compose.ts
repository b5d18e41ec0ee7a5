import { resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import { createAdminConsent } from './admin-consent/index.js';
import { createService, type Service } from './app.js';
import { callTabRoutes, createGraphSessions } from './call-tab/index.js';
import { createCallService } from './calls/call-service.js';
import { asCountryCode } from './calls/destination.js';
import { createUserConsent } from './auth/consent/index.js';
import { createEntraTokenClient } from './auth/obo/entra-token-client.js';
import { createGraphTokenService } from './auth/obo/graph-token-service.js';
import { createSsoValidator, ssoValidatorOptionsFromConfig } from './auth/sso-validator.js';
import { createTokenVault } from './auth/token-vault.js';
import { summarizeConfig, type Config } from './config/env.js';
import { postAuthToken } from './http/routes/postAuthToken.js';
import { tabStaticRoutes } from './http/tab-static.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import type { GraphClient } from './integrations/graph/graph.client.js';
import { createUpstreamMetrics, HttpPolicy } from './integrations/http-policy.js';
import { createPeopleSearch } from './people/people-search.js';
import { err, ok, type Result } from './shared/result.js';
import { createSpeedDialService } from './speed-dials/speed-dial-service.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { createBotRoute } from './teams/bot-route.js';
import { webexCommandDeps } from './teams/commands/index.js';
import { callTabDeepLink, callTabUrl } from './teams/deep-links.js';
import { createUserNotifier } from './notifications/user-notifier.js';
import { createWebexLinking } from './webex-link/index.js';
import { createPresenceSync } from './presence-sync/index.js';

export interface ComposeOptions {
  /** Where log lines go (default stdout); tests read them. */
  readonly logDestination?: DestinationStream;
  /** Collect process metrics (off in tests that run several services in one process). */
  readonly collectDefaultMetrics?: boolean;
}

export interface ComposedService {
  readonly service: Service;
  readonly logger: Logger;
  readonly store: Store;
}

/**
 * The composition root: builds every client and part once, from configuration, and passes
 * them in. Nothing else constructs infrastructure, so tests compose the same way production does.
 */
export async function composeService(
  config: Config,
  options: ComposeOptions = {},
): Promise<Result<ComposedService>> {
  const logger = createLogger({
    level: config.logLevel,
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  logger.info({ config: summarizeConfig(config) }, 'configuration loaded');

  const opened = await openStore(config.store, logger);
  if (!opened.ok) return err(opened.error);
  const store = opened.value;

  const metrics = createMetrics({ collectDefaults: options.collectDefaultMetrics ?? true });
  const upstreamPolicy = { logger, metrics: createUpstreamMetrics(metrics.registry) };
  const vault = createTokenVault(config.tokenVault);
  if (config.tokenVault.source === 'sandbox-dev') {
    logger.warn(
      'token vault uses the public sandbox development key: never use this data directory with real tenants',
    );
  }
  // One validator for every SSO route, so the signing-key cache is shared.
  const sso = createSsoValidator({ ...ssoValidatorOptionsFromConfig(config), logger });
  const clientSecret = config.entra.clientSecret;
  // One Entra token client for every grant the service makes (OBO, refresh, code, app-only).
  const entraTokens =
    clientSecret === undefined
      ? undefined
      : createEntraTokenClient({
          authorityHost: config.entra.authorityHost,
          tenantId: config.entra.tenantId,
          clientId: config.entra.clientId,
          clientSecret,
        });
  const graphTokens =
    entraTokens === undefined
      ? undefined
      : createGraphTokenService({
          client: entraTokens,
          store,
          vault,
          logger,
          // Background refresh must not wait on Teams; the notifier never rejects and logs every outcome.
          onNeedsSignIn: (user, reason) => {
            void notifier.notifyNeedsSignIn(user, reason);
          },
        });
  if (graphTokens === undefined) logger.warn('server-side sign-in is off: set AAD_APP_CLIENT_SECRET');
  // One policy for every Graph client, so retries and budgets are shared per process.
  const graphPolicy = new HttpPolicy(upstreamPolicy);
  // Graph clients acting as a user: the stored session, or for tab requests an OBO exchange.
  const graphSessions =
    graphTokens === undefined
      ? undefined
      : createGraphSessions({ graphTokens, baseUrl: config.graph.baseUrl, policy: graphPolicy, logger });
  const graphFor =
    graphSessions === undefined
      ? undefined
      : async (userId: string): Promise<Result<GraphClient, string>> => {
          const graph = await graphSessions.forUser(userId);
          return graph.ok ? ok(graph.value) : err(graph.error.code);
        };
  const peopleSearch = graphFor === undefined ? undefined : createPeopleSearch({ logger, graphFor });
  const webexLinking = createWebexLinking({
    config,
    store,
    validator: sso,
    vault,
    logger,
    policy: upstreamPolicy,
  });
  if (!webexLinking.ok) logger.warn({ reason: webexLinking.error }, 'Webex account linking is off');
  const defaultCountry = asCountryCode(config.calling.defaultCountry);
  // Calling over the user's linked Webex account, shared by the Call tab, the bot and the messaging extension.
  const callService = webexLinking.ok
    ? createCallService({
        tokens: webexLinking.value.tokens,
        webexBaseUrl: config.webex.baseUrl,
        policy: new HttpPolicy(upstreamPolicy),
        defaultCountry,
        logger,
        placedCalls: store.placedCalls,
      })
    : undefined;
  const tabDeepLink = callTabDeepLink(config.teams.appId);
  const bot = createBotRoute(config, logger, {
    store,
    ...(tabDeepLink === undefined ? {} : { tabDeepLink }),
    // "Call with Webex" on person cards dials through the same call service as the Call tab.
    ...(callService === undefined
      ? {}
      : { callActions: { calls: callService, store, callTabUrl: callTabUrl(config), logger } }),
    ...(webexLinking.ok
      ? {
          commands: {
            store,
            webex: webexCommandDeps(store, webexLinking.value.tokens, logger),
            ...(peopleSearch === undefined ? {} : { people: peopleSearch }),
            // Presence sync is built after the bot (it needs the bot's notifier); commands run later.
            onSyncChanged: (userId: string, enabled: boolean) =>
              presenceSync === undefined
                ? Promise.resolve()
                : enabled
                  ? presenceSync.hooks.onEnabled(userId)
                  : presenceSync.hooks.onDisabled(userId),
          },
        }
      : {}),
    ...(graphTokens === undefined
      ? {}
      : {
          messagingExtension: {
            validator: sso,
            store,
            graphTokens,
            // Fallback when Teams cannot get an SSO token silently: the Call tab signs the user in.
            signInUrl: `${config.http.publicBaseUrl}/tab/index.html`,
            logger,
            ...(peopleSearch === undefined
              ? {}
              : {
                  people: {
                    search: peopleSearch,
                    // Well inside Teams' 5 s, leaving room for the token check and the reply.
                    deadlineMs: 2_500,
                  },
                }),
          },
        }),
  });
  // Proactive notices in the user's chat with the bot (e.g. "sign in again", once per user per 24 h).
  const notifier = createUserNotifier({ adapter: bot.adapter, botAppId: config.bot.appId, store, logger });
  // Presence sync needs background Graph sign-in (subscription owners), app-only Graph tokens
  // (presence writes) and Webex linking (call webhooks, DND).
  const presenceSync =
    graphTokens === undefined || entraTokens === undefined || graphFor === undefined || !webexLinking.ok
      ? undefined
      : createPresenceSync({
          config,
          store,
          logger,
          vault,
          validator: sso,
          graphTokens,
          entraTokens,
          webexTokens: webexLinking.value.tokens,
          graphPolicy,
          webexPolicy: new HttpPolicy(upstreamPolicy),
          notifier,
          graphFor,
          registry: metrics.registry,
        });
  if (presenceSync === undefined)
    logger.warn('presence sync is off: it needs server-side sign-in and Webex linking');
  const userConsent =
    graphTokens === undefined || entraTokens === undefined
      ? undefined
      : createUserConsent({ config, tokens: entraTokens, store, validator: sso, graphTokens, logger });
  const adminConsent =
    entraTokens === undefined
      ? undefined
      : createAdminConsent({ config, tokens: entraTokens, store, validator: sso, logger });

  const service = createService({
    config,
    logger,
    metrics,
    readiness: [{ name: 'store', check: () => store.ping() }],
    routes: [
      ...bot.routes,
      ...(graphTokens === undefined ? [] : [postAuthToken({ validator: sso, store, graphTokens, logger })]),
      ...(userConsent === undefined ? [] : userConsent.routes),
      ...(webexLinking.ok ? webexLinking.value.routes : []),
      ...(adminConsent === undefined ? [] : adminConsent.routes),
      ...(presenceSync === undefined ? [] : presenceSync.routes),
      ...(graphSessions === undefined
        ? []
        : callTabRoutes({
            validator: sso,
            store,
            sessions: graphSessions,
            speedDials: createSpeedDialService({ leases: store.leases, logger }),
            logger,
            defaultCountry,
            ...(peopleSearch === undefined ? {} : { people: peopleSearch }),
            ...(callService === undefined ? {} : { calls: callService }),
            ...(webexLinking.ok ? { webex: webexLinking.value.tokens } : {}),
          })),
      ...tabStaticRoutes({
        distDir: resolve(config.tab.distDir),
        frameAncestors: config.tab.extraFrameAncestors,
      }),
    ],
    daemons: [...(webexLinking.ok ? [webexLinking.value.daemon] : []), ...(presenceSync?.daemons ?? [])],
    guard: store.guard,
    closeables: [
      {
        name: 'presence-sync',
        close: () => {
          presenceSync?.close();
          return Promise.resolve();
        },
      },
      { name: 'store', close: () => store.close() },
    ],
  });
  return ok({ service, logger, store });
}
