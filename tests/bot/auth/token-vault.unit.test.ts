import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import sinon from 'sinon';
import type { TokenKeyRing } from '../../../bot/src/auth/key-ring.js';
import { rotateKeys, rotateTokenKeys } from '../../../bot/src/auth/rotate-keys.js';
import { runRotateKeysCli } from '../../../bot/src/auth/rotate-keys.cli.js';
import { createTokenVault, type TokenVault, type VaultBinding } from '../../../bot/src/auth/token-vault.js';
import { createLogger } from '../../../bot/src/observability/logger.js';
import { signatureMatches } from '../../../bot/src/presence-sync/webex/delivery.js';
import { newWebhookSecret, WEBHOOK_SECRET_KIND } from '../../../bot/src/presence-sync/webex/secrets.js';
import { openStore } from '../../../bot/src/store/open.js';
import type { SealedSecret, Store, TokenKind, TokenRecord } from '../../../bot/src/store/store.js';
import { sparkSignature } from '../../../sandbox/src/webex/deliveries.js';
import { captureLogs } from '../../support/log-capture.js';

const silentLogger = createLogger({ level: 'silent' });

const OLD_KEY = randomBytes(32);
const NEW_KEY = randomBytes(32);
const TENANT = '11111111-1111-4111-8111-111111111111';
const BINDING: VaultBinding = { tenantId: TENANT, userId: 'user-1', kind: 'graph_refresh' };

function ring(active: string, keys: Record<string, Buffer>): TokenKeyRing {
  return { activeKeyId: active, keys: new Map(Object.entries(keys)), source: 'configured' };
}

const oldVault = (): TokenVault => createTokenVault(ring('k-2025', { 'k-2025': OLD_KEY }));
const newVault = (): TokenVault => createTokenVault(ring('k-2026', { 'k-2025': OLD_KEY, 'k-2026': NEW_KEY }));

function flip(buffer: Buffer, index = 0): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

/** A refresh-token-looking secret that is easy to find in raw bytes. */
function secret(label: string): string {
  return `0.ARwA-${label}-${randomBytes(24).toString('hex')}-refresh`;
}

