import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { err, ok, type Result } from '../shared/result.js';
import type { SealedSecret, TokenKind } from '../store/store.js';
import { KEY_BYTES, type TokenKeyRing } from './key-ring.js';

/**
 * Seals the refresh/access tokens CallBridge keeps to act for users in the background.
 *
 * AES-256-GCM with a fresh random 96-bit IV per seal and a full 128-bit tag. The sealed record
 * carries the id of the key that sealed it (so several keys can be live during a rotation), and
 * the ciphertext is bound to (tenantId, userId, kind) as associated data: a row copied to another
 * user, tenant or token kind does not open. See docs/decisions/token-vault.md.
 */
export interface TokenVault {
  /** The key new seals use; records under any other key need rotation. */
  readonly activeKeyId: string;
  /** Encrypts under the active key. Throws only on caller bugs (an empty binding field). */
  seal(plaintext: string, binding: VaultBinding): SealedSecret;
  /** Decrypts and authenticates. Expected failures are values; messages never hold token material. */
  open(sealed: SealedSecret, binding: VaultBinding): Result<string, VaultError>;
  /** True when the record was sealed with a key other than the active one. */
  needsRotation(sealed: SealedSecret): boolean;
}

/** What a sealed token belongs to; the same binding must be given to `open`. */
export interface VaultBinding {
  readonly tenantId: string;
  readonly userId: string;
  /** A token kind, or `webex_webhook_secret` for the HMAC secret of a Webex webhook row. */
  readonly kind: TokenKind | 'webex_webhook_secret';
}

export type VaultError =
  /** The record names a key id the ring does not hold: the operator removed it too early. */
  | { readonly code: 'unknown_key'; readonly keyId: string; readonly message: string }
  /**
   * Authentication failed: the ciphertext, IV or tag was changed, the row was moved to another
   * user/kind, or the key material behind that id changed.
   */
  | { readonly code: 'tampered'; readonly keyId: string; readonly message: string };

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Versioned domain label at the start of the associated data. */
const AAD_LABEL = 'callbridge/token-vault/v1';

export function createTokenVault(ring: TokenKeyRing): TokenVault {
  // KeyObjects keep the raw bytes out of anything that inspects or serializes the vault.
  const keys = new Map<string, KeyObject>();
  for (const [id, bytes] of ring.keys) {
    if (bytes.length !== KEY_BYTES) throw new RangeError(`token key "${id}" must be ${KEY_BYTES} bytes`);
    keys.set(id, createSecretKey(Buffer.from(bytes)));
  }
  const activeKeyId = ring.activeKeyId;
  const activeKey = keys.get(activeKeyId);
  if (activeKey === undefined)
    throw new RangeError(`the active token key "${activeKeyId}" is not in the key ring`);

  return {
    activeKeyId,

    seal(plaintext, binding) {
      const aad = associatedData(binding);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, activeKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      const input = Buffer.from(plaintext, 'utf8');
      const ciphertext = Buffer.concat([cipher.update(input), cipher.final()]);
      input.fill(0);
      return { keyId: activeKeyId, iv, tag: cipher.getAuthTag(), ciphertext };
    },

    open(sealed, binding) {
      const aad = associatedData(binding);
      const key = keys.get(sealed.keyId);
      if (key === undefined) {
        return err({
          code: 'unknown_key',
          keyId: sealed.keyId,
          message:
            `token sealed with key "${safeId(sealed.keyId)}", which is not in TOKEN_ENCRYPTION_KEYS; ` +
            'add that key back to the ring (keep old keys until rotate-keys reports 0 failed)',
        });
      }
      const tampered = err({
        code: 'tampered' as const,
        keyId: sealed.keyId,
        message:
          `token sealed with key "${safeId(sealed.keyId)}" failed authentication: the record was modified, ` +
          'copied from another user or token kind, or that key id now holds different key material',
      });
      // GCM accepts shorter tags; a truncated tag would make forgery cheaper, so only 16 bytes open.
      if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) return tampered;
      try {
        const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad);
        decipher.setAuthTag(sealed.tag);
        const plain = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
        const text = plain.toString('utf8');
        plain.fill(0);
        return ok(text);
      } catch {
        // Node's message ("Unsupported state or unable to authenticate data") says nothing more.
        return tampered;
      }
    },

    needsRotation(sealed) {
      return sealed.keyId !== activeKeyId;
    },
  };
}

/**
 * Length-prefixed, so no two different bindings encode alike (("a:b", "c") vs ("a", "b:c")).
 */
function associatedData(binding: VaultBinding): Buffer {
  const parts = [AAD_LABEL, binding.tenantId, binding.userId, binding.kind].map((part, i) => {
    if (typeof part !== 'string' || part.length === 0) {
      throw new TypeError(
        `token vault binding ${['label', 'tenantId', 'userId', 'kind'][i] ?? ''} must be a non-empty string`,
      );
    }
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  });
  return Buffer.concat(parts);
}

/** Key ids come from the database; print them only when they look like ids. */
function safeId(id: string): string {
  return /^[A-Za-z0-9._-]{1,64}$/.test(id) ? id : '(unprintable key id)';
}
