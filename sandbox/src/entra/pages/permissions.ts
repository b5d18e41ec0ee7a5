import { findScope, type ResourceApp } from '../resources.js';
import { escapeHtml } from './html.js';

/** One line of a consent page's permission list. */
export interface PermissionLine {
  readonly description: string;
  /** The permission as the protocol names it, shown for developers. */
  readonly value: string;
  readonly adminOnly: boolean;
}

const OIDC_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Sign you in',
  profile: 'View your basic profile',
  email: 'View your email address',
  offline_access: 'Maintain access to data you have given it access to',
};

export function oidcLine(scope: string): PermissionLine {
  return { description: OIDC_DESCRIPTIONS[scope] ?? scope, value: scope, adminOnly: false };
}

export function delegatedLine(resource: ResourceApp, name: string): PermissionLine {
  const scope = findScope(resource, name);
  return {
    description: scope?.description ?? name,
    value: `${resource.displayName}: ${name}`,
    adminOnly: scope?.adminConsentRequired ?? false,
  };
}

export function applicationLine(resource: ResourceApp, role: string): PermissionLine {
  return {
    description: `${role} without a signed-in user`,
    value: `${resource.displayName}: ${role}`,
    adminOnly: true,
  };
}

export function permissionList(lines: readonly PermissionLine[], emptyText: string): string {
  if (lines.length === 0) return `<p>${escapeHtml(emptyText)}</p>`;
  const items = lines.map(
    (line) =>
      `<li>${escapeHtml(line.description)} <code>${escapeHtml(line.value)}</code>${
        line.adminOnly ? '<span class="tag">Admin consent required</span>' : ''
      }</li>`,
  );
  return `<ul class="permissions">\n${items.join('\n')}\n</ul>`;
}
