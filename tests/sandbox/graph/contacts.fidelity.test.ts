import assert from 'node:assert/strict';
import { graphError, items, startHarness, type Harness } from './support/harness.js';

/**
 * Outlook contacts, from "List contacts" (`@odata.etag` items, `$select`, `$filter` with
 * `emailAddresses/any(a:a/address eq '…')`, Contacts.Read) and the Exchange behaviour noted in the
 * platform facts (exact `eq` only on addresses, `$skip` paging, 10 per page by default).
 */
describe('graph stand-in: contacts (fidelity)', () => {
  let h: Harness;
  let token: string;
  const owner = (): ReturnType<Harness['user']> => h.user(0);

  before(async () => {
    h = await startHarness();
    token = await h.delegated(owner(), 'Contacts.Read');
  });
  after(async () => {
    await h.close();
  });

  it("lists the mailbox owner's contacts with @odata.etag and the users(...)/contacts context", async () => {
    const res = await h.call('GET', '/me/contacts', { token });
    assert.equal(res.status, 200);
    assert.equal(res.json['@odata.context'], `${h.root}/$metadata#users('${owner().id}')/contacts`);
    const list = items(res);
    assert.equal(list.length, 4);
    for (const c of list) {
      assert.match(String(c['@odata.etag']), /^W\/".+"$/);
      assert.ok(Array.isArray(c.emailAddresses));
      assert.equal(typeof c.displayName, 'string');
    }
  });

  it('pages with $top and a $skip nextLink', async () => {
    const first = await h.call('GET', '/me/contacts?$top=3&$select=displayName', { token });
    assert.equal(items(first).length, 3);
    const next = String(first.json['@odata.nextLink']);
    assert.equal(next, `${h.root}/me/contacts?$top=3&$select=displayName&$skip=3`);
    const second = await h.call('GET', next.replace(h.root, ''), { token });
    assert.equal(items(second).length, 1);
    assert.equal(second.json['@odata.nextLink'], undefined);
    assert.deepEqual(Object.keys(items(second)[0] ?? {}), ['@odata.etag', 'id', 'displayName']);
  });

  it('filters by startswith(displayName) and by an exact email address', async () => {
    const byName = await h.call(
      'GET',
      `/me/contacts?$filter=${encodeURIComponent("startswith(displayName,'nia')")}`,
      { token },
    );
    assert.deepEqual(
      items(byName).map((c) => c.displayName),
      ['Nia Iyer'],
    );
    const address = 'valentina.vance@adventureworks.example';
    const byMail = await h.call(
      'GET',
      `/me/contacts?$filter=${encodeURIComponent(`emailAddresses/any(a:a/address eq '${address}')`)}`,
      { token },
    );
    assert.deepEqual(
      items(byMail).map((c) => c.displayName),
      ['Valentina Vance'],
    );
  });

  it('sorts with $orderby', async () => {
    const res = await h.call('GET', '/me/contacts?$orderby=surname desc&$select=surname', { token });
    assert.deepEqual(
      items(res).map((c) => c.surname),
      ['Vance', 'Robbins', 'Laurent', 'Iyer'],
    );
  });

  it('refuses startswith on an address as Exchange does', async () => {
    const res = await h.call(
      'GET',
      `/me/contacts?$filter=${encodeURIComponent("emailAddresses/any(a:startswith(a/address,'val'))")}`,
      { token },
    );
    assert.equal(res.status, 400);
    assert.equal(graphError(res).code, 'ErrorInvalidUrlQueryFilter');
  });

  it('reads one contact and 404s with ErrorItemNotFound', async () => {
    const list = items(await h.call('GET', '/me/contacts', { token }));
    const id = String(list[0]?.id);
    const one = await h.call('GET', `/users/${owner().id}/contacts/${id}?$select=companyName`, { token });
    assert.equal(one.status, 200);
    assert.equal(
      one.json['@odata.context'],
      `${h.root}/$metadata#users('${owner().id}')/contacts(companyName)/$entity`,
    );
    const missing = await h.call('GET', '/me/contacts/AAMkAGI2', { token });
    assert.equal(missing.status, 404);
    assert.equal(graphError(missing).code, 'ErrorItemNotFound');
  });

  it("denies another user's mailbox to a delegated token and requires Contacts.Read", async () => {
    const other = await h.call('GET', `/users/${h.user(1).id}/contacts`, { token });
    assert.equal(other.status, 403);
    assert.equal(graphError(other).code, 'ErrorAccessDenied');
    const noScope = await h.call('GET', '/me/contacts', { token: await h.delegated(owner(), 'User.Read') });
    assert.equal(noScope.status, 403);
    const app = await h.call('GET', `/users/${h.user(1).id}/contacts`, {
      token: await h.app(['Contacts.Read']),
    });
    assert.equal(app.status, 200);
    assert.equal(items(app).length, 4);
  });
});
