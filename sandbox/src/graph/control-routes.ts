import { z } from 'zod';
import { json, type Router, type SandboxRequest } from '../shared/http.js';
import type { CallRecords } from './call-records.js';
import { ControlError, TEAMS_CLIENT_STATES, type GraphControls } from './controls.js';
import { readJsonBody } from './route.js';
import { FAMILIES } from './throttle.js';
import { parseDuration } from './time-format.js';

/**
 * The controls over HTTP under `/_sandbox/graph/...` (JSON in, JSON out) for the sandbox console.
 * Errors answer `{ error }` with 400 or 404.
 */

const BASE = '/_sandbox/graph';

const family = z.enum(FAMILIES);
const schemas = {
  teamsClient: z.object({
    state: z.enum([
      'signedOut',
      ...(Object.keys(TEAMS_CLIENT_STATES) as (keyof typeof TEAMS_CLIENT_STATES)[]),
    ]),
  }),
  preferred: z.object({
    availability: z.string().min(1),
    activity: z.string().min(1),
    expirationDuration: z.string().optional(),
  }),
  dnd: z.object({ on: z.boolean() }),
  lifecycle: z.object({ event: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']) }),
  throttle: z.union([
    z.object({
      family,
      count: z.number().int().min(1),
      retryAfterSeconds: z.number().int().min(1).default(10),
    }),
    z.object({ family, limit: z.number().int().min(0), windowSeconds: z.number().positive() }),
  ]),
  delay: z.object({ family, ms: z.number().int().min(0) }),
  latency: z.object({ ms: z.number().int().min(0) }),
  delivery: z.object({
    dropNext: z.number().int().min(0).optional(),
    slow: z.boolean().optional(),
    latencyMs: z.number().int().min(0).optional(),
  }),
  callRecord: z.object({
    id: z.string().optional(),
    organizer: z.string().min(1),
    participants: z.array(z.string().min(1)),
    startDateTime: z.string(),
    endDateTime: z.string(),
    type: z.enum(['peerToPeer', 'groupCall']).optional(),
    sessionCount: z.number().int().min(1).optional(),
  }),
};

function parse<T>(schema: z.ZodType<T>, req: SandboxRequest): T {
  const result = schema.safeParse(req.rawBody.length === 0 ? {} : readJsonBody(req.body, req.rawBody));
  if (!result.success) throw new ControlError(400, z.prettifyError(result.error));
  return result.data;
}

export function addControlRoutes(router: Router, controls: GraphControls): void {
  const add = (method: string, path: string, run: (req: SandboxRequest) => unknown): void => {
    router.add(method, `${BASE}${path}`, async (req) => {
      try {
        const result = await run(req);
        return json(200, result ?? { ok: true });
      } catch (error) {
        if (error instanceof ControlError) return json(error.status, { error: error.message });
        if (error instanceof Error && error.name === 'GraphError') return json(400, { error: error.message });
        throw error;
      }
    });
  };
  const found = (ok: boolean, what: string): { ok: true } => {
    if (!ok) throw new ControlError(404, `${what} not found`);
    return { ok: true };
  };
  const user = (req: SandboxRequest): string => req.params.id ?? '';

  add('GET', '/users', () => controls.presence.all());
  add('GET', '/users/:id/presence', (req) => controls.presence.get(user(req)));
  add('POST', '/users/:id/teams-client', (req) => {
    const { state } = parse(schemas.teamsClient, req);
    controls.presence.setTeamsClient(user(req), state);
    return controls.presence.get(user(req));
  });
  add('POST', '/users/:id/preferred', (req) => {
    const body = parse(schemas.preferred, req);
    const ms = body.expirationDuration === undefined ? undefined : parseDuration(body.expirationDuration);
    if (body.expirationDuration !== undefined && ms === undefined)
      throw new ControlError(400, 'expirationDuration must be an ISO 8601 duration');
    controls.presence.setPreferred(
      user(req),
      { availability: body.availability, activity: body.activity },
      ms,
    );
    return controls.presence.get(user(req));
  });
  add('DELETE', '/users/:id/preferred', (req) => {
    controls.presence.clearPreferred(user(req));
    return controls.presence.get(user(req));
  });
  add('POST', '/users/:id/dnd', (req) => {
    controls.presence.setDoNotDisturb(user(req), parse(schemas.dnd, req).on);
    return controls.presence.get(user(req));
  });

  add('GET', '/subscriptions', () => controls.subscriptions.list());
  add('POST', '/subscriptions/:id/expire', (req) =>
    found(controls.subscriptions.expire(req.params.id ?? ''), 'subscription'),
  );
  add('POST', '/subscriptions/:id/remove', (req) =>
    found(controls.subscriptions.remove(req.params.id ?? ''), 'subscription'),
  );
  add('POST', '/subscriptions/:id/lifecycle', (req) =>
    found(
      controls.subscriptions.sendLifecycle(req.params.id ?? '', parse(schemas.lifecycle, req).event),
      'subscription with a lifecycleNotificationUrl',
    ),
  );

  add('GET', '/delivery', () => ({
    endpoints: controls.delivery.endpoints(),
    history: controls.delivery.history(),
  }));
  add('POST', '/delivery', (req) => {
    const body = parse(schemas.delivery, req);
    if (body.dropNext !== undefined) controls.delivery.dropNext(body.dropNext);
    if (body.slow !== undefined) controls.delivery.markAllSlow(body.slow);
    if (body.latencyMs !== undefined) controls.delivery.setLatency(body.latencyMs);
  });

  add('GET', '/faults', () => controls.faults.state());
  add('POST', '/throttle', (req) => {
    const body = parse(schemas.throttle, req);
    controls.faults.throttle(
      body.family,
      'count' in body
        ? { kind: 'next', count: body.count, retryAfterSeconds: body.retryAfterSeconds }
        : { kind: 'rate', limit: body.limit, windowMs: body.windowSeconds * 1000 },
    );
    return controls.faults.state();
  });
  add('DELETE', '/throttle', () => {
    controls.faults.clearThrottle();
    return controls.faults.state();
  });
  add('DELETE', '/throttle/:family', (req) => {
    const f = family.safeParse(req.params.family);
    if (!f.success) throw new ControlError(404, `unknown family ${req.params.family ?? ''}`);
    controls.faults.clearThrottle(f.data);
    return controls.faults.state();
  });
  add('POST', '/delays', (req) => {
    const body = parse(schemas.delay, req);
    controls.faults.setDelay(body.family, body.ms);
    return controls.faults.state();
  });
  add('DELETE', '/delays', () => {
    controls.faults.clearDelays();
    return controls.faults.state();
  });
  add('POST', '/latency', (req) => {
    controls.faults.setGlobalLatency(parse(schemas.latency, req).ms);
    return controls.faults.state();
  });

  add('POST', '/call-records', (req) => {
    const body = parse(schemas.callRecord, req);
    return controls.recordCall({
      ...(body.id === undefined ? {} : { id: body.id }),
      organizer: body.organizer,
      participants: body.participants,
      startDateTime: body.startDateTime,
      endDateTime: body.endDateTime,
      ...(body.type === undefined ? {} : { type: body.type }),
      ...(body.sessionCount === undefined ? {} : { sessionCount: body.sessionCount }),
    });
  });
  add('POST', '/call-records/:id/revise', (req) =>
    found(controls.reviseCallRecord(req.params.id ?? ''), 'call record'),
  );
}

/** `GET /_sandbox/graph/users/{id}/call-records`: the call records a user took part in, newest first. */
export function addCallRecordControlRoutes(router: Router, callRecords: Pick<CallRecords, 'forUser'>): void {
  router.add('GET', `${BASE}/users/:id/call-records`, (req) => {
    const id = req.params.id ?? '';
    const records = callRecords.forUser(id);
    return records === undefined ? json(404, { error: `unknown user ${id}` }) : json(200, records);
  });
}