describe('token vault', function () {
  it('opens what it sealed, for any text', function () {
    const vault = oldVault();
    for (const plaintext of [secret('a'), '', 'ünïcødé ✓ 🔑', 'x'.repeat(8192)]) {
      const sealed = vault.seal(plaintext, BINDING);
      const opened = vault.open(sealed, BINDING);
      assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
      assert.equal(opened.value, plaintext);
    }
  });

  it('seals with AES-256-GCM shapes: the active key id, a 96-bit IV, a 128-bit tag, no plaintext', function () {
    const plaintext = secret('shape');
    const sealed = newVault().seal(plaintext, BINDING);
    assert.equal(sealed.keyId, 'k-2026');
    assert.equal(sealed.iv.length, 12);
    assert.equal(sealed.tag.length, 16);
    assert.equal(sealed.ciphertext.length, Buffer.byteLength(plaintext));
    assert.equal(sealed.ciphertext.indexOf(Buffer.from(plaintext)), -1);
  });

  it('uses a different IV (and so ciphertext) every time', function () {
    const vault = oldVault();
    const plaintext = secret('iv');
    const sealed = Array.from({ length: 200 }, () => vault.seal(plaintext, BINDING));
    assert.equal(new Set(sealed.map((s) => s.iv.toString('hex'))).size, 200);
    assert.equal(new Set(sealed.map((s) => s.ciphertext.toString('hex'))).size, 200);
  });

  describe('binds the ciphertext to (tenant, user, kind)', function () {
    const others: readonly [string, VaultBinding][] = [
      ['another user', { ...BINDING, userId: 'user-2' }],
      ['another tenant', { ...BINDING, tenantId: '99999999-9999-4999-8999-999999999999' }],
      ['another kind', { ...BINDING, kind: 'webex_refresh' }],
      ['a shifted boundary', { ...BINDING, tenantId: `${TENANT}user-1`, userId: 'x' }],
    ];
    for (const [label, other] of others) {
      it(`refuses to open a record moved to ${label}`, function () {
        const vault = oldVault();
        const plaintext = secret('aad');
        const result = vault.open(vault.seal(plaintext, BINDING), other);
        assert.ok(!result.ok);
        assert.equal(result.error.code, 'tampered');
        assert.ok(!result.error.message.includes(plaintext));
      });
    }
  });

  describe('detects tampering', function () {
    const edits: readonly [string, (s: SealedSecret) => SealedSecret][] = [
      ['a flipped ciphertext bit', (s) => ({ ...s, ciphertext: flip(s.ciphertext, 5) })],
      ['a truncated ciphertext', (s) => ({ ...s, ciphertext: s.ciphertext.subarray(1) })],
      [
        'an extended ciphertext',
        (s) => ({ ...s, ciphertext: Buffer.concat([s.ciphertext, Buffer.from([0])]) }),
      ],
      ['a flipped tag bit', (s) => ({ ...s, tag: flip(s.tag, 15) })],
      ['a truncated tag (GCM would accept 12 bytes)', (s) => ({ ...s, tag: s.tag.subarray(0, 12) })],
      ['a flipped IV bit', (s) => ({ ...s, iv: flip(s.iv, 11) })],
      ['a 16-byte IV', (s) => ({ ...s, iv: Buffer.concat([s.iv, Buffer.alloc(4)]) })],
      ['a relabelled key id', (s) => ({ ...s, keyId: s.keyId === 'k-2025' ? 'k-2026' : 'k-2025' })],
    ];
    for (const [label, edit] of edits) {
      it(`refuses ${label}`, function () {
        const vault = newVault();
        const sealed = vault.seal(secret('tamper'), BINDING);
        const result = vault.open(edit(sealed), BINDING);
        assert.ok(!result.ok);
        assert.equal(result.error.code, 'tampered');
      });
    }
  });

  it('names the missing key id when a record was sealed with a key no longer in the ring', function () {
    const sealed = oldVault().seal(secret('gone'), BINDING);
    const vault = createTokenVault(ring('k-2026', { 'k-2026': NEW_KEY }));
    const result = vault.open(sealed, BINDING);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'unknown_key');
    assert.equal(result.error.keyId, 'k-2025');
    assert.match(result.error.message, /"k-2025"/);
    assert.match(result.error.message, /TOKEN_ENCRYPTION_KEYS/);
  });

  it('does not print a key id that is not id-shaped', function () {
    const sealed = { ...oldVault().seal('x', BINDING), keyId: 'k\n"injected' };
    const result = oldVault().open(sealed, BINDING);
    assert.ok(!result.ok);
    assert.ok(!result.error.message.includes('injected'));
  });

  it('says which records need rotation', function () {
    const vault = newVault();
    assert.equal(vault.needsRotation(oldVault().seal('x', BINDING)), true);
    assert.equal(vault.needsRotation(vault.seal('x', BINDING)), false);
    assert.equal(vault.activeKeyId, 'k-2026');
  });

  it('treats an empty binding field as a bug', function () {
    assert.throws(() => oldVault().seal('x', { ...BINDING, userId: '' }), TypeError);
  });

  it('refuses a ring without its active key or with a short key', function () {
    assert.throws(() => createTokenVault(ring('missing', { 'k-2025': OLD_KEY })), RangeError);
    assert.throws(() => createTokenVault(ring('short', { short: randomBytes(16) })), RangeError);
  });

  it('keeps key bytes out of JSON and inspect output', function () {
    const vault = newVault();
    for (const text of [JSON.stringify(vault), inspect(vault, { depth: 10, showHidden: true })]) {
      for (const key of [OLD_KEY, NEW_KEY]) {
        assert.ok(!text.includes(key.toString('base64')));
        assert.ok(!text.includes(key.toString('hex')));
      }
    }
  });
});

