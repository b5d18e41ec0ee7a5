import assert from 'node:assert/strict';
import { graphError, items, startHarness, type Harness } from './support/harness.js';

/**
 * Users, from the "Get user" / "List users" pages (default property set, `$select` context,
 * `@odata.nextLink` paging), "Advanced query capabilities on directory objects" (ConsistencyLevel,
 * `$count`, `$search`, advanced-only filters and their documented errors) and "Paging"
 * (`$top` 1–999, "Invalid page size specified").
 */
describe('graph stand-in: users (fidelity)', () => {
  let h: Harness;
  let token: string;
  const eventual = { consistencylevel: 'eventual' };

  before(async () => {
    h = await startHarness();
    token = await h.delegated(h.user(0), 'User.Read User.ReadBasic.All');
  });
  after(async () => {
    await h.close();
  });

  it('GET /me returns the documented default property set in order, with @odata.context', async () => {
    const res = await h.call('GET', '/me', { token });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json;odata\.metadata=minimal/);
    assert.deepEqual(Object.keys(res.json), [
      '@odata.context',
      'businessPhones',
      'displayName',
      'givenName',
      'jobTitle',
      'mail',
      'mobilePhone',
      'officeLocation',
      'preferredLanguage',
      'surname',
      'userPrincipalName',
      'id',
    ]);
    assert.equal(res.json['@odata.context'], `${h.root}/$metadata#users/$entity`);
    assert.equal(res.json.id, h.user(0).id);
    assert.equal(res.json.displayName, 'Adele Okafor');
  });

  it('$select returns only the selected properties and names them in the context', async () => {
    const res = await h.call('GET', '/me?$select=displayName,department', { token });
    assert.deepEqual(res.json, {
      '@odata.context': `${h.root}/$metadata#users(displayName,department)/$entity`,
      displayName: 'Adele Okafor',
      department: 'Sales',
    });
    const bad = await h.call('GET', '/me?$select=shoeSize', { token });
    assert.equal(bad.status, 400);
    assert.match(
      graphError(bad).message,
      /Could not find a property named 'shoeSize' on type 'microsoft\.graph\.user'/,
    );
  });

  it('finds users by object id or userPrincipalName, and 404s with Request_ResourceNotFound', async () => {
    const byUpn = await h.call('GET', `/users/${h.user(3).userPrincipalName.toUpperCase()}`, { token });
    assert.equal(byUpn.json.id, h.user(3).id);
    const missing = await h.call('GET', '/users/00000000-0000-0000-0000-000000000001', { token });
    assert.equal(missing.status, 404);
    assert.equal(graphError(missing).code, 'Request_ResourceNotFound');
    assert.match(
      graphError(missing).message,
      /^Resource '00000000-0000-0000-0000-000000000001' does not exist/,
    );
  });

  it('User.Read reads only the signed-in user', async () => {
    const narrow = await h.delegated(h.user(0), 'User.Read');
    assert.equal((await h.call('GET', `/users/${h.user(0).id}`, { token: narrow })).status, 200);
    const other = await h.call('GET', `/users/${h.user(1).id}`, { token: narrow });
    assert.equal(other.status, 403);
    assert.equal(graphError(other).code, 'Authorization_RequestDenied');
  });

  it('pages /users 100 at a time by default and follows an opaque $skiptoken with $top', async () => {
    const all = await h.call('GET', '/users', { token });
    assert.equal(items(all).length, 56);
    assert.equal(all.json['@odata.nextLink'], undefined);
    assert.equal(all.json['@odata.context'], `${h.root}/$metadata#users`);

    const seen: string[] = [];
    let next: string | undefined = `${h.root}/users?$top=20&$select=id,displayName`;
    let pages = 0;
    while (next !== undefined) {
      const res = await h.call('GET', next.replace(h.root, ''), { token });
      assert.equal(res.status, 200);
      for (const u of items(res)) {
        assert.deepEqual(Object.keys(u), ['id', 'displayName']);
        seen.push(String(u.id));
      }
      next = res.json['@odata.nextLink'] as string | undefined;
      if (next !== undefined) {
        const link = new URL(next);
        assert.equal(link.searchParams.get('$top'), '20');
        assert.match(link.searchParams.get('$skiptoken') ?? '', /^[A-Za-z0-9_-]+$/);
      }
      pages += 1;
    }
    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      h.org.users.map((u) => u.id),
    );
  });

  it('rejects $top outside 1–999 with the documented message', async () => {
    for (const top of ['0', '1000']) {
      const res = await h.call('GET', `/users?$top=${top}`, { token });
      assert.equal(res.status, 400);
      assert.equal(graphError(res).code, 'Request_UnsupportedQuery');
      assert.equal(
        graphError(res).message,
        `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
      );
    }
    assert.equal((await h.call('GET', '/users?$top=999', { token })).status, 200);
  });

  it("filters with startswith on the documented properties, honouring '' escapes", async () => {
    const res = await h.call(
      'GET',
      `/users?$filter=${encodeURIComponent("startswith(displayName,'a')")}&$select=displayName`,
      { token },
    );
    assert.deepEqual(
      items(res).map((u) => u.displayName),
      ['Adele Okafor', 'Alex Eze', 'Allan Lindqvist', 'Aarav Adeyemi'],
    );
    const mail = await h.call(
      'GET',
      `/users?$filter=${encodeURIComponent("startswith(mail,'bianca.')")}&$select=mail`,
      { token },
    );
    assert.deepEqual(items(mail), [{ mail: 'bianca.bowen@northwind.example' }]);
    const quoted = await h.call('GET', `/users?$filter=${encodeURIComponent("startswith(surname,'O''K')")}`, {
      token,
    });
    assert.equal(quoted.status, 200);
    assert.equal(items(quoted).length, 0);
    const malformed = await h.call(
      'GET',
      `/users?$filter=${encodeURIComponent("startswith(surname,'O'K')")}`,
      { token },
    );
    assert.equal(malformed.status, 400);
    assert.equal(graphError(malformed).code, 'BadRequest');
    assert.match(graphError(malformed).message, /^Invalid filter clause/);
  });

  it('requires advanced query parameters for endsWith and ne, as documented', async () => {
    const filter = `$filter=${encodeURIComponent("endswith(mail,'@northwind.example')")}`;
    const plain = await h.call('GET', `/users?${filter}`, { token });
    assert.equal(plain.status, 400);
    assert.deepEqual(
      [graphError(plain).code, graphError(plain).message],
      ['Request_UnsupportedQuery', 'Unsupported Query.'],
    );
    const advanced = await h.call('GET', `/users?${filter}&$count=true`, { token, headers: eventual });
    assert.equal(advanced.status, 200);
    assert.equal(advanced.json['@odata.count'], 56);
    const unsupported = await h.call(
      'GET',
      `/users?$filter=${encodeURIComponent("startswith(employeeId,'1')")}`,
      { token },
    );
    assert.equal(graphError(unsupported).code, 'Request_UnsupportedQuery');
  });

  it('refuses $search without ConsistencyLevel: eventual with the documented error', async () => {
    const res = await h.call('GET', '/users?$search="displayName:ad"', { token });
    assert.equal(res.status, 400);
    assert.equal(graphError(res).code, 'Request_UnsupportedQuery');
    assert.equal(
      graphError(res).message,
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  });

  it('$search matches token prefixes, combines clauses with OR/AND and counts with $count', async () => {
    const search = (q: string): Promise<Awaited<ReturnType<Harness['call']>>> =>
      h.call('GET', `/users?$search=${encodeURIComponent(q)}&$count=true&$select=displayName`, {
        token,
        headers: eventual,
      });
    const byToken = await search('"displayName:okaf"');
    const okafors = h.org.users.filter((u) => u.surname === 'Okafor').map((u) => u.displayName);
    assert.ok(okafors.length > 2);
    assert.deepEqual(
      items(byToken).map((u) => u.displayName),
      okafors,
    );
    assert.equal(byToken.json['@odata.count'], okafors.length);
    assert.deepEqual(Object.keys(byToken.json), ['@odata.context', '@odata.count', 'value']);
    const inner = await search('"displayName:kafor"');
    assert.equal(items(inner).length, 0, 'matches start at token boundaries only');
    const either = await search('"displayName:adele" OR "mail:diego"');
    assert.deepEqual(
      items(either).map((u) => u.displayName),
      ['Adele Okafor', 'Diego Okafor'],
    );
    const both = await search('"displayName:okafor" AND "mail:diego"');
    assert.deepEqual(
      items(both).map((u) => u.displayName),
      ['Diego Okafor'],
    );
  });

  it('sorts with $orderby, and needs an advanced query to combine it with $filter or $search', async () => {
    const res = await h.call('GET', '/users?$orderby=displayName desc&$select=displayName&$top=3', { token });
    const names = h.org.users
      .map((u) => u.displayName)
      .sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase()));
    assert.deepEqual(
      items(res).map((u) => u.displayName),
      names.slice(0, 3),
    );
    const withFilter = `/users?$orderby=displayName&$filter=${encodeURIComponent("startswith(displayName,'a')")}`;
    assert.equal(graphError(await h.call('GET', withFilter, { token })).code, 'Request_UnsupportedQuery');
    const advanced = await h.call('GET', `${withFilter}&$count=true&$select=displayName`, {
      token,
      headers: eventual,
    });
    assert.deepEqual(
      items(advanced).map((u) => u.displayName),
      ['Aarav Adeyemi', 'Adele Okafor', 'Alex Eze', 'Allan Lindqvist'],
    );
    assert.equal((await h.call('GET', '/users?$orderby=jobTitle', { token })).status, 400);
  });

  it('silently ignores $count=true without ConsistencyLevel (documented "fail silently" case)', async () => {
    const res = await h.call('GET', '/users?$count=true&$top=1', { token });
    assert.equal(res.status, 200);
    assert.equal(res.json['@odata.count'], undefined);
  });

  it('expands open extensions on /me', async () => {
    const writer = await h.delegated(h.user(0), 'User.ReadWrite');
    const created = await h.call('POST', '/me/extensions', {
      token: writer,
      body: {
        '@odata.type': 'microsoft.graph.openTypeExtension',
        extensionName: 'com.callbridge.prefs',
        theme: 'dark',
      },
    });
    assert.equal(created.status, 201);
    const res = await h.call('GET', '/me?$select=id&$expand=extensions', { token });
    assert.equal(res.json['@odata.context'], `${h.root}/$metadata#users(id,extensions())/$entity`);
    assert.deepEqual(res.json.extensions, [
      {
        '@odata.type': '#microsoft.graph.openTypeExtension',
        extensionName: 'com.callbridge.prefs',
        id: 'com.callbridge.prefs',
        theme: 'dark',
      },
    ]);
  });
});
