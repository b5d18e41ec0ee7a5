import type { Response } from 'restify';
import { authenticateRequest, type RequestIdentity } from '../auth/request-identity.js';
import type { SsoValidator } from '../auth/sso-validator.js';
import type { HttpMethod, Route, RouteRequest } from '../http/route.js';
import type { Store } from '../store/store.js';
import { ApiProblem, sendProblem } from './problems.js';

export interface TabRouteAuth {
  readonly validator: SsoValidator;
  readonly store: Pick<Store, 'users'>;
}

/**
 * A Call tab API route: the caller is authenticated from the Teams SSO token first, answers are
 * never cached, and an {@link ApiProblem} thrown by `run` becomes its `{ code, message, … }` body.
 */
export function tabRoute(
  auth: TabRouteAuth,
  spec: {
    readonly method: HttpMethod;
    readonly path: string;
    readonly body?: 'none' | 'json';
    readonly maxBodyBytes?: number;
  },
  run: (req: RouteRequest, res: Response, identity: RequestIdentity) => Promise<void>,
): Route {
  return {
    method: spec.method,
    path: spec.path,
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(spec.maxBodyBytes === undefined ? {} : { maxBodyBytes: spec.maxBodyBytes }),
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, auth.validator, auth.store);
      if (!identity.ok) throw identity.error;
      res.header('cache-control', 'no-store');
      try {
        await run(req, res, identity.value);
      } catch (error) {
        if (!(error instanceof ApiProblem)) throw error;
        sendProblem(res, error);
      }
    },
  };
}

/** Sends a JSON body with `status`. */
export function reply(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.json(body);
}
