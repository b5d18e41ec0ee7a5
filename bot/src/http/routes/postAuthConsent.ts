import { z } from 'zod';
import { EXTRA, type ConsentDeps } from '../../auth/consent/deps.js';
import { authenticateRequest } from '../../auth/request-identity.js';
import { noStore } from '../../oauth-popup/index.js';
import { validate, type Route } from '../route.js';

const MAX_CLAIMS_CHARS = 2000;

const body = z
  .strictObject({
    /** The claims challenge from a 403 `interaction_required` (MFA / Conditional Access). */
    claims: z
      .string()
      .min(2)
      .max(MAX_CLAIMS_CHARS)
      .refine(isJsonObject, { message: 'must be the JSON claims challenge' })
      .optional(),
    /** `consent`: show the consent screen even if Entra thinks it was given. */
    prompt: z.literal('consent').optional(),
  })
  .optional();

/**
 * `POST /api/auth/consent` (Teams SSO; body optional `{ claims?, prompt? }`): starts a Microsoft
 * sign-in attempt for the caller and answers `{ url }`, the start URL the tab opens with
 * `authentication.authenticate` (a popup cannot carry the SSO token). The attempt is sealed,
 * single use, 10 minutes, bound to the caller's tenant and user, and remembers the caller's
 * sign-in name as the login hint.
 */
export function postAuthConsent(deps: ConsentDeps): Route {
  return {
    method: 'post',
    path: '/api/auth/consent',
    body: 'json',
    maxBodyBytes: 8 * 1024,
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, deps.validator, deps.store);
      if (!identity.ok) throw identity.error;
      const input = validate(body, req.body);
      if (!input.ok) throw input.error;
      const { sso, user } = identity.value;
      const extras: Record<string, string> = {};
      if (input.value?.claims !== undefined) extras[EXTRA.claims] = input.value.claims;
      if (input.value?.prompt !== undefined) extras[EXTRA.prompt] = input.value.prompt;
      if (sso.preferredUsername !== undefined && sso.preferredUsername.length <= 256)
        extras[EXTRA.loginHint] = sso.preferredUsername;
      noStore(res);
      res.status(200);
      res.json({ url: deps.flow.attemptUrl(user, extras) });
    },
  };
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}
