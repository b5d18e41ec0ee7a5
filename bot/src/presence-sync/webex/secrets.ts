import { randomBytes } from 'node:crypto';

/** The vault binding kind of a webhook's HMAC secret (sealed at rest like tokens). */
export const WEBHOOK_SECRET_KIND = 'webex_webhook_secret';

/** A fresh secret per webhook: 32 random bytes, base64url (Webex accepts any string). */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}
