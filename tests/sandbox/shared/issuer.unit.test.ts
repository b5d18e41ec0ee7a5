import assert from 'node:assert/strict';
import { Issuer } from '../../../sandbox/src/shared/issuer.js';

describe('sandbox Issuer', () => {
  it('publishes two keys and signs RS256 tokens that verify', async () => {
    const issuer = await Issuer.create();
    assert.equal(issuer.jwks().keys.length, 2);
    const token = await issuer.sign({ sub: 'x' });
    assert.equal((await issuer.verify(token))?.sub, 'x');
  });

  it('rotates to the pre-published key, keeps the previous one and publishes the next', async () => {
    const issuer = await Issuer.create();
    const before = await issuer.sign({ sub: 'before' });
    const oldKid = issuer.activeKid;
    const prePublished = issuer
      .jwks()
      .keys.map((k) => k.kid)
      .find((kid) => kid !== oldKid);
    await issuer.rotate();
    assert.equal(issuer.activeKid, prePublished, 'signing moved to a key verifiers already had');
    const kids = issuer.jwks().keys.map((k) => k.kid);
    assert.equal(kids.length, 3);
    assert.ok(kids.includes(oldKid), 'the previous key stays published');
    assert.equal((await issuer.verify(before))?.sub, 'before');
    await issuer.rotate();
    await issuer.rotate();
    assert.equal(await issuer.verify(before), undefined, 'keys two rotations old are retired');
    assert.equal(issuer.jwks().keys.length, 3);
  });
});
