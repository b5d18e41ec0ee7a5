import { isSupportedCountry } from 'libphonenumber-js/min';
import { z } from 'zod';
import { parseTokenKeyRing, type TokenKeyRing } from '../auth/key-ring.js';
import { err, ok, type Result } from '../shared/result.js';

/**
 * The one configuration schema. Names follow Teams Toolkit (`BOT_ID`, `AAD_APP_*`, `SECRET_*`
 * mapped to plain names by teamsapp.yml); every external base URL is configuration so the same
 * code runs against the real clouds or the local sandbox.
 */

const REAL_CLOUD = {
  authorityHost: 'https://login.microsoftonline.com',
  v1TokenIssuerHost: 'https://sts.windows.net',
  graphBaseUrl: 'https://graph.microsoft.com',
  webexBaseUrl: 'https://webexapis.com',
  botOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  botTokenIssuer: 'https://api.botframework.com',
  botOAuthScope: 'https://api.botframework.com',
} as const;

const url = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });
const guid = z.uuid({ error: 'must be a GUID' });
const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const csv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
const optionalGuid = optionalString.pipe(guid.optional());
const intInRange = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const rawSchema = z.object({
  CALLBRIDGE_MODE: z.enum(['sandbox', 'live']).optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intInRange(0, 65535, 3978),
  HOST: z.string().default('0.0.0.0'),
  BOT_ENDPOINT: url.optional(),
  /** The Teams app id (manifest `id`, Teams Toolkit's name): deep links to the Call tab from cards. */
  TEAMS_APP_ID: optionalGuid,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: intInRange(100, 120_000, 10_000),

  BOT_ID: optionalGuid,
  BOT_PASSWORD: optionalString,
  BOT_TENANT_ID: optionalGuid,
  BOT_TYPE: z.enum(['SingleTenant', 'UserAssignedMSI', 'MultiTenant']).default('SingleTenant'),
  BOT_FRAMEWORK_OPENID_METADATA_URL: url.default(REAL_CLOUD.botOpenIdMetadataUrl),
  BOT_FRAMEWORK_TOKEN_ISSUER: url.default(REAL_CLOUD.botTokenIssuer),
  BOT_FRAMEWORK_OAUTH_SCOPE: url.default(REAL_CLOUD.botOAuthScope),
  DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT: z.enum(['true', 'false']).default('false'),

  AAD_APP_CLIENT_ID: optionalGuid,
  AAD_APP_CLIENT_SECRET: optionalString,
  AAD_APP_TENANT_ID: optionalGuid,
  AAD_APP_OAUTH_AUTHORITY_HOST: url.default(REAL_CLOUD.authorityHost),
  /** Issuer host of v1 access tokens (`<host>/<tid>/`); only the sandbox changes it. */
  AAD_APP_V1_TOKEN_ISSUER_HOST: url.default(REAL_CLOUD.v1TokenIssuerHost),
  ALLOWED_TENANT_IDS: csv.pipe(z.array(z.uuid({ error: 'must be a comma-separated list of tenant GUIDs' }))),

  GRAPH_BASE_URL: url.default(REAL_CLOUD.graphBaseUrl),
  WEBEX_BASE_URL: url.default(REAL_CLOUD.webexBaseUrl),
  WEBEX_CLIENT_ID: optionalString,
  WEBEX_CLIENT_SECRET: optionalString,
  /** Country whose national numbers the dial pad accepts without `+` (ISO 3166 alpha-2). */
  CALL_DEFAULT_COUNTRY: z
    .string()
    .trim()
    .toUpperCase()
    .default('US')
    .refine(isSupportedCountry, { message: 'must be an ISO 3166 alpha-2 country code such as US, GB or DE' }),

  /**
   * Graph presence calls per tenant per 30 s this instance may make. Graph allows 1,500 per app per
   * tenant: with several instances, give each 1,400 / instances.
   */
  PRESENCE_TENANT_CALLS_PER_30S: intInRange(1, 1_500, 1_400),
  /**
   * How often the reconciliation sweep re-reads every enrolled user (Teams presence in batches of
   * 650, Webex calls and status one user at a time). Webex meetings and presenting reach Teams at
   * this pace until the Webex SDK status adapter is deployed; shorter costs more Webex calls.
   */
  PRESENCE_RECONCILE_SECONDS: intInRange(60, 86_400, 900),

  DATA_DIR: z.string().default('.data'),
  TAB_DIST_DIR: z.string().default('tab/dist'),
  SANDBOX_HOST_ORIGIN: url.optional(),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^postgres(ql)?:\/\//.test(v), {
      message: 'must be a postgres:// or postgresql:// connection string (leave unset for embedded SQLite)',
    })
    .transform((v) => (v === '' ? undefined : v)),
  // Checked (and turned into a key ring) by parseTokenKeyRing in bot/src/auth/key-ring.ts.
  TOKEN_ENCRYPTION_KEYS: optionalString,
  TOKEN_ENCRYPTION_ACTIVE_KEY_ID: optionalString,
});

