import assert from 'node:assert/strict';
import sinon from 'sinon';
import { SPEED_DIALS_EXTENSION } from '../../../bot/src/speed-dials/codec.js';
import type { DemoUser } from '../../../sandbox/src/seed/org.js';
import { useCallTabWorld } from '../call-tab/world.js';

/**
 * Speed dials through `GET/PUT /api/speed-dials` of the composed service, stored in the Graph
 * stand-in's open extension (read back straight from Graph, as another device would), with the
 * 2 KB limit and concurrent edits from two clients.
 */

interface Dial {
  id: string;
  label: string;
  number: string;
  aadObjectId?: string;
}
interface Dials {
  entries: Dial[];
  version: string;
  bytesUsed: number;
  bytesMax: number;
  merged?: boolean;
  conflicts?: string[];
}

describe('speed dials in the Graph open extension (integration)', function () {
  this.timeout(60_000);
  const world = useCallTabWorld();
  let next = 0;

  function freshUser(): DemoUser {
    const user = world().sandbox.org.users[next];
    next += 1;
    assert.ok(user !== undefined);
    return user;
  }

  async function read(user: DemoUser): Promise<Dials> {
    const got = await world().api(user.id, 'GET', '/api/speed-dials');
    assert.equal(got.status, 200, got.text);
    return got.body as Dials;
  }

  async function save(
    user: DemoUser,
    entries: Dial[],
    base: Dials,
  ): Promise<{ status: number; body: Dials }> {
    const put = await world().api(user.id, 'PUT', '/api/speed-dials', {
      entries,
      base: { version: base.version, entries: base.entries },
    });
    return { status: put.status, body: put.body as Dials };
  }

  /** What Graph holds, read with the user's own token. */
  async function stored(user: DemoUser): Promise<Record<string, unknown> | undefined> {
    const got = await world().graphAs(user.id).getExtension(SPEED_DIALS_EXTENSION);
    assert.ok(got.ok);
    return got.value as Record<string, unknown> | undefined;
  }

  const desk: Dial = { id: 'desk', label: 'Front desk', number: '+1 425 555 0100' };
  const mum: Dial = { id: 'mum', label: 'Mum', number: '+44 7700 900123' };
  const ext: Dial = { id: 'ext', label: 'Helpdesk', number: '4100' };

  it('starts empty, saves the whole set into the extension and reads it back', async () => {
    const user = freshUser();
    const empty = await read(user);
    assert.deepEqual(empty.entries, []);
    assert.equal(empty.bytesMax, 2048);
    assert.equal(await stored(user), undefined);

    const colleague = world().sandbox.org.users[40];
    assert.ok(colleague !== undefined);
    const withPerson: Dial = {
      id: 'p1',
      label: colleague.displayName,
      number: '4101',
      aadObjectId: colleague.id,
    };
    const saved = await save(user, [desk, mum, withPerson], empty);
    assert.equal(saved.status, 200);
    assert.deepEqual(saved.body.entries, [desk, mum, withPerson]);
    assert.equal(saved.body.merged, false);
    assert.deepEqual(saved.body.conflicts, []);
    assert.notEqual(saved.body.version, empty.version);

    const ext1 = await stored(user);
    assert.ok(ext1 !== undefined);
    assert.equal(ext1.revision, 1);
    assert.deepEqual(JSON.parse(ext1.entries as string), [desk, mum, withPerson]);
    // Graph measures the extension with its definition; we report the same or more.
    const graphBytes = Buffer.byteLength(
      JSON.stringify({
        '@odata.type': '#microsoft.graph.openTypeExtension',
        extensionName: SPEED_DIALS_EXTENSION,
        entries: ext1.entries,
        revision: ext1.revision,
      }),
    );
    assert.ok(saved.body.bytesUsed >= graphBytes);

    // Reordered and one removed: PATCH replaces the set, nothing of the old one lingers.
    const again = await read(user);
    assert.deepEqual(again.entries, [desk, mum, withPerson]);
    assert.equal(again.version, saved.body.version);
    const reordered = await save(user, [withPerson, desk], again);
    assert.equal(reordered.status, 200);
    const ext2 = await stored(user);
    assert.equal(ext2?.revision, 2);
    assert.deepEqual(JSON.parse(ext2.entries as string), [withPerson, desk]);
    assert.deepEqual((await read(user)).entries, [withPerson, desk]);
  });

  it('reads the older format (no ids, no revision) and keeps the ids it derived', async () => {
    const user = freshUser();
    const put = await world()
      .graphAs(user.id)
      .putExtension(SPEED_DIALS_EXTENSION, {
        entries: JSON.stringify([
          { label: 'Reception', number: '+1 425 555 0199' },
          { label: 'Broken' },
          { label: 'Home', number: '+1 206 555 0123' },
        ]),
      });
    assert.ok(put.ok);
    const first = await read(user);
    assert.deepEqual(
      first.entries.map((e) => [e.label, e.number]),
      [
        ['Reception', '+1 425 555 0199'],
        ['Home', '+1 206 555 0123'],
      ],
    );
    for (const e of first.entries) assert.match(e.id, /^[A-Za-z0-9_-]{1,12}$/);
    assert.deepEqual(await read(user), first);
    const saved = await save(user, [...first.entries, ext], first);
    assert.equal(saved.status, 200);
    assert.deepEqual(
      (JSON.parse((await stored(user))?.entries as string) as Dial[]).map((e) => e.id),
      [...first.entries.map((e) => e.id), 'ext'],
    );
  });

  it('answers a save that reached Graph with 200 even when the store cannot release the save lease', async () => {
    const user = freshUser();
    const release = sinon.stub(world().store.leases, 'release').rejects(new Error('database is locked'));
    try {
      const saved = await save(user, [desk], await read(user));
      assert.equal(saved.status, 200);
      assert.ok(release.called);
    } finally {
      release.restore();
    }
    assert.deepEqual(
      (await read(user)).entries.map((e) => e.id),
      ['desk'],
    );
  });

  it('refuses a set over the 2 KB limit with 413 speed_dials_full and writes nothing', async () => {
    const user = freshUser();
    const saved = await save(user, [desk], await read(user));
    assert.equal(saved.status, 200);
    const before = await stored(user);
    const many = Array.from({ length: 30 }, (_, i) => ({
      id: `n${String(i)}`,
      label: `Someone with a long label ${String(i)}`,
      number: `+1 425 555 ${String(1000 + i)}`,
    }));
    const put = await world().api(user.id, 'PUT', '/api/speed-dials', {
      entries: many,
      base: { version: saved.body.version, entries: saved.body.entries },
    });
    assert.equal(put.status, 413);
    const body = put.body as { code: string; message: string; bytesUsed: number; bytesMax: number };
    assert.equal(body.code, 'speed_dials_full');
    assert.equal(body.bytesMax, 2048);
    assert.ok(body.bytesUsed > 2048);
    assert.match(body.message, /Remove a speed dial/);
    assert.deepEqual(await stored(user), before);
  });

  it('merges two clients editing at once: adds from both kept, a deletion applied', async () => {
    const user = freshUser();
    const initial = await save(user, [desk, mum], await read(user));
    const a = await read(user);
    const b = await read(user);
    assert.equal(a.version, initial.body.version);

    const fromA = await save(user, [...a.entries, ext], a);
    assert.equal(fromA.status, 200);
    assert.equal(fromA.body.merged, false);

    // B never saw A's change: it removes "mum" and adds its own entry.
    const home: Dial = { id: 'home', label: 'Home', number: '+1 206 555 0123' };
    const fromB = await save(user, [desk, home], b);
    assert.equal(fromB.status, 200);
    assert.equal(fromB.body.merged, true);
    assert.deepEqual(fromB.body.conflicts, []);
    assert.deepEqual(
      fromB.body.entries.map((e) => e.id),
      ['desk', 'home', 'ext'],
    );
    assert.deepEqual(
      (JSON.parse((await stored(user))?.entries as string) as Dial[]).map((e) => e.id),
      ['desk', 'home', 'ext'],
    );
  });

  it('reports a conflicting edit: the other client’s edit wins and is named', async () => {
    const user = freshUser();
    await save(user, [desk, mum], await read(user));
    const a = await read(user);
    const b = await read(user);
    await save(user, [{ ...desk, label: 'Reception (A)' }, mum], a);
    const fromB = await save(
      user,
      [
        { ...desk, label: 'Reception (B)' },
        { ...mum, label: 'Mum mobile' },
      ],
      b,
    );
    assert.equal(fromB.status, 200);
    assert.equal(fromB.body.merged, true);
    assert.deepEqual(fromB.body.conflicts, ['desk']);
    assert.deepEqual(
      fromB.body.entries.map((e) => e.label),
      ['Reception (A)', 'Mum mobile'],
    );
  });

  it('loses no entry when two saves race', async () => {
    const user = freshUser();
    const base = await read(user);
    const results = await Promise.all([
      save(user, [desk], base),
      save(user, [mum], base),
      save(user, [ext], base),
    ]);
    for (const r of results) assert.equal(r.status, 200);
    const ids = (JSON.parse((await stored(user))?.entries as string) as Dial[]).map((e) => e.id).sort();
    assert.deepEqual(ids, ['desk', 'ext', 'mum']);
  });

  it('answers precise 400s for bad entries', async () => {
    const user = freshUser();
    const base = await read(user);
    const cases: [unknown, RegExp][] = [
      [{ entries: [desk, { ...mum, id: 'desk' }], base }, /entries\.1\.id: duplicate id "desk"/],
      [{ entries: [{ ...desk, id: 'way-too-long-id' }], base }, /entries\.0\.id/],
      [{ entries: [{ ...desk, number: 'call me' }], base }, /entries\.0\.number/],
      [{ entries: [{ ...desk, label: '' }], base }, /entries\.0\.label/],
      [{ entries: [desk] }, /base/],
      [{ entries: [{ ...desk, color: 'red' }], base }, /entries\.0/],
    ];
    for (const [body, message] of cases) {
      const put = await world().api(user.id, 'PUT', '/api/speed-dials', body);
      assert.equal(put.status, 400, put.text);
      assert.equal((put.body as { code: string }).code, 'invalid_request');
      assert.match((put.body as { message: string }).message, message);
    }
    assert.equal(await stored(user), undefined);
  });

  it('finds speed dials, directory users and contacts through GET /api/people', async () => {
    const user = freshUser();
    await save(user, [{ id: 'r', label: 'Reception desk', number: '+1 425 555 0100' }], await read(user));
    const dial = await world().api(user.id, 'GET', '/api/people?q=Reception');
    assert.equal(dial.status, 200, dial.text);
    const found = dial.body as { people: { displayName: string; sources: string[] }[]; partial: boolean };
    assert.ok(
      found.people.some((p) => p.displayName === 'Reception desk' && p.sources.includes('speedDials')),
    );
    const someone = world().sandbox.org.users[30];
    assert.ok(someone !== undefined);
    const dir = await world().api(
      user.id,
      'GET',
      `/api/people?q=${encodeURIComponent(someone.displayName)}&top=5`,
    );
    assert.equal(dir.status, 200);
    const people = (dir.body as { people: { displayName: string; sources: string[] }[] }).people;
    assert.ok(people.length <= 5);
    assert.ok(people.some((p) => p.displayName === someone.displayName && p.sources.includes('directory')));
    for (const bad of ['top=0', 'top=26', 'top=x', `q=${'a'.repeat(101)}`]) {
      const got = await world().api(user.id, 'GET', `/api/people?${bad}`);
      assert.equal(got.status, 400, bad);
    }
  });
});
