/**
 * OData text built from user-supplied values. Every user value that reaches a Graph URL goes
 * through one of these functions, in two layers:
 *
 * 1. OData syntax: a string literal is single-quoted with `'` doubled (`O'Brien` → `'O''Brien'`);
 *    a `$search` phrase is double-quoted with `\` and `"` backslash-escaped. A value can then
 *    never end its literal early and add clauses of its own.
 * 2. URL syntax: `queryString` and `pathSegment` percent-encode the result, so `&`, `#`, `+`,
 *    `%` or `/` in a value cannot start another parameter, a fragment or a path segment.
 *
 * Property names are ours (constants in the client), never user input; they are still checked
 * so a mistake fails loudly instead of producing a malformed query.
 */

const PROPERTY = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

function property(name: string): string {
  if (!PROPERTY.test(name)) throw new Error(`not an OData property name: ${JSON.stringify(name)}`);
  return name;
}

/** An OData string literal: `'` + value with every `'` doubled + `'`. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `startswith(property,'value')` with the value escaped as a literal. */
export function startsWith(name: string, value: string): string {
  return `startswith(${property(name)},${odataString(value)})`;
}

/** `property eq 'value'` with the value escaped as a literal. */
export function equals(name: string, value: string): string {
  return `${property(name)} eq ${odataString(value)}`;
}

/** Joins clauses with `or`, each in parentheses so precedence never depends on the clause text. */
export function anyOf(clauses: readonly string[]): string {
  return clauses.map((c) => `(${c})`).join(' or ');
}

/** The inside of a `$search` phrase: `\` → `\\`, `"` → `\"`. */
export function escapeSearchPhrase(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** A directory `$search` term: `"property:value"` with the value escaped. */
export function searchTerm(name: string, value: string): string {
  return `"${property(name)}:${escapeSearchPhrase(value)}"`;
}

/** `$select` from our own property names. */
export function selectList(names: readonly string[]): string {
  return names.map(property).join(',');
}

/** One path segment (an id or a name): percent-encoded, and never `.` or `..`. */
export function pathSegment(value: string): string {
  if (value === '') throw new Error('empty path segment');
  const encoded = encodeURIComponent(value);
  return encoded === '.' || encoded === '..' ? encoded.replace(/\./g, '%2E') : encoded;
}

/**
 * A query string (`?a=b&c=d`, or '' when empty) with every value percent-encoded. Keys are ours
 * (`$filter`, `$top`); `$` stays literal in them as Graph prints it.
 */
export function queryString(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (!/^\$?[A-Za-z][A-Za-z0-9]*$/.test(key))
      throw new Error(`not a query option name: ${JSON.stringify(key)}`);
    parts.push(`${key}=${encodeURIComponent(String(value))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
