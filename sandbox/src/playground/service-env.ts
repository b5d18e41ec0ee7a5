/**
 * The configuration the CallBridge service runs with behind the Microsoft 365 Agents Playground
 * (`npm run sandbox:playground` and the Playground tests), on top of the caller's environment.
 *
 * Sandbox mode with DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT=true, bound to 127.0.0.1 (see
 * README.md). The Entra client secret and the Webex integration are set, with placeholders when
 * the environment has none, so the whole bot is composed: the messaging extension answers a
 * search without an SSO token with `silentAuth` (the Playground has no Teams SSO, so no token
 * ever reaches Entra with the placeholder), and "Call with Webex" answers a card. A real secret
 * in the environment is kept.
 */
export const PLAYGROUND_PLACEHOLDER_SECRET = 'playground-sandbox-placeholder-not-a-secret';
export const PLAYGROUND_PLACEHOLDER_WEBEX_CLIENT_ID = 'playground-sandbox-webex-integration';

export function playgroundServiceEnv(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string | undefined> {
  const orPlaceholder = (key: string, placeholder: string): string => {
    const value = env[key];
    return value === undefined || value.trim() === '' ? placeholder : value;
  };
  return {
    ...env,
    CALLBRIDGE_MODE: 'sandbox',
    DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT: 'true',
    HOST: '127.0.0.1',
    AAD_APP_CLIENT_SECRET: orPlaceholder('AAD_APP_CLIENT_SECRET', PLAYGROUND_PLACEHOLDER_SECRET),
    WEBEX_CLIENT_ID: orPlaceholder('WEBEX_CLIENT_ID', PLAYGROUND_PLACEHOLDER_WEBEX_CLIENT_ID),
    WEBEX_CLIENT_SECRET: orPlaceholder('WEBEX_CLIENT_SECRET', PLAYGROUND_PLACEHOLDER_SECRET),
    ...overrides,
  };
}