type Raw = z.infer<typeof rawSchema>;

export type Mode = 'sandbox' | 'live';

export interface Config {
  readonly mode: Mode;
  readonly nodeEnv: Raw['NODE_ENV'];
  readonly http: { readonly host: string; readonly port: number; readonly publicBaseUrl: string };
  readonly logLevel: Raw['LOG_LEVEL'];
  readonly shutdownTimeoutMs: number;
  readonly bot: {
    readonly appId: string;
    readonly appPassword: string | undefined;
    readonly tenantId: string;
    readonly appType: Raw['BOT_TYPE'];
    readonly openIdMetadataUrl: string;
    readonly tokenIssuer: string;
    readonly oAuthScope: string;
    /** Sandbox-only escape hatch for clients that cannot sign activities (Agents Playground). */
    readonly dangerouslyAllowUnauthenticated: boolean;
  };
  readonly entra: {
    readonly clientId: string;
    readonly clientSecret: string | undefined;
    readonly tenantId: string;
    readonly authorityHost: string;
    readonly allowedTenantIds: readonly string[];
    /** `api://<host>/botid-<BOT_ID>`: what the manifest's webApplicationInfo.resource says. */
    readonly applicationIdUri: string;
    /** Issuer host of v1 access tokens (`<host>/<tid>/`): `https://sts.windows.net` in the real cloud. */
    readonly v1TokenIssuerHost: string;
  };
  readonly graph: { readonly baseUrl: string };
  readonly webex: {
    readonly baseUrl: string;
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
  };
  readonly calling: {
    /** ISO 3166 alpha-2; national numbers typed without `+` are read as this country's. */
    readonly defaultCountry: string;
  };
  readonly presenceSync: {
    /** This instance's share of Graph's per-tenant presence budget (calls per 30 s). */
    readonly tenantCallsPer30s: number;
    readonly reconcileIntervalMs: number;
  };
  readonly store: { readonly dataDir: string; readonly databaseUrl: string | undefined };
  /** Keys of the token vault (bot/src/auth/token-vault.ts). Never log it: use summarizeConfig. */
  readonly tokenVault: TokenKeyRing;
  readonly teams: {
    /**
     * The Teams app id, for `https://teams.microsoft.com/l/entity/<id>/call` deep links to the Call
     * tab. Unset (sandbox, or before provisioning): links open the tab's web page instead.
     */
    readonly appId: string | undefined;
  };
  readonly tab: {
    readonly distDir: string;
    /** Origins besides Teams and Microsoft 365 allowed to frame the tab: the sandbox dev host only. */
    readonly extraFrameAncestors: readonly string[];
  };
}

