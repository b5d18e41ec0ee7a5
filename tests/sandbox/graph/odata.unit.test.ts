import assert from 'node:assert/strict';
import { GraphError } from '../../../sandbox/src/graph/errors.js';
import {
  evaluateFilter,
  filterUsages,
  parseFilter,
  propertyPath,
} from '../../../sandbox/src/graph/odata-filter.js';
import { parseSearch, searchMatches, searchTokens } from '../../../sandbox/src/graph/odata-query.js';
import { paginate } from '../../../sandbox/src/graph/paging.js';
import { graphDateTime, innerErrorDate, parseDuration } from '../../../sandbox/src/graph/time-format.js';

const matches = (filter: string, item: Record<string, unknown>): boolean =>
  evaluateFilter(parseFilter(filter), (p) => propertyPath(item, p));

function rejects(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof GraphError);
    assert.equal(error.status, 400);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('graph stand-in: OData $filter', () => {
  it("reads '' inside a string literal as one quote", () => {
    const node = parseFilter("startswith(displayName,'O''Neil')");
    assert.deepEqual(node, { kind: 'function', name: 'startswith', path: 'displayName', value: "O'Neil" });
    assert.equal(matches("startswith(displayName,'o''n')", { displayName: "O'Neil Lee" }), true);
  });

  it('rejects an unescaped quote and an unterminated literal with Graph-style 400s', () => {
    // An unescaped quote ends the literal early; what follows no longer parses.
    rejects(() => parseFilter("startswith(displayName,'O'Neil')"), 'BadRequest', /^Invalid filter clause: /);
    rejects(
      () => parseFilter("displayName eq 'O' Neil"),
      'BadRequest',
      /^Invalid filter clause: Syntax error at position 19 /,
    );
    rejects(
      () => parseFilter("startswith(displayName,'abc)"),
      'BadRequest',
      /unterminated literal at position 23/,
    );
    rejects(() => parseFilter('displayName eq'), 'BadRequest', /Syntax error/);
    rejects(() => parseFilter("displayName eq 'a' and"), 'BadRequest', /Syntax error/);
  });

  it('gives and precedence over or, and honours parentheses and not', () => {
    const item = { a: 'x', b: 'y', c: 'z' };
    assert.equal(matches("a eq 'q' and b eq 'y' or c eq 'z'", item), true);
    assert.equal(matches("a eq 'q' and (b eq 'y' or c eq 'z')", item), false);
    assert.equal(matches("not (a eq 'x')", item), false);
  });

  it('evaluates in, null, case-insensitive strings and any() lambdas', () => {
    const contact = {
      displayName: 'Bianca Okafor',
      mobilePhone: null,
      emailAddresses: [{ address: 'bianca@litware.example' }],
    };
    assert.equal(matches("displayName in ('x', 'BIANCA OKAFOR')", contact), true);
    assert.equal(matches('mobilePhone eq null', contact), true);
    assert.equal(matches("emailAddresses/any(a:a/address eq 'Bianca@Litware.example')", contact), true);
    assert.equal(matches("emailAddresses/any(a:a/address eq 'bianca@')", contact), false);
  });

  it('reports operator usages so each resource can refuse unsupported shapes', () => {
    const usages = filterUsages(
      parseFilter("startswith(mail,'a') and emailAddresses/any(x:startswith(x/address,'b'))"),
    );
    assert.deepEqual(usages, [
      { op: 'startswith', path: 'mail' },
      { op: 'any:startswith', path: 'emailAddresses/address' },
    ]);
  });
});

describe('graph stand-in: $search and paging helpers', () => {
  it('parses quoted property:value clauses with AND binding tighter than OR', () => {
    assert.deepEqual(parseSearch('"displayName:ad" OR "mail:wil" AND "surname:v"'), [
      [{ property: 'displayName', value: 'ad' }],
      [
        { property: 'mail', value: 'wil' },
        { property: 'surname', value: 'v' },
      ],
    ]);
    assert.deepEqual(parseSearch('"displayName:say \\"hi\\""'), [
      [{ property: 'displayName', value: 'say "hi"' }],
    ]);
    rejects(() => parseSearch('"displayName:ad'), 'BadRequest', /\$search/);
    rejects(() => parseSearch('"displayName:ad" XOR "mail:b"'), 'BadRequest', /\$search/);
  });

  it('tokenizes on spaces, symbols and case changes and matches token prefixes', () => {
    assert.deepEqual(searchTokens('adele.vance@northwind.example'), [
      'adele',
      'vance',
      'northwind',
      'example',
    ]);
    assert.deepEqual(searchTokens('AdeleVance'), ['adele', 'vance']);
    assert.equal(searchMatches('Adele Vance', 'van'), true);
    assert.equal(searchMatches('Adele Vance', 'dele'), false);
    assert.equal(searchMatches('Adele Vance', 'vance ad'), true);
  });

  it('binds a skiptoken to its query and rejects a tampered one', () => {
    const all = Array.from({ length: 25 }, (_, i) => i);
    const query = new URLSearchParams({ $top: '10', $select: 'id' });
    const first = paginate(all, 10, query, 'https://g/v1.0/users');
    assert.deepEqual(first.items, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const next = new URL(first.nextLink ?? '');
    assert.equal(next.searchParams.get('$top'), '10');
    const second = paginate(all, 10, next.searchParams, 'https://g/v1.0/users');
    assert.deepEqual(second.items, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const edited = new URLSearchParams(next.searchParams);
    edited.set('$select', 'displayName');
    rejects(() => paginate(all, 10, edited, 'x'), 'Request_BadRequest', /page token/);
  });
});

describe('graph stand-in: time formats', () => {
  it('parses ISO-8601 durations and refuses malformed ones', () => {
    assert.equal(parseDuration('PT5M'), 300_000);
    assert.equal(parseDuration('PT4H'), 14_400_000);
    assert.equal(parseDuration('P1D'), 86_400_000);
    assert.equal(parseDuration('PT1H30M15S'), 5_415_000);
    assert.equal(parseDuration('PT0.015S'), 15);
    for (const bad of ['5M', 'PT', 'P', 'PT5X', '']) assert.equal(parseDuration(bad), undefined, bad);
  });

  it('prints 7-digit subscription times and zone-less error dates', () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    assert.equal(graphDateTime(t), '2026-01-02T03:04:05.6780000Z');
    assert.equal(innerErrorDate(t), '2026-01-02T03:04:05');
  });
});
