import type { PermissionRule } from './auth.js';
import { requirePermission } from './auth.js';
import type { Directory } from './directory.js';
import { badRequest, GraphError, notFound } from './errors.js';
import { empty, odata, type GraphRequest, type GraphRoute } from './route.js';

/**
 * Open extensions on users (`/me/extensions`, `/users/{id}/extensions`), with the documented
 * directory limits: at most 2 KB per extension including its definition, values that are
 * primitives or arrays of primitives, and at most two extensions per application per user.
 * PATCH replaces the whole custom-property set: properties left out are deleted.
 */

type Primitive = string | number | boolean;
type ExtensionValue = Primitive | readonly Primitive[];

interface StoredExtension {
  readonly name: string;
  /** The application that created it, which the two-per-app limit counts by. */
  readonly appId: string;
  properties: Readonly<Record<string, ExtensionValue>>;
}

const MAX_BYTES = 2048;
const MAX_PER_APP = 2;
const OPEN_TYPE = 'microsoft.graph.openTypeExtension';
/** Keys of the request body that define the extension rather than carry custom data. */
const DEFINITION_KEYS = new Set(['@odata.type', 'extensionName', 'id']);

export class ExtensionStore {
  private readonly byUser = new Map<string, Map<string, StoredExtension>>();

  list(userId: string): StoredExtension[] {
    return [...(this.byUser.get(userId)?.values() ?? [])];
  }

  get(userId: string, name: string): StoredExtension | undefined {
    return this.byUser.get(userId)?.get(name.toLowerCase());
  }

  countForApp(userId: string, appId: string): number {
    return this.list(userId).filter((e) => e.appId === appId).length;
  }

  put(userId: string, extension: StoredExtension): void {
    const forUser = this.byUser.get(userId) ?? new Map<string, StoredExtension>();
    forUser.set(extension.name.toLowerCase(), extension);
    this.byUser.set(userId, forUser);
  }

  delete(userId: string, name: string): boolean {
    return this.byUser.get(userId)?.delete(name.toLowerCase()) ?? false;
  }
}

/** The Graph representation of an open extension. */
export function extensionJson(extension: StoredExtension): Record<string, unknown> {
  return {
    '@odata.type': `#${OPEN_TYPE}`,
    extensionName: extension.name,
    id: extension.name,
    ...extension.properties,
  };
}

