import { json, type Router, type SandboxRequest, type SandboxResponse } from '../../shared/http.js';
import { historyJson, HISTORY_TYPES, type HistoryType } from '../call-history.js';
import { callJson } from '../call-model.js';
import { CallError } from '../calls.js';
import { badRequest, forbidden, notFound, webexError } from '../errors.js';
import { bodyRecord, guard, noContent, stringField, tracked, type Caller } from '../http-kit.js';
import { SCOPES } from '../scopes.js';
import type { WebexWorld } from '../world.js';

/**
 * Call Controls for the signed-in user (Webex Calling): GETs need `spark:calls_read`, actions
 * `spark:calls_write`, and the user needs a Webex Calling licence. Dial answers 201
 * `{ callId, callSessionId }`; answer, hold, resume and hangup answer 204.
 */

type CallingHandler = (req: SandboxRequest, caller: Caller) => SandboxResponse;

/** Wraps a handler with auth, throttle, scope and licence checks, and maps CallError to Webex errors. */
export function callingRoute(world: WebexWorld, scope: string, handler: CallingHandler) {
  return tracked((req) => {
    const g = guard(world, req, 'calls', [scope]);
    if (!g.ok) return g.response;
    if (!g.caller.person.calling) return forbidden('The user is not licensed for Webex Calling.');
    try {
      return handler(req, g.caller);
    } catch (error) {
      if (error instanceof CallError) return webexError(error.status, error.message);
      throw error;
    }
  });
}

export function addCallRoutes(router: Router, world: WebexWorld): void {
  const { calls } = world;

  router.add(
    'POST',
    '/v1/telephony/calls/dial',
    callingRoute(world, SCOPES.callsWrite, (req, caller) => {
      const destination = bodyRecord(req).destination;
      if (destination === undefined) return badRequest('destination is required.');
      const leg = calls.dial(caller.person, destination);
      return json(201, { callId: leg.id, callSessionId: leg.sessionId });
    }),
  );

  const action = (path: string, run: (ownerId: string, callId: string) => void): void => {
    router.add(
      'POST',
      `/v1/telephony/calls/${path}`,
      callingRoute(world, SCOPES.callsWrite, (req, caller) => {
        const id = stringField(bodyRecord(req), 'callId');
        if (id === undefined) return badRequest('callId is required.');
        run(caller.person.personId, id);
        return noContent();
      }),
    );
  };
  action('answer', (owner, id) => {
    calls.answer(owner, id);
  });
  action('hold', (owner, id) => {
    calls.hold(owner, id);
  });
  action('resume', (owner, id) => {
    calls.resume(owner, id);
  });
  action('hangup', (owner, id) => {
    calls.hangup(owner, id);
  });

  router.add(
    'GET',
    '/v1/telephony/calls',
    callingRoute(world, SCOPES.callsRead, (_req, caller) =>
      json(200, { items: calls.list(caller.person.personId).map(callJson) }),
    ),
  );

  // Registered before `/{callId}` so "history" is not taken for a call id.
  router.add(
    'GET',
    '/v1/telephony/calls/history',
    callingRoute(world, SCOPES.callsRead, (req, caller) => {
      const type = req.url.searchParams.get('type') ?? undefined;
      if (type !== undefined && !(HISTORY_TYPES as readonly string[]).includes(type))
        return badRequest(`Invalid value for type: ${type}`);
      return json(200, {
        items: calls.historyOf(caller.person.personId, type as HistoryType | undefined).map(historyJson),
      });
    }),
  );

  router.add(
    'GET',
    '/v1/telephony/calls/:callId',
    callingRoute(world, SCOPES.callsRead, (req, caller) => {
      const leg = calls.find(caller.person.personId, req.params.callId ?? '');
      return leg === undefined ? notFound('Call not found.') : json(200, callJson(leg));
    }),
  );
}
