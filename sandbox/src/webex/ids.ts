import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Webex resource ids are base64 of a `ciscospark://us/KIND/uuid` URI (webex-messaging OpenAPI
 * examples); the seed encodes person ids as base64url, so every id minted here does the same to
 * stay URL-safe in paths.
 */
export type WebexIdKind = 'WEBHOOK' | 'MESSAGE' | 'APPLICATION' | 'LOCATION' | 'ROLE' | 'LICENSE';

/** A new (or, with `uuid`, a stable) Webex-style resource id. */
export function webexId(kind: WebexIdKind, uuid: string = randomUUID()): string {
  return Buffer.from(`ciscospark://us/${kind}/${uuid}`).toString('base64url');
}

/** Call ids look like base64 of `ciscospark://us/CALL/callhalf-<n>:0` in captured telephony events. */
export function callId(sequence: number): string {
  return Buffer.from(`ciscospark://us/CALL/callhalf-${sequence}:0`).toString('base64url');
}

/** Call session ids are base64 of a bare UUID in captured telephony events. */
export function callSessionId(): string {
  return Buffer.from(randomUUID()).toString('base64url');
}

/** The UUID inside a Webex id (or undefined when the id is not one of ours). */
export function uuidOf(id: string): string | undefined {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const m = /^ciscospark:\/\/us\/[A-Z_]+\/(.+)$/.exec(decoded);
  return m?.[1];
}

/** An opaque secret (tokens, codes): Webex access tokens are random strings, not JWTs. */
export function opaqueSecret(bytes = 48): string {
  return randomBytes(bytes).toString('base64url');
}
