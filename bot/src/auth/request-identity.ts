import type { Request } from 'restify';
import { HttpError } from '../http/route.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Store, User } from '../store/store.js';
import {
  bearerToken,
  ssoFailureBody,
  ssoFailureStatus,
  type SsoIdentity,
  type SsoValidator,
} from './sso-validator.js';

/** Who is calling a tab API route: the validated SSO token and the CallBridge user it maps to. */
export interface RequestIdentity {
  readonly sso: SsoIdentity;
  readonly user: User;
}

/**
 * The one way a tab API route learns who is calling: the Teams SSO token in the Authorization
 * header, validated, then mapped to (and if new, enrolled as) a CallBridge user. Identities are
 * matched by (tenant id, Entra object id) from the validated token only, never by email.
 */
export async function authenticateRequest(
  req: Request,
  validator: SsoValidator,
  store: Pick<Store, 'users'>,
): Promise<Result<RequestIdentity, HttpError>> {
  const validated = await validator.validate(bearerToken(req.headers.authorization));
  if (!validated.ok) {
    const body = ssoFailureBody(validated.error);
    return err(new HttpError(ssoFailureStatus(validated.error), body.code, body.message));
  }
  const sso = validated.value;
  const existing = await store.users.getByAadObjectId(sso.tenantId, sso.aadObjectId);
  const user =
    existing ?? (await store.users.upsert({ tenantId: sso.tenantId, aadObjectId: sso.aadObjectId }));
  return ok({ sso, user });
}
