/**
 * Small readers for untrusted JSON: every answer from the API is checked field by field before
 * the UI sees it, so a server bug shows up as one `bad_response` rather than a blank screen.
 */

/** A parsed body in a box, so `void` results can be told from a body that did not parse. */
export type Parsed<T> = { readonly value: T } | undefined;
export type Parse<T> = (body: unknown) => Parsed<T>;

export function isRecord(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

export function field(body: unknown, name: string): unknown {
  return isRecord(body) ? body[name] : undefined;
}

export function stringField(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
}

export function numberField(body: unknown, name: string): number | undefined {
  const value = field(body, name);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function booleanField(body: unknown, name: string): boolean | undefined {
  const value = field(body, name);
  return typeof value === 'boolean' ? value : undefined;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

/** Every element parsed, or undefined when the value isn't an array or any element fails. */
export function arrayOf<T>(value: unknown, parse: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const item of value) {
    const parsed = parse(item);
    if (parsed === undefined) return undefined;
    out.push(parsed);
  }
  return out;
}

export function stringArray(value: unknown): string[] | undefined {
  return arrayOf(value, (item) => (typeof item === 'string' ? item : undefined));
}

/** `{ ...(value === undefined ? {} : { [name]: value }) }` for exactOptionalPropertyTypes. */
export function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

export function boxed<T>(value: T | undefined): Parsed<T> {
  return value === undefined ? undefined : { value };
}