/** A start-up error that names every bad variable and how to fix it. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSet these in env/.env.<environment> (secrets in env/.env.<environment>.user as SECRET_*), ' +
        'or unset AAD_APP_TENANT_ID to run against the local sandbox.',
    );
    this.name = 'ConfigError';
  }
}

const SANDBOX_DEFAULTS = {
  botId: '00000000-0000-4000-8000-00000000b075',
  clientId: '00000000-0000-4000-8000-00000000a11d',
  tenantId: '00000000-0000-4000-8000-0000000000d0',
} as const;

function stripSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

/** Parses configuration from an injected env object; never reads process.env itself. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Result<Config, ConfigError> {
  // Teams Toolkit writes placeholders as empty values; empty means unset everywhere.
  const parsed = rawSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== '')),
  );
  const keyRing = parseTokenKeyRing({
    keys: env.TOKEN_ENCRYPTION_KEYS,
    activeKeyId: env.TOKEN_ENCRYPTION_ACTIVE_KEY_ID,
    mode: modeOf(env),
  });
  // Cross-field rules are checked on the raw input too, so one error lists every problem.
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)),
    ...crossFieldProblems(env),
    ...(keyRing.ok ? [] : keyRing.error),
  ];
  if (!parsed.success || !keyRing.ok || problems.length > 0) return err(new ConfigError(problems));
  const raw = parsed.data;
  const mode = modeOf(env);

  const port = raw.PORT;
  const publicBaseUrl = stripSlash(raw.BOT_ENDPOINT ?? `http://localhost:${port}`);
  const botId = raw.BOT_ID ?? SANDBOX_DEFAULTS.botId;
  const tenantId = raw.AAD_APP_TENANT_ID ?? SANDBOX_DEFAULTS.tenantId;
  const host = new URL(publicBaseUrl).host.toLowerCase();

  return ok({
    mode,
    nodeEnv: raw.NODE_ENV,
    http: { host: raw.HOST, port, publicBaseUrl },
    logLevel: raw.LOG_LEVEL,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    bot: {
      appId: botId,
      appPassword: raw.BOT_PASSWORD,
      tenantId: raw.BOT_TENANT_ID ?? tenantId,
      appType: raw.BOT_TYPE,
      openIdMetadataUrl: raw.BOT_FRAMEWORK_OPENID_METADATA_URL,
      tokenIssuer: stripSlash(raw.BOT_FRAMEWORK_TOKEN_ISSUER),
      oAuthScope: stripSlash(raw.BOT_FRAMEWORK_OAUTH_SCOPE),
      dangerouslyAllowUnauthenticated: raw.DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT === 'true',
    },
    entra: {
      clientId: raw.AAD_APP_CLIENT_ID ?? SANDBOX_DEFAULTS.clientId,
      clientSecret: raw.AAD_APP_CLIENT_SECRET,
      tenantId,
      authorityHost: stripSlash(raw.AAD_APP_OAUTH_AUTHORITY_HOST),
      allowedTenantIds: raw.ALLOWED_TENANT_IDS.length > 0 ? raw.ALLOWED_TENANT_IDS : [tenantId],
      applicationIdUri: `api://${host}/botid-${botId}`,
      v1TokenIssuerHost: stripSlash(raw.AAD_APP_V1_TOKEN_ISSUER_HOST),
    },
    graph: { baseUrl: stripSlash(raw.GRAPH_BASE_URL) },
    webex: {
      baseUrl: stripSlash(raw.WEBEX_BASE_URL),
      clientId: raw.WEBEX_CLIENT_ID,
      clientSecret: raw.WEBEX_CLIENT_SECRET,
    },
    calling: { defaultCountry: raw.CALL_DEFAULT_COUNTRY },
    presenceSync: {
      tenantCallsPer30s: raw.PRESENCE_TENANT_CALLS_PER_30S,
      reconcileIntervalMs: raw.PRESENCE_RECONCILE_SECONDS * 1000,
    },
    store: { dataDir: raw.DATA_DIR, databaseUrl: raw.DATABASE_URL },
    tokenVault: keyRing.value,
    teams: { appId: raw.TEAMS_APP_ID },
    tab: {
      distDir: raw.TAB_DIST_DIR,
      extraFrameAncestors:
        raw.SANDBOX_HOST_ORIGIN === undefined ? [] : [new URL(raw.SANDBOX_HOST_ORIGIN).origin],
    },
  });
}

function present(env: Readonly<Record<string, string | undefined>>, key: string): boolean {
  const value = env[key];
  return value !== undefined && value.trim() !== '';
}

function modeOf(env: Readonly<Record<string, string | undefined>>): Mode {
  const explicit = env.CALLBRIDGE_MODE;
  if (explicit === 'sandbox' || explicit === 'live') return explicit;
  return present(env, 'AAD_APP_TENANT_ID') ? 'live' : 'sandbox';
}

function crossFieldProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  if (modeOf(env) !== 'live') return [];
  const problems: string[] = [];
  for (const key of ['BOT_ID', 'AAD_APP_CLIENT_ID', 'AAD_APP_TENANT_ID', 'BOT_ENDPOINT']) {
    if (!present(env, key)) problems.push(`${key}: required in live mode`);
  }
  if (!present(env, 'AAD_APP_CLIENT_SECRET')) {
    problems.push(
      'AAD_APP_CLIENT_SECRET: required in live mode (put SECRET_AAD_APP_CLIENT_SECRET in env/.env.<env>.user)',
    );
  }
  if (env.BOT_TYPE !== 'UserAssignedMSI' && !present(env, 'BOT_PASSWORD')) {
    problems.push(
      'BOT_PASSWORD: required unless BOT_TYPE=UserAssignedMSI (put SECRET_BOT_PASSWORD in env/.env.<env>.user)',
    );
  }
  if (env.DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT === 'true') {
    problems.push('DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT: may only be true in sandbox mode');
  }
  if (present(env, 'SANDBOX_HOST_ORIGIN')) {
    problems.push(
      'SANDBOX_HOST_ORIGIN: only the sandbox dev host may frame the tab besides Teams; unset it in live mode',
    );
  }
  return problems;
}

const SECRET = '[redacted]';

/** What is safe to log at start: endpoints and ids, never secrets or credentials in URLs. */
export function summarizeConfig(config: Config): Record<string, unknown> {
  return {
    mode: config.mode,
    http: config.http,
    bot: {
      appId: config.bot.appId,
      appType: config.bot.appType,
      tenantId: config.bot.tenantId,
      appPassword: config.bot.appPassword === undefined ? 'unset' : SECRET,
      openIdMetadataUrl: config.bot.openIdMetadataUrl,
      tokenIssuer: config.bot.tokenIssuer,
      dangerouslyAllowUnauthenticated: config.bot.dangerouslyAllowUnauthenticated,
    },
    entra: {
      clientId: config.entra.clientId,
      tenantId: config.entra.tenantId,
      authorityHost: config.entra.authorityHost,
      v1TokenIssuerHost: config.entra.v1TokenIssuerHost,
      allowedTenantIds: config.entra.allowedTenantIds,
      clientSecret: config.entra.clientSecret === undefined ? 'unset' : SECRET,
    },
    teams: { appId: config.teams.appId ?? 'unset' },
    graph: config.graph,
    webex: {
      baseUrl: config.webex.baseUrl,
      clientId: config.webex.clientId ?? 'unset',
      clientSecret: config.webex.clientSecret === undefined ? 'unset' : SECRET,
    },
    store: {
      kind: config.store.databaseUrl === undefined ? 'sqlite' : 'postgres',
      dataDir: config.store.dataDir,
      databaseUrl: config.store.databaseUrl === undefined ? 'unset' : redactUrl(config.store.databaseUrl),
    },
    calling: config.calling,
    presenceSync: config.presenceSync,
    tokenVault: {
      activeKeyId: config.tokenVault.activeKeyId,
      keyIds: [...config.tokenVault.keys.keys()],
      source: config.tokenVault.source,
    },
  };
}

function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password !== '') u.password = SECRET;
    return u.toString();
  } catch {
    return SECRET;
  }
}
