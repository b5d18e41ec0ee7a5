import assert from 'node:assert/strict';
import {
  anyOf,
  equals,
  escapeSearchPhrase,
  odataString,
  pathSegment,
  queryString,
  searchTerm,
  selectList,
  startsWith,
} from '../../../../bot/src/integrations/graph/odata.js';
import { parseFilter } from '../../../../sandbox/src/graph/odata-filter.js';
import { parseSearch } from '../../../../sandbox/src/graph/odata-query.js';

/**
 * OData escaping of user values. Where a parse is needed, the Graph stand-in's strict parsers
 * (which refuse what Graph refuses) check that the text means what we intended.
 */

const INJECTION = "a') or startswith(displayName,'";

describe('graph odata escaping (unit)', () => {
  it('doubles single quotes in string literals', () => {
    assert.equal(odataString("O'Brien"), "'O''Brien'");
    assert.equal(odataString("''"), "''''''");
    assert.equal(odataString(''), "''");
    assert.equal(startsWith('displayName', "O'Brien"), "startswith(displayName,'O''Brien')");
    assert.equal(equals('mail', "o'brien@x.example"), "mail eq 'o''brien@x.example'");
  });

  it('keeps an injection attempt inside one literal', () => {
    const filter = startsWith('displayName', INJECTION);
    assert.equal(filter, "startswith(displayName,'a'') or startswith(displayName,''')");
    const node = parseFilter(filter);
    assert.deepEqual(node, { kind: 'function', name: 'startswith', path: 'displayName', value: INJECTION });
  });

  it('keeps every clause of anyOf separate, whatever the values contain', () => {
    const filter = anyOf([startsWith('displayName', INJECTION), startsWith('mail', "x' or '1' eq '1")]);
    const node = parseFilter(filter);
    assert.ok(node.kind === 'or');
    assert.deepEqual(node.left, {
      kind: 'function',
      name: 'startswith',
      path: 'displayName',
      value: INJECTION,
    });
    assert.deepEqual(node.right, {
      kind: 'function',
      name: 'startswith',
      path: 'mail',
      value: "x' or '1' eq '1",
    });
  });

  it('escapes backslashes and double quotes in $search phrases', () => {
    assert.equal(escapeSearchPhrase('say "hi" \\ bye'), 'say \\"hi\\" \\\\ bye');
    assert.equal(searchTerm('displayName', 'a"b'), '"displayName:a\\"b"');
    const breakout = 'x" OR "displayName:a';
    const clauses = parseSearch(`${searchTerm('displayName', breakout)} OR ${searchTerm('mail', breakout)}`);
    assert.deepEqual(clauses, [
      [{ property: 'displayName', value: breakout }],
      [{ property: 'mail', value: breakout }],
    ]);
    assert.deepEqual(parseSearch(searchTerm('displayName', 'ends with \\')), [
      [{ property: 'displayName', value: 'ends with \\' }],
    ]);
  });

  it('percent-encodes every query value, so a value cannot add parameters', () => {
    const q = queryString({
      $filter: startsWith('displayName', 'a&$top=999#x+y%'),
      $top: 5,
      $skip: undefined,
    });
    assert.equal(q, `?$filter=${encodeURIComponent("startswith(displayName,'a&$top=999#x+y%')")}&$top=5`);
    const parsed = new URLSearchParams(q.slice(1));
    assert.deepEqual([...parsed.keys()], ['$filter', '$top']);
    assert.equal(parsed.get('$filter'), "startswith(displayName,'a&$top=999#x+y%')");
    assert.equal(queryString({}), '');
  });

  it('encodes path segments and refuses dot segments and empty ones', () => {
    assert.equal(pathSegment("o'brien@contoso.com"), "o'brien%40contoso.com");
    assert.equal(pathSegment('a/../b?c#d'), 'a%2F..%2Fb%3Fc%23d');
    assert.equal(pathSegment('..'), '%2E%2E');
    assert.equal(pathSegment('.'), '%2E');
    assert.throws(() => pathSegment(''));
  });

  it('accepts only identifier-shaped property and option names (ours, not users’)', () => {
    assert.equal(selectList(['id', 'displayName']), 'id,displayName');
    assert.throws(() => selectList(['id,mail']));
    assert.throws(() => startsWith("displayName,'x')", 'a'));
    assert.throws(() => queryString({ 'a&b': 'c' }));
  });
});
