import type { Directory } from './directory.js';
import { Aadsts, refuse, succeed, type Outcome } from './errors.js';
import { GRAPH_APP_ID, MICROSOFT_GRAPH, findScope, isOidcScope, type ResourceApp } from './resources.js';

/**
 * The v2 `scope` parameter: space-separated OIDC scopes and resource permissions, each
 * permission named `<resource identifier>/<scope>` or, for Microsoft Graph only, bare
 * (`User.Read`). `<resource>/.default` stands for everything statically configured/consented.
 */

/** The permissions asked of one resource. */
export interface ResourceScopes {
  readonly resource: ResourceApp;
  /** The identifier the request used (URI or app id); v1 tokens carry it as `aud`. */
  readonly identifier: string;
  /** True when named bare (Graph only); responses then echo bare names too. */
  readonly bare: boolean;
  readonly isDefault: boolean;
  /** Scope values in the resource's own spelling; empty for `/.default`. */
  readonly names: readonly string[];
}

export interface ScopeRequest {
  /** Requested OIDC scopes, lower-case (`openid`, `profile`, `email`, `offline_access`). */
  readonly oidc: ReadonlySet<string>;
  readonly resources: readonly ResourceScopes[];
}

const DEFAULT = '.default';

/** Parses a scope parameter that may span several resources (authorize, admin consent). */
export function parseScopes(raw: string | undefined, directory: Directory): Outcome<ScopeRequest> {
  const items = (raw ?? '').split(/\s+/).filter((item) => item !== '');
  if (items.length === 0) return refuse(Aadsts.missingParameter('scope'));
  const oidc = new Set<string>();
  const byResource = new Map<
    string,
    { resource: ResourceApp; identifier: string; bare: boolean; names: string[]; isDefault: boolean }
  >();
  for (const item of items) {
    if (isOidcScope(item)) {
      oidc.add(item.toLowerCase());
      continue;
    }
    const slash = item.lastIndexOf('/');
    const identifier = slash < 0 ? GRAPH_APP_ID : item.slice(0, slash);
    const name = slash < 0 ? item : item.slice(slash + 1);
    const resource = slash < 0 ? MICROSOFT_GRAPH : directory.resource(identifier);
    if (resource === undefined || name === '') return refuse(Aadsts.invalidScope(item));
    const entry = byResource.get(resource.appId) ?? {
      resource,
      identifier: slash < 0 ? resource.appId : identifier,
      bare: slash < 0,
      names: [],
      isDefault: false,
    };
    byResource.set(resource.appId, entry);
    if (name === DEFAULT) {
      entry.isDefault = true;
    } else {
      const found = findScope(resource, name);
      if (found === undefined) return refuse(Aadsts.invalidScope(item));
      if (!entry.names.includes(found.value)) entry.names.push(found.value);
    }
    if (entry.isDefault && entry.names.length > 0) {
      return refuse(
        Aadsts.invalidScope(
          item,
          'The /.default scope can not be combined with other scopes of the same resource.',
        ),
      );
    }
  }
  return succeed({ oidc, resources: [...byResource.values()] });
}

/** Parses a token request's scope: OIDC scopes plus at most one resource. */
export function parseTokenScopes(
  raw: string | undefined,
  directory: Directory,
): Outcome<{ readonly oidc: ReadonlySet<string>; readonly resource: ResourceScopes | undefined }> {
  const parsed = parseScopes(raw, directory);
  if (!parsed.ok) return parsed;
  if (parsed.value.resources.length > 1) return refuse(Aadsts.multipleResources(raw ?? ''));
  return succeed({ oidc: parsed.value.oidc, resource: parsed.value.resources[0] });
}

/** How a granted scope is written back: bare for bare Graph requests, else prefixed as asked. */
export function formatScope(request: ResourceScopes, name: string): string {
  return request.bare ? name : `${request.identifier.replace(/\/+$/, '')}/${name}`;
}
