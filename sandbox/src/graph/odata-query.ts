import { badRequest, GraphError } from './errors.js';

/**
 * The OData system query options other than `$filter`: `$select`, `$top`, `$search`, `$expand`,
 * `$count`, and the helpers that build `@odata.context` / `@odata.nextLink` values.
 */

/** Parses `$select`; unknown properties get the OData layer's 400, as on Graph. */
export function parseSelect(
  text: string | null,
  entityType: string,
  known: ReadonlySet<string>,
): string[] | undefined {
  if (text === null) return undefined;
  const names = text.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!known.has(name)) {
      throw badRequest(
        `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${entityType}'.`,
      );
    }
  }
  return names;
}

/** Parses `$top` as a non-negative integer, the way the OData layer does before any service sees it. */
export function parseTop(text: string | null): number | undefined {
  if (text === null) return undefined;
  if (!/^\d+$/.test(text)) {
    throw badRequest(
      `Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`,
    );
  }
  return Number(text);
}

/** `$count=true` (OData also accepts `false`); anything else is malformed. */
export function parseCount(text: string | null): boolean {
  if (text === null || text === 'false') return false;
  if (text === 'true') return true;
  throw badRequest(
    `Invalid value '${text}' for $count query option found. Valid values are 'true' and 'false'.`,
  );
}

/** One `"property:value"` term of a directory `$search`. */
export interface SearchTerm {
  readonly property: string;
  readonly value: string;
}

/** A `$search` as OR of AND groups (AND binds tighter than OR). */
export type SearchClauses = readonly (readonly SearchTerm[])[];

/**
 * Parses a directory `$search`: quoted `"property:value"` terms joined by `AND`/`OR`, with `\"` and
 * `\\` escapes inside the quotes.
 */
export function parseSearch(text: string): SearchClauses {
  const groups: SearchTerm[][] = [[]];
  let i = 0;
  const fail = (): GraphError => badRequest(`Syntax error: invalid $search clause '${text}'.`);
  const skipSpace = (): void => {
    while (/\s/.test(text.charAt(i))) i += 1;
  };
  for (;;) {
    skipSpace();
    if (text.charAt(i) !== '"') throw fail();
    i += 1;
    let content = '';
    while (text.charAt(i) !== '"') {
      if (i >= text.length) throw fail();
      if (text.charAt(i) === '\\') i += 1;
      content += text.charAt(i);
      i += 1;
    }
    i += 1;
    const colon = content.indexOf(':');
    // The directory searches named properties only; a bare word is not a valid directory $search.
    if (colon <= 0) {
      throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
    }
    groups[groups.length - 1]?.push({
      property: content.slice(0, colon).trim(),
      value: content.slice(colon + 1),
    });
    skipSpace();
    if (i >= text.length) return groups;
    const word = /^(AND|OR)\b/.exec(text.slice(i))?.[1];
    if (word === undefined) throw fail();
    i += word.length;
    if (word === 'OR') groups.push([]);
  }
}

/**
 * Splits text into the tokens the directory's `$search` matches by prefix: words broken at spaces,
 * symbols and lower-to-upper case changes, lower-cased.
 */
export function searchTokens(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((t) => t.toLowerCase());
}

/** True when every token of `query` is a prefix of some token of `value` (tokenized prefix match). */
export function searchMatches(value: unknown, query: string): boolean {
  if (typeof value !== 'string') return false;
  const haystack = searchTokens(value);
  const needles = searchTokens(query);
  if (needles.length === 0) return false;
  return needles.every((n) => haystack.some((h) => h.startsWith(n)));
}

export interface OrderBy {
  readonly property: string;
  readonly descending: boolean;
}

/**
 * Parses `$orderby` (`displayName`, `displayName desc, surname`). Properties outside `sortable`
 * are refused with the message the caller supplies (services word it differently).
 */
export function parseOrderBy(
  text: string | null,
  sortable: ReadonlySet<string>,
  refuse: (property: string) => GraphError,
): OrderBy[] | undefined {
  if (text === null) return undefined;
  return text.split(',').map((clause) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_/]*)(?:\s+(asc|desc))?\s*$/i.exec(clause);
    if (m?.[1] === undefined) throw badRequest(`Syntax error: invalid $orderby clause '${clause.trim()}'.`);
    if (!sortable.has(m[1])) throw refuse(m[1]);
    return { property: m[1], descending: m[2]?.toLowerCase() === 'desc' };
  });
}

/** Sorts by `$orderby` (case-insensitive for strings, nulls first as in ascending OData order). */
export function sortBy<T>(
  list: readonly T[],
  order: readonly OrderBy[] | undefined,
  read: (item: T, property: string) => unknown,
): T[] {
  if (order === undefined) return [...list];
  const key = (v: unknown): string => {
    if (typeof v === 'string') return v.toLowerCase();
    return typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  };
  return [...list].sort((a, b) => {
    for (const { property, descending } of order) {
      const diff = key(read(a, property)).localeCompare(key(read(b, property)));
      if (diff !== 0) return descending ? -diff : diff;
    }
    return 0;
  });
}

/** Graph prints query options in links with a literal `$` and encoded values. */
export function queryString(params: readonly (readonly [string, string])[]): string {
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%24/g, '$')}`).join('&');
}

/** `$metadata#users(displayName,mail)` style context fragments. */
export function withSelect(fragment: string, select: readonly string[] | undefined): string {
  return select === undefined ? fragment : `${fragment}(${select.join(',')})`;
}

/** Projects an entity onto `$select`, keeping OData annotations (`@odata.type`, `@odata.etag`) and `id`. */
export function project(
  entity: Readonly<Record<string, unknown>>,
  select: readonly string[] | undefined,
  keep: readonly string[] = [],
): Record<string, unknown> {
  if (select === undefined) return { ...entity };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) {
    if (key.startsWith('@odata.') || keep.includes(key)) out[key] = value;
  }
  for (const name of select) out[name] = entity[name] ?? null;
  return out;
}
