import { odataString } from '../../integrations/graph/odata.js';

/**
 * The `resource` of a bulk presence subscription and the user a presence notification names.
 * Graph documents `/communications/presences?$filter=id in ('{id}','{id}',…)` with at most 650
 * Entra object ids.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isObjectId(value: string): boolean {
  return GUID.test(value);
}

export function presenceResource(aadObjectIds: readonly string[]): string {
  if (aadObjectIds.length === 0) throw new RangeError('a presence subscription needs at least one user');
  for (const id of aadObjectIds) {
    // Ids come from validated tokens; checking keeps the filter well-formed whatever happens upstream.
    if (!isObjectId(id)) throw new TypeError('presence subscriptions take Entra object ids (GUIDs)');
  }
  return `/communications/presences?$filter=id in (${aadObjectIds.map(odataString).join(',')})`;
}

/**
 * The Entra object id a presence change notification is about: `resourceData.id` when present,
 * else the id in `resource` (`communications/presences/{id}` or the bulk form Graph repeats with
 * just that one id, URL-encoded).
 */
export function notifiedObjectId(resource: string, resourceDataId: string | undefined): string | undefined {
  if (resourceDataId !== undefined) return isObjectId(resourceDataId) ? resourceDataId : undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(resource.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
  const match =
    /^\/?communications\/presences\/([0-9a-f-]{36})$/i.exec(decoded) ??
    /^\/?communications\/presences\?\$filter=id in \('([0-9a-f-]{36})'\)$/i.exec(decoded);
  const id = match?.[1];
  return id !== undefined && isObjectId(id) ? id : undefined;
}
