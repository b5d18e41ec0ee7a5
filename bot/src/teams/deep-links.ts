import type { Config } from '../config/env.js';

/** The Call tab's `entityId` in appPackage/manifest.json. */
export const CALL_TAB_ENTITY_ID = 'call';

/**
 * The Teams deep link that opens CallBridge's Call tab
 * (`https://teams.microsoft.com/l/entity/<Teams app id>/call`), or `undefined` without a Teams
 * app id (sandbox, or before provisioning).
 */
export function callTabDeepLink(teamsAppId: string | undefined): string | undefined {
  if (teamsAppId === undefined) return undefined;
  return `https://teams.microsoft.com/l/entity/${encodeURIComponent(teamsAppId)}/${CALL_TAB_ENTITY_ID}`;
}

/**
 * Where a card button sends someone to sign in, link Webex or dial by hand: the Teams deep link
 * when the app id is configured, else the tab's own web page (which also works in a browser).
 */
export function callTabUrl(config: {
  readonly teams: Pick<Config['teams'], 'appId'>;
  readonly http: Pick<Config['http'], 'publicBaseUrl'>;
}): string {
  return callTabDeepLink(config.teams.appId) ?? `${config.http.publicBaseUrl}/tab/index.html`;
}
