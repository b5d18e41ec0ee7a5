import {
  json,
  type Handler,
  type Router,
  type SandboxRequest,
  type SandboxResponse,
} from '../../shared/http.js';
import { CallError } from '../calls.js';
import { ControlError, type WebexControls } from '../controls.js';
import { bodyRecord } from '../http-kit.js';
import { hasAvatar } from '../person-json.js';
import { APP_STATUSES, type AppStatus } from '../presence.js';
import { isApiFamily } from '../throttle.js';
import type { WebexWorld } from '../world.js';

/**
 * The control surface over HTTP, under `/_sandbox/webex/...` (JSON in, JSON out), for the
 * sandbox console. Errors answer `{ error }` with 400/404.
 */

const BASE = '/_sandbox/webex';

/** A 1×1 PNG so avatar URLs in Person objects resolve. */
const AVATAR_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAE9AJ/2Zd3XAAAAABJRU5ErkJggg==',
  'base64',
);

function control(run: (req: SandboxRequest) => unknown): Handler {
  return async (req) => {
    try {
      const result = await run(req);
      return result === undefined ? json(200, { ok: true }) : json(200, result);
    } catch (error) {
      if (error instanceof ControlError || error instanceof CallError)
        return json(error.status, { error: error.message });
      throw error;
    }
  };
}

