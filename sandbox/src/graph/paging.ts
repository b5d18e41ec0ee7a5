import { createHash } from 'node:crypto';
import { GraphError } from './errors.js';
import { queryString } from './odata-query.js';

/**
 * Server-driven paging. Directory and Teams collections hand out an opaque `$skiptoken` inside
 * `@odata.nextLink`; the token binds the offset to the query it came from, so a client that edits
 * the query but replays the token gets an error instead of a wrong page.
 */

export interface Page<T> {
  readonly items: readonly T[];
  /** The full `@odata.nextLink`, absent on the last page. */
  readonly nextLink: string | undefined;
}

/**
 * Returns the page that `$skiptoken` points at. `linkBase` is the absolute URL of the collection
 * (without query); `query` is the request's query, whose other options the next link repeats.
 */
export function paginate<T>(
  all: readonly T[],
  pageSize: number,
  query: URLSearchParams,
  linkBase: string,
): Page<T> {
  const fingerprint = queryFingerprint(query);
  const token = query.get('$skiptoken');
  const offset = token === null ? 0 : decodeSkipToken(token, fingerprint);
  const items = all.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  if (next >= all.length) return { items, nextLink: undefined };
  const params = [...query.entries()].filter(([k]) => k !== '$skiptoken');
  params.push(['$skiptoken', encodeSkipToken(next, fingerprint)]);
  return { items, nextLink: `${linkBase}?${queryString(params)}` };
}

function queryFingerprint(query: URLSearchParams): string {
  const relevant = [...query.entries()]
    .filter(([k]) => k !== '$skiptoken')
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify(relevant)).digest('base64url').slice(0, 12);
}

function encodeSkipToken(offset: number, fingerprint: string): string {
  return Buffer.from(`sbx1|${offset}|${fingerprint}`).toString('base64url');
}

function decodeSkipToken(token: string, fingerprint: string): number {
  const [version, offset, print] = Buffer.from(token, 'base64url').toString('utf8').split('|');
  if (version !== 'sbx1' || print !== fingerprint || offset === undefined || !/^\d+$/.test(offset)) {
    // Undocumented wording; the directory answers a tampered or foreign token with a 400 like this.
    throw new GraphError(
      400,
      'Request_BadRequest',
      'The specified page token value has expired and can no longer be included in your request.',
    );
  }
  return Number(offset);
}