const READ_OWN: PermissionRule = {
  delegated: [
    'User.Read',
    'User.ReadWrite',
    'User.Read.All',
    'User.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  application: [],
};
const READ_ANY: PermissionRule = {
  delegated: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  application: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
};
const WRITE_OWN: PermissionRule = {
  delegated: ['User.ReadWrite', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  application: [],
};
const WRITE_ANY: PermissionRule = {
  delegated: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  application: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
};

export interface ExtensionDeps {
  readonly directory: Directory;
  readonly extensions: ExtensionStore;
}

export function extensionRoutes(deps: ExtensionDeps): GraphRoute[] {
  const { directory, extensions } = deps;

  const subject = (r: GraphRequest, own: PermissionRule, any: PermissionRule): string => {
    const user = directory.target(r.caller, r.params, 'directory');
    requirePermission(r.caller, r.caller.userId === user.id ? own : any, 'directory');
    return user.id;
  };
  const existing = (userId: string, name: string): StoredExtension => {
    const found = extensions.get(userId, name);
    if (found === undefined) throw notFound('directory', name);
    return found;
  };

  const list = (r: GraphRequest): ReturnType<typeof odata> => {
    const userId = subject(r, READ_OWN, READ_ANY);
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#users('${userId}')/extensions`,
      value: extensions.list(userId).map(extensionJson),
    });
  };
  const create = (r: GraphRequest): ReturnType<typeof odata> => {
    const userId = subject(r, WRITE_OWN, WRITE_ANY);
    const body = r.jsonBody();
    const type = body['@odata.type'];
    if (type !== OPEN_TYPE && type !== `#${OPEN_TYPE}`) {
      throw badRequest(`The @odata.type of an open extension must be '${OPEN_TYPE}'.`);
    }
    const name = body.extensionName;
    if (typeof name !== 'string' || name.trim() === '')
      throw badRequest('The extensionName property is required.');
    if (extensions.get(userId, name) !== undefined) {
      // Undocumented: the stand-in answers a second POST of the same name with the directory's conflict.
      throw new GraphError(
        409,
        'Request_MultipleObjectsWithSameKeyValue',
        'Another object with the same value for property extensionName already exists.',
      );
    }
    if (extensions.countForApp(userId, r.caller.appId) >= MAX_PER_APP) {
      // Undocumented error for the documented two-per-app limit; the wording is the sandbox's.
      throw new GraphError(
        400,
        'Request_BadRequest',
        `An application can add at most ${MAX_PER_APP} open extensions to a user.`,
      );
    }
    const extension = { name, appId: r.caller.appId, properties: customProperties(body, name) };
    extensions.put(userId, extension);
    return odata(201, {
      '@odata.context': `${r.serviceRoot}/$metadata#users('${userId}')/extensions/$entity`,
      ...extensionJson(extension),
    });
  };
  const read = (r: GraphRequest): ReturnType<typeof odata> => {
    const userId = subject(r, READ_OWN, READ_ANY);
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#users('${userId}')/extensions/$entity`,
      ...extensionJson(existing(userId, r.params.name ?? '')),
    });
  };
  const update = (r: GraphRequest): ReturnType<typeof empty> => {
    const userId = subject(r, WRITE_OWN, WRITE_ANY);
    const extension = existing(userId, r.params.name ?? '');
    const body = r.jsonBody();
    const type = body['@odata.type'];
    if (type !== undefined && type !== OPEN_TYPE && type !== `#${OPEN_TYPE}`) {
      throw badRequest(`The @odata.type of an open extension must be '${OPEN_TYPE}'.`);
    }
    // Documented: every property must be sent again; those left out are deleted.
    extension.properties = customProperties(body, extension.name);
    // The docs say 200, the directory tutorial shows 204 (what the directory returns); the stand-in answers 204.
    return empty(204);
  };
  const remove = (r: GraphRequest): ReturnType<typeof empty> => {
    const userId = subject(r, WRITE_OWN, WRITE_ANY);
    existing(userId, r.params.name ?? '');
    extensions.delete(userId, r.params.name ?? '');
    return empty(204);
  };

  const routes: GraphRoute[] = [];
  for (const base of ['/me/extensions', '/users/:userId/extensions']) {
    routes.push(
      { method: 'GET', template: base, family: 'extensions', handler: list },
      { method: 'POST', template: base, family: 'extensions', handler: create },
      { method: 'GET', template: `${base}/:name`, family: 'extensions', handler: read },
      { method: 'PATCH', template: `${base}/:name`, family: 'extensions', handler: update },
      { method: 'DELETE', template: `${base}/:name`, family: 'extensions', handler: remove },
    );
  }
  return routes;
}

/**
 * The custom data of a create/update body, validated against the documented limits. `null`
 * values clear a property, so they are dropped.
 */
function customProperties(
  body: Readonly<Record<string, unknown>>,
  name: string,
): Record<string, ExtensionValue> {
  const properties: Record<string, ExtensionValue> = {};
  for (const [key, value] of Object.entries(body)) {
    if (DEFINITION_KEYS.has(key) || value === null) continue;
    if (!isExtensionValue(value)) {
      // Undocumented error for the documented rule; the wording is the sandbox's.
      throw new GraphError(
        400,
        'Request_BadRequest',
        `Open extension property '${key}' must be a primitive value or a collection of primitive values.`,
      );
    }
    properties[key] = value;
  }
  const size = Buffer.byteLength(
    JSON.stringify({ '@odata.type': `#${OPEN_TYPE}`, extensionName: name, ...properties }),
  );
  if (size > MAX_BYTES) {
    throw new GraphError(
      400,
      'Request_BadRequest',
      `The open extension is ${size} bytes; an open extension on a directory object can hold at most ${MAX_BYTES} bytes including its definition.`,
    );
  }
  return properties;
}

function isPrimitive(value: unknown): value is Primitive {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isExtensionValue(value: unknown): value is ExtensionValue {
  return isPrimitive(value) || (Array.isArray(value) && value.every(isPrimitive));
}