const str = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new ControlError(400, `${name} is required`);
  return value;
};
const optStr = (body: Record<string, unknown>, name: string): string | undefined => {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const bool = (body: Record<string, unknown>, name: string): boolean => {
  const value = body[name];
  if (typeof value !== 'boolean') throw new ControlError(400, `${name} must be true or false`);
  return value;
};
const count = (body: Record<string, unknown>): number => {
  const value = body.count;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new ControlError(400, 'count must be a whole number');
  return value;
};
const param = (req: SandboxRequest, name: string): string => req.params[name] ?? '';

export function addControlRoutes(router: Router, world: WebexWorld, controls: WebexControls): void {
  const add = (
    method: string,
    path: string,
    run: (req: SandboxRequest, body: Record<string, unknown>) => unknown,
  ): void => {
    router.add(
      method,
      `${BASE}${path}`,
      control((req) => run(req, bodyRecord(req))),
    );
  };

  add('GET', '/people', () => controls.people());
  add('GET', '/people/:personId/status', (req) => controls.getStatus(param(req, 'personId')));
  add('POST', '/people/:personId/status', (req, body) => {
    const status = str(body, 'status');
    if (!(APP_STATUSES as readonly string[]).includes(status))
      throw new ControlError(400, `status must be one of ${APP_STATUSES.join(', ')}`);
    const ttl = body.ttlSeconds;
    if (ttl !== undefined && typeof ttl !== 'number')
      throw new ControlError(400, 'ttlSeconds must be a number');
    const setBy = body.setBy ?? 'user';
    if (setBy !== 'user' && setBy !== 'app') throw new ControlError(400, 'setBy must be user or app');
    return controls.setStatus(param(req, 'personId'), status as AppStatus, ttl, setBy);
  });
  add('DELETE', '/people/:personId/status', (req) => controls.clearStatus(param(req, 'personId')));
  add('GET', '/people/:personId/status/history', (req) => controls.statusHistory(param(req, 'personId')));
  add('POST', '/people/:personId/meeting', (req, body) =>
    controls.setInMeeting(param(req, 'personId'), bool(body, 'inMeeting')),
  );
  add('POST', '/people/:personId/presenting', (req, body) =>
    controls.setPresenting(param(req, 'personId'), bool(body, 'presenting')),
  );
  add('POST', '/people/:personId/activity', (req, body) => {
    const at = body.at;
    if (at === null) return controls.setLastActivity(param(req, 'personId'), null);
    if (at !== undefined && typeof at !== 'string')
      throw new ControlError(400, 'at must be an ISO date, null or absent');
    return controls.setLastActivity(param(req, 'personId'), at === undefined ? undefined : Date.parse(at));
  });
  add('GET', '/people/:personId/dnd', (req) => controls.getDnd(param(req, 'personId')));
  add('PUT', '/people/:personId/dnd', (req, body) => controls.setDnd(param(req, 'personId'), body));
  add('POST', '/people/:personId/tokens', (req, body) => {
    const scopes = body.scopes;
    if (!Array.isArray(scopes) || !scopes.every((s): s is string => typeof s === 'string'))
      throw new ControlError(400, 'scopes must be a list');
    return controls.issueTokens(param(req, 'personId'), scopes, optStr(body, 'clientId'));
  });
  add('POST', '/people/:personId/tokens/expire', (req) => ({
    expired: controls.expireAccessTokens(param(req, 'personId')),
  }));
  add('POST', '/people/:personId/grants/revoke', (req, body) => ({
    revoked: controls.revokeGrants(param(req, 'personId'), optStr(body, 'clientId')),
  }));
  add('POST', '/people/:personId/voice-messages', (req, body) => {
    const urgent = body.urgent;
    return {
      id: controls.leaveVoiceMessage(param(req, 'personId'), str(body, 'fromNumber'), {
        ...(optStr(body, 'fromName') === undefined ? {} : { fromName: optStr(body, 'fromName') ?? '' }),
        ...(typeof urgent === 'boolean' ? { urgent } : {}),
      }),
    };
  });

  add('GET', '/calls', (req) => controls.activeCalls(req.url.searchParams.get('personId') ?? undefined));
  add('POST', '/calls/incoming', (_req, body) =>
    controls.startIncomingCall(str(body, 'toPersonId'), str(body, 'fromNumber'), optStr(body, 'fromName')),
  );
  add('POST', '/calls/start', (_req, body) =>
    controls.startCall(str(body, 'personId'), str(body, 'destination')),
  );
  add('POST', '/calls/:callId/answer-on-device', (req, body) => {
    const callId = param(req, 'callId');
    const owner = optStr(body, 'personId') ?? world.calls.get(callId)?.ownerId;
    if (owner === undefined) throw new ControlError(404, 'Call not found.');
    controls.answerOnDevice(owner, callId);
  });
  add('POST', '/calls/:callId/remote-answer', (req) => {
    controls.remoteAnswer(param(req, 'callId'));
  });
  add('POST', '/calls/:callId/remote-hangup', (req) => {
    controls.remoteHangup(param(req, 'callId'));
  });

  add('GET', '/webhooks', () => controls.webhooks());
  add('POST', '/webhooks/:webhookId/disable', (req) => {
    controls.disableWebhook(param(req, 'webhookId'));
  });
  add('GET', '/deliveries', (req) => controls.deliveries(req.url.searchParams.get('webhookId') ?? undefined));
  add('POST', '/deliveries/fail-next', (_req, body) => {
    controls.failNextDeliveries(count(body));
  });
  add('POST', '/deliveries/duplicate-next', (_req, body) => {
    controls.duplicateNextDeliveries(count(body));
  });
  add('POST', '/deliveries/reorder-next', (_req, body) => {
    controls.reorderNextDeliveries(count(body));
  });

  add('GET', '/throttle', () => world.throttle.active());
  add('POST', '/throttle', (_req, body) => {
    const family = body.family;
    const retryAfterSeconds = body.retryAfterSeconds;
    const requests = body.requests;
    if (!isApiFamily(family)) throw new ControlError(400, 'family must be people, calls or webhooks');
    if (typeof retryAfterSeconds !== 'number' || retryAfterSeconds < 0)
      throw new ControlError(400, 'retryAfterSeconds must be a number');
    if (requests !== undefined && typeof requests !== 'number')
      throw new ControlError(400, 'requests must be a number');
    controls.throttle(family, { retryAfterSeconds, requests });
  });
  add('DELETE', '/throttle', () => {
    controls.clearThrottle();
  });
  add('DELETE', '/throttle/:family', (req) => {
    const family = param(req, 'family');
    if (!isApiFamily(family)) throw new ControlError(400, 'family must be people, calls or webhooks');
    controls.clearThrottle(family);
  });

  router.add('GET', `${BASE}/avatars/:personId`, (req): SandboxResponse => {
    const entry = world.directory.get(param(req, 'personId'));
    if (entry === undefined || !hasAvatar(entry)) return json(404, { error: 'no avatar' });
    return {
      status: 200,
      headers: { 'content-type': 'image/png', 'cache-control': 'max-age=3600' },
      body: AVATAR_PNG,
    };
  });
}
