import assert from 'node:assert/strict';
import { Issuer } from '../../../sandbox/src/shared/issuer.js';

describe('sandbox Issuer', () => {
  it('publishes two keys and signs RS256 tokens that verify', async () => {
    const issuer = await Issuer.create();
    assert.equal(issuer.jwks().keys.length, 2);
    const token = await issuer.sign({ sub: 'x' });
    assert.equal((await issuer.verify(token))?.sub, 'x');
  });

  it('keeps the key that signed until now published after a rotation', async () => {
    const issuer = await Issuer.create();
    const before = await issuer.sign({ sub: 'before' });
    const oldKid = issuer.activeKid;
    await issuer.rotate();
    assert.notEqual(issuer.activeKid, oldKid);
    assert.equal(issuer.jwks().keys.length, 2);
    assert.ok(issuer.jwks().keys.some((k) => k.kid === oldKid));
    assert.equal((await issuer.verify(before))?.sub, 'before');
    await issuer.rotate();
    assert.equal(await issuer.verify(before), undefined, 'two rotations later the first key is gone');
  });
});
