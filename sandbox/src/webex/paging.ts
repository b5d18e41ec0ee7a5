import type { SandboxRequest } from '../shared/http.js';

/**
 * Webex pages long lists with a `Link: <...>; rel="next"` header and an opaque `cursor`
 * parameter; nothing in the body says more items exist (REST API basics, "Pagination").
 */
export interface Page<T> {
  readonly items: T[];
  /** Headers to add to the 200 response (the `Link` header when there is a next page). */
  readonly headers: Record<string, string>;
}

/** Slices `all` by `max` (capped at `maxMax`) from the request's cursor and links the next page. */
export function paginate<T>(req: SandboxRequest, baseUrl: string, all: readonly T[], max: number): Page<T> {
  const offset = decodeCursor(req.url.searchParams.get('cursor'));
  const items = all.slice(offset, offset + max);
  const headers: Record<string, string> = {};
  if (offset + max < all.length) {
    const next = new URL(req.url.pathname, baseUrl);
    req.url.searchParams.forEach((value, key) => {
      if (key !== 'cursor') next.searchParams.set(key, value);
    });
    next.searchParams.set('cursor', Buffer.from(`offset:${offset + max}`).toString('base64url'));
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  return { items, headers };
}

function decodeCursor(cursor: string | null): number {
  if (cursor === null) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m?.[1] === undefined ? 0 : Number(m[1]);
}

/**
 * Reads a positive integer `max` parameter; undefined when absent, `'invalid'` when not a
 * positive integer (Webex answers 400 then).
 */
export function readMax(req: SandboxRequest): number | 'invalid' | undefined {
  const raw = req.url.searchParams.get('max');
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) return 'invalid';
  return Number(raw);
}