describe('token key rotation (SQLite store)', function () {
  let dir: string;
  let store: Store;

  beforeEach(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'callbridge-vault-'));
    store = await open();
  });

  afterEach(async function () {
    sinon.restore();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(): Promise<Store> {
    const opened = await openStore({ dataDir: dir, databaseUrl: undefined }, silentLogger);
    assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
    return opened.value;
  }

  interface Seeded {
    readonly tenantId: string;
    readonly userId: string;
    readonly kind: TokenKind;
    readonly plaintext: string;
  }

  /** `count` users with a Graph and a Webex refresh token each, sealed by `vault`. */
  async function seed(
    vault: TokenVault,
    count: number,
    tenantId = TENANT,
    prefix = 'aad',
  ): Promise<Seeded[]> {
    const seeded: Seeded[] = [];
    for (let i = 0; i < count; i++) {
      const user = await store.users.upsert({ tenantId, aadObjectId: `${prefix}-${tenantId}-${i}` });
      for (const kind of ['graph_refresh', 'webex_refresh'] as const) {
        const plaintext = secret(`${kind}-${i}`);
        const binding = { tenantId, userId: user.id, kind };
        const put = await store.tokens.put({
          ...binding,
          sealed: vault.seal(plaintext, binding),
          expiresAt: null,
          expectedVersion: null,
        });
        assert.ok(put.ok);
        seeded.push({ ...binding, plaintext });
      }
    }
    return seeded;
  }

  async function all(): Promise<TokenRecord[]> {
    const out: TokenRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.tokens.list({ limit: 100, cursor });
      out.push(...page.items);
      cursor = page.next;
    } while (cursor !== null);
    return out;
  }

  function databaseBytes(): Buffer {
    const files = ['callbridge.db', 'callbridge.db-wal', 'callbridge.db-shm']
      .map((f) => path.join(dir, f))
      .filter((f) => existsSync(f));
    assert.ok(files.length > 0);
    return Buffer.concat(files.map((f) => readFileSync(f)));
  }

  function assertNoPlaintextOnDisk(seeded: readonly Seeded[]): void {
    const bytes = databaseBytes();
    for (const s of seeded) {
      assert.equal(
        bytes.indexOf(Buffer.from(s.plaintext, 'utf8')),
        -1,
        `plaintext ${s.kind} found in the database`,
      );
      // A recognisable fragment as well, in case a prefix leaked.
      assert.equal(bytes.indexOf(Buffer.from(s.plaintext.slice(0, 24), 'utf8')), -1);
    }
  }

  it('re-seals every record under the active key, page by page, keeping the plaintext', async function () {
    const seeded = [
      ...(await seed(oldVault(), 4)),
      ...(await seed(oldVault(), 2, '22222222-2222-4222-8222-222222222222')),
    ];
    // Already under the new key: not touched.
    const current = await seed(newVault(), 1, '33333333-3333-4333-8333-333333333333');
    const versionsBefore = new Map((await all()).map((r) => [`${r.userId}/${r.kind}`, r.version]));
    const { logger, lines } = captureLogs();

    const vault = newVault();
    const result = await rotateTokenKeys(store, vault, { batchSize: 3, logger });
    assert.deepEqual(result, { rotated: seeded.length, skipped: 0, failed: 0 });

    const records = await all();
    assert.equal(records.length, seeded.length + current.length);
    for (const record of records) {
      assert.equal(record.sealed.keyId, 'k-2026');
      const expected = [...seeded, ...current].find(
        (s) => s.userId === record.userId && s.kind === record.kind,
      );
      const opened = vault.open(record.sealed, record);
      assert.ok(opened.ok);
      assert.equal(opened.value, expected?.plaintext);
      const before = versionsBefore.get(`${record.userId}/${record.kind}`) ?? 0;
      const wasCurrent = current.some((c) => c.userId === record.userId);
      assert.equal(record.version, wasCurrent ? before : before + 1);
    }

    // Idempotent: nothing left to do.
    assert.deepEqual(await rotateTokenKeys(store, vault, { batchSize: 3, logger }), {
      rotated: 0,
      skipped: 0,
      failed: 0,
    });
    const logged = lines().join('\n');
    for (const s of [...seeded, ...current]) assert.ok(!logged.includes(s.plaintext));
  });

  it('never writes plaintext to the SQLite files (database, WAL), before or after rotation', async function () {
    const seeded = await seed(oldVault(), 5);
    assertNoPlaintextOnDisk(seeded);
    await rotateTokenKeys(store, newVault(), { batchSize: 2, logger: silentLogger });
    assertNoPlaintextOnDisk(seeded);
    await store.close();
    assertNoPlaintextOnDisk(seeded); // after the checkpoint on close
    store = await open();
    // The search is meaningful: a value the store does keep in clear text is found.
    assert.notEqual(databaseBytes().indexOf(Buffer.from(`aad-${TENANT}-3`, 'utf8')), -1);
  });

  it('skips a record a refresh rewrote during rotation instead of overwriting it', async function () {
    const seeded = await seed(oldVault(), 3);
    const vault = newVault();
    const target = seeded[2]!;
    const refreshed = secret('refreshed');
    const list = store.tokens.list.bind(store.tokens);
    let raced = false;
    // Between the rotation's read and its write, a worker refreshes one token (under the active key).
    sinon.stub(store.tokens, 'list').callsFake(async (page) => {
      const result = await list(page);
      const victim = result.items.find((r) => r.userId === target.userId && r.kind === target.kind);
      if (!raced && victim !== undefined) {
        raced = true;
        const put = await store.tokens.put({
          tenantId: victim.tenantId,
          userId: victim.userId,
          kind: victim.kind,
          sealed: vault.seal(refreshed, victim),
          expiresAt: null,
          expectedVersion: victim.version,
        });
        assert.ok(put.ok);
      }
      return result;
    });

    const result = await rotateTokenKeys(store, vault, { batchSize: 100, logger: silentLogger });
    assert.ok(raced);
    assert.deepEqual(result, { rotated: seeded.length - 1, skipped: 1, failed: 0 });
    const record = await store.tokens.get(target);
    assert.ok(record !== undefined);
    assert.equal(record.version, 2);
    const opened = vault.open(record.sealed, record);
    assert.ok(opened.ok);
    assert.equal(opened.value, refreshed, 'the refreshed token was overwritten by the rotation');
  });

  it('counts records it cannot open as failed, leaves them alone, and logs ids without plaintext', async function () {
    const seeded = await seed(oldVault(), 2);
    const lost = await seed(
      createTokenVault(ring('k-lost', { 'k-lost': randomBytes(32) })),
      1,
      TENANT,
      'lost',
    );
    // A row copied onto another user: its AAD no longer matches.
    const moved = seeded[0]!;
    const row = await store.tokens.get(moved);
    const other = await store.users.upsert({ tenantId: TENANT, aadObjectId: 'aad-moved' });
    assert.ok(row !== undefined);
    const copied = await store.tokens.put({
      tenantId: moved.tenantId,
      userId: other.id,
      kind: moved.kind,
      sealed: row.sealed,
      expiresAt: null,
      expectedVersion: null,
    });
    assert.ok(copied.ok);
    const { logger, lines } = captureLogs();

    const result = await rotateTokenKeys(store, newVault(), { batchSize: 2, logger });
    assert.deepEqual(result, { rotated: seeded.length, skipped: 0, failed: lost.length + 1 });
    const left = await store.tokens.get(lost[0]!);
    assert.equal(left?.sealed.keyId, 'k-lost');
    assert.equal(left.version, 1);

    const warnings = lines().filter((l) => l.includes('could not be opened'));
    assert.equal(warnings.length, lost.length + 1);
    assert.ok(warnings.some((w) => w.includes('"unknown_key"') && w.includes('k-lost')));
    assert.ok(warnings.some((w) => w.includes('"tampered"') && w.includes(other.id)));
    for (const s of [...seeded, ...lost]) assert.ok(!lines().join('\n').includes(s.plaintext));
  });

  describe('Webex webhook secrets', function () {
    interface SeededWebhook {
      readonly id: string;
      readonly binding: VaultBinding;
      readonly plaintext: string;
    }

    /** `count` users with one call webhook each, its HMAC secret sealed by `vault` as the webhook code does. */
    async function seedWebhooks(vault: TokenVault, count: number, prefix = 'hook'): Promise<SeededWebhook[]> {
      const seeded: SeededWebhook[] = [];
      for (let i = 0; i < count; i++) {
        const user = await store.users.upsert({ tenantId: TENANT, aadObjectId: `${prefix}-${i}` });
        const binding: VaultBinding = { tenantId: TENANT, userId: user.id, kind: WEBHOOK_SECRET_KIND };
        const plaintext = newWebhookSecret();
        const created = await store.webexWebhooks.create({
          id: `${prefix}-webhook-${i}`,
          userId: user.id,
          resource: 'telephony_calls',
          event: 'all',
          targetUrl: 'https://callbridge.example/api/notifications/webex',
          secret: vault.seal(plaintext, binding),
          status: i % 2 === 0 ? 'active' : 'disabled',
        });
        assert.ok(created.ok);
        seeded.push({ id: created.value.id, binding, plaintext });
      }
      return seeded;
    }

    /** The new key only: what the service runs with once the old key has been dropped. */
    const droppedVault = (): TokenVault => createTokenVault(ring('k-2026', { 'k-2026': NEW_KEY }));

    /** Signs a delivery as Webex does (the stand-in's signer) and checks it as the events route does. */
    async function verifiesDelivery(webhook: SeededWebhook, vault: TokenVault): Promise<boolean> {
      const row = await store.webexWebhooks.get(webhook.id);
      assert.ok(row !== undefined);
      const secret = vault.open(row.secret, webhook.binding);
      if (!secret.ok) return false;
      const body = Buffer.from(JSON.stringify({ id: webhook.id, resource: 'telephony_calls', event: 'all' }));
      return signatureMatches(secret.value, body, sparkSignature(webhook.plaintext, body));
    }

    it('re-seals them under the active key, so deliveries still verify once the old key is dropped', async function () {
      const tokens = await seed(oldVault(), 2);
      const hooks = await seedWebhooks(oldVault(), 5);
      const [current] = await seedWebhooks(newVault(), 1, 'current');
      assert.ok(current !== undefined);
      const currentBefore = await store.webexWebhooks.get(current.id);
      // Meaningful: without rotation, dropping the old key breaks every old webhook.
      for (const h of hooks) assert.equal(await verifiesDelivery(h, droppedVault()), false);
      const { logger, lines } = captureLogs();

      const result = await rotateKeys(store, newVault(), { batchSize: 2, logger });
      assert.deepEqual(result, {
        tokens: { rotated: tokens.length, skipped: 0, failed: 0 },
        webhookSecrets: { rotated: hooks.length, skipped: 0, failed: 0 },
      });

      for (const [i, h] of hooks.entries()) {
        const row = await store.webexWebhooks.get(h.id);
        assert.equal(row?.secret.keyId, 'k-2026');
        assert.equal(row.status, i % 2 === 0 ? 'active' : 'disabled', 'rotation changed the status');
        assert.equal(await verifiesDelivery(h, droppedVault()), true, `webhook ${h.id} no longer verifies`);
      }
      // Already under the active key: not rewritten.
      assert.deepEqual(await store.webexWebhooks.get(current.id), currentBefore);
      assert.equal(await verifiesDelivery(current, droppedVault()), true);
      // A wrong secret still fails: the check is not vacuous.
      assert.equal(
        await verifiesDelivery({ ...hooks[0]!, plaintext: newWebhookSecret() }, droppedVault()),
        false,
      );

      assert.deepEqual((await rotateKeys(store, newVault(), { batchSize: 2, logger })).webhookSecrets, {
        rotated: 0,
        skipped: 0,
        failed: 0,
      });
      const logged = lines().join('\n');
      for (const h of hooks) assert.ok(!logged.includes(h.plaintext));
    });

    it('finishes the job when re-run after a crash halfway', async function () {
      const hooks = await seedWebhooks(oldVault(), 5);
      const update = store.webexWebhooks.update.bind(store.webexWebhooks);
      let writes = 0;
      const stub = sinon.stub(store.webexWebhooks, 'update').callsFake(async (id, patch) => {
        if (++writes > 2) throw new Error('simulated crash');
        return update(id, patch);
      });
      await assert.rejects(rotateKeys(store, newVault(), { batchSize: 2, logger: silentLogger }), /crash/);
      stub.restore();
      // Half-rotated: both keys are still in the ring, so every webhook verifies meanwhile.
      for (const h of hooks) assert.equal(await verifiesDelivery(h, newVault()), true);

      const result = await rotateKeys(store, newVault(), { batchSize: 2, logger: silentLogger });
      assert.deepEqual(result.webhookSecrets, { rotated: hooks.length - 2, skipped: 0, failed: 0 });
      for (const h of hooks) assert.equal(await verifiesDelivery(h, droppedVault()), true);
    });

    it('skips a webhook deleted during rotation and counts one it cannot open as failed', async function () {
      const hooks = await seedWebhooks(oldVault(), 3);
      const [lost] = await seedWebhooks(
        createTokenVault(ring('k-lost', { 'k-lost': randomBytes(32) })),
        1,
        'lost',
      );
      assert.ok(lost !== undefined);
      const doomed = hooks[1]!;
      const list = store.webexWebhooks.list.bind(store.webexWebhooks);
      // Between the rotation's read and its write, the reconciler deletes one webhook.
      sinon.stub(store.webexWebhooks, 'list').callsFake(async (page) => {
        const result = await list(page);
        if (result.items.some((w) => w.id === doomed.id)) await store.webexWebhooks.delete(doomed.id);
        return result;
      });
      const { logger, lines } = captureLogs();

      const result = await rotateKeys(store, newVault(), { batchSize: 100, logger });
      assert.deepEqual(result.webhookSecrets, { rotated: hooks.length - 1, skipped: 1, failed: 1 });
      assert.equal(await store.webexWebhooks.get(doomed.id), undefined, 'the deleted webhook came back');
      assert.equal((await store.webexWebhooks.get(lost.id))?.secret.keyId, 'k-lost');
      const warnings = lines().filter((l) => l.includes('webhook secret could not be opened'));
      assert.equal(warnings.length, 1);
      assert.ok(warnings[0]?.includes(lost.id) && warnings[0].includes('"unknown_key"'));
      for (const h of [...hooks, lost]) assert.ok(!lines().join('\n').includes(h.plaintext));
    });
  });

  describe('rotate-keys CLI', function () {
    const keys = (...entries: [string, Buffer][]): string =>
      entries.map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');

    async function run(argv: string[], env: Record<string, string>) {
      await store.close();
      let stdout = '';
      let stderr = '';
      const code = await runRotateKeysCli(
        argv,
        { DATA_DIR: dir, LOG_LEVEL: 'warn', ...env },
        {
          stdout: { write: (t: string) => (stdout += t) },
          stderr: {
            write: (t: string | Uint8Array) => {
              stderr += String(t);
              return true;
            },
          } as unknown as NodeJS.WritableStream,
        },
      );
      store = await open();
      return { code, stdout, stderr };
    }

    it('rotates with the configured ring, prints counts and exits 0', async function () {
      const seeded = await seed(oldVault(), 3);
      const user = await store.users.upsert({ tenantId: TENANT, aadObjectId: 'cli-hook' });
      const binding: VaultBinding = { tenantId: TENANT, userId: user.id, kind: WEBHOOK_SECRET_KIND };
      const created = await store.webexWebhooks.create({
        id: 'cli-webhook',
        userId: user.id,
        resource: 'telephony_calls',
        event: 'all',
        targetUrl: 'https://callbridge.example/api/notifications/webex',
        secret: oldVault().seal(newWebhookSecret(), binding),
      });
      assert.ok(created.ok);
      const out = await run(['--batch-size', '2'], {
        TOKEN_ENCRYPTION_KEYS: keys(['k-2025', OLD_KEY], ['k-2026', NEW_KEY]),
        TOKEN_ENCRYPTION_ACTIVE_KEY_ID: 'k-2026',
      });
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /tokens: rotated 6, skipped 0 \(changed concurrently\), failed 0/);
      assert.match(
        out.stdout,
        /webex webhook secrets: rotated 1, skipped 0 \(deleted concurrently\), failed 0/,
      );
      for (const r of await all()) assert.equal(r.sealed.keyId, 'k-2026');
      assert.equal((await store.webexWebhooks.get('cli-webhook'))?.secret.keyId, 'k-2026');
      for (const s of seeded) assert.ok(!`${out.stdout}${out.stderr}`.includes(s.plaintext));
    });

    it('exits 1 when some record could not be opened', async function () {
      await seed(oldVault(), 1);
      const out = await run([], {
        TOKEN_ENCRYPTION_KEYS: keys(['k-2026', NEW_KEY]),
        TOKEN_ENCRYPTION_ACTIVE_KEY_ID: 'k-2026',
      });
      assert.equal(out.code, 1);
      assert.match(out.stdout, /tokens: rotated 0, skipped 0 \(changed concurrently\), failed 2/);
      assert.match(out.stderr, /k-2025/);
    });

    it('exits 78 with the configuration problems and 2 on bad arguments', async function () {
      const bad = await run([], { AAD_APP_TENANT_ID: TENANT });
      assert.equal(bad.code, 78);
      assert.match(bad.stderr, /TOKEN_ENCRYPTION_KEYS: required in live mode/);
      assert.equal((await run(['--batch-size', '0'], {})).code, 2);
      assert.equal((await run(['--nope'], {})).code, 2);
    });
  });
});
