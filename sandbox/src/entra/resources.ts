import { stableGuid } from '../seed/org.js';

/**
 * Resource applications tokens can be issued for: Microsoft Graph and the Bot Framework
 * (first-party, fixed here), plus every registered app that exposes an API.
 */

export interface DelegatedScope {
  readonly value: string;
  /** Admin-restricted permissions can't be consented by a regular user. */
  readonly adminConsentRequired: boolean;
  /** What the consent page says the app will be able to do. */
  readonly description: string;
}

export interface ResourceApp {
  /** The resource's application (client) id; what a GUID-form scope or `aud` names. */
  readonly appId: string;
  readonly displayName: string;
  /** The service principal's object id in this tenant (what Graph's grant objects reference). */
  readonly servicePrincipalId: string;
  /** Identifier URIs a scope may name the resource by; the first is canonical. */
  readonly identifierUris: readonly string[];
  /**
   * The token format the resource accepts (its `accessTokenAcceptedVersion`): the format is
   * chosen by the resource, not by the endpoint the client called.
   */
  readonly accessTokenVersion: 1 | 2;
  /** Whether user tokens for the resource carry `wids` (its manifest's `groupMembershipClaims`). */
  readonly directoryRoleClaims?: boolean;
  readonly scopes: readonly DelegatedScope[];
  /** Application permissions (app roles) an admin can grant to a client. */
  readonly appRoles: readonly string[];
}

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_RESOURCE_URI = 'https://graph.microsoft.com';
export const BOT_FRAMEWORK_RESOURCE_URI = 'https://api.botframework.com';
/** The Teams desktop/mobile client, which requests the tab and ME SSO tokens. */
export const TEAMS_CLIENT_ID = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';

/** The OpenID Connect scopes: granted with sign-in, never a resource of their own. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

const scope = (value: string, description: string, adminConsentRequired = false): DelegatedScope => ({
  value,
  description,
  adminConsentRequired,
});

/**
 * The Microsoft Graph permissions CallBridge and its admin tooling touch (names and admin
 * restriction as in the Graph permissions reference), not the full catalogue.
 */
export const MICROSOFT_GRAPH: ResourceApp = {
  appId: GRAPH_APP_ID,
  displayName: 'Microsoft Graph',
  servicePrincipalId: stableGuid('service-principal:microsoft-graph'),
  identifierUris: [GRAPH_RESOURCE_URI],
  accessTokenVersion: 1,
  scopes: [
    scope('openid', 'Sign you in'),
    scope('profile', 'View your basic profile'),
    scope('email', 'View your email address'),
    scope('offline_access', 'Maintain access to data you have given it access to'),
    scope('User.Read', 'Sign you in and read your profile'),
    scope('User.ReadWrite', 'Read and update your profile'),
    scope('User.ReadBasic.All', "Read all users' basic profiles"),
    scope('User.Read.All', "Read all users' full profiles", true),
    scope('Contacts.Read', 'Read your contacts'),
    scope('Presence.Read', 'Read your presence information'),
    scope('Presence.Read.All', 'Read presence information of all users in your organization'),
    scope('Presence.ReadWrite', 'Read and write your presence information'),
    scope('Chat.ReadBasic', 'Read the names and members of your chats'),
    scope('Chat.Read', 'Read your chat messages'),
    scope('ChatMember.Read', 'Read the members of your chats'),
    scope('ChannelMember.Read.All', 'Read the members of channels', true),
    scope('Team.ReadBasic.All', 'Read the names and descriptions of your teams'),
    scope('TeamMember.Read.All', 'Read the members of teams', true),
    scope('TeamsAppInstallation.ReadWriteSelfForUser', 'Manage this Teams app in your personal scope'),
    scope('AppCatalog.Submit', "Submit apps to your organization's app catalog"),
    scope('AppCatalog.ReadWrite.All', "Read and write your organization's app catalog", true),
    scope('Directory.Read.All', 'Read directory data', true),
  ],
  appRoles: [
    'User.Read.All',
    'User.ReadWrite.All',
    'Contacts.Read',
    'Presence.Read.All',
    'Presence.ReadWrite.All',
    'Chat.Read.All',
    'ChatMember.Read.All',
    'ChannelMember.Read.All',
    'TeamMember.Read.All',
    'CallRecords.Read.All',
    'TeamsAppInstallation.ReadWriteSelfForUser.All',
    'TeamsAppInstallation.ReadWriteForUser.All',
    'Directory.Read.All',
  ],
};

/**
 * The Bot Connector service, which bots call with app-only tokens for
 * `https://api.botframework.com/.default`. Its app id here is a sandbox stand-in value: only
 * the identifier URI (the token audience) matters to the Bot Framework protocol.
 */
export const BOT_FRAMEWORK: ResourceApp = {
  appId: stableGuid('resource-app:bot-framework'),
  displayName: 'Bot Framework',
  servicePrincipalId: stableGuid('service-principal:bot-framework'),
  identifierUris: [BOT_FRAMEWORK_RESOURCE_URI],
  accessTokenVersion: 1,
  scopes: [],
  appRoles: [],
};

/** Case-insensitive lookup of a delegated scope, returning the resource's own spelling. */
export function findScope(resource: ResourceApp, name: string): DelegatedScope | undefined {
  const lower = name.toLowerCase();
  return resource.scopes.find((s) => s.value.toLowerCase() === lower);
}

/** Case-insensitive lookup of an app role, returning the resource's own spelling. */
export function findAppRole(resource: ResourceApp, name: string): string | undefined {
  const lower = name.toLowerCase();
  return resource.appRoles.find((role) => role.toLowerCase() === lower);
}

export function isOidcScope(name: string): boolean {
  return (OIDC_SCOPES as readonly string[]).includes(name.toLowerCase());
}
