import { json, type Router } from '../../shared/http.js';
import { badRequest, notFound } from '../errors.js';
import { bodyRecord, noContent, stringField } from '../http-kit.js';
import { paginate, readMax } from '../paging.js';
import { SCOPES } from '../scopes.js';
import { voiceMessageJson } from '../voicemail.js';
import type { WebexWorld } from '../world.js';
import { callingRoute } from './call-routes.js';

/**
 * Voice Messaging for the signed-in user: list, summary, `markAsRead`/`markAsUnread` with an
 * optional `messageId` in the body (all messages without one), delete. GETs need
 * `spark:calls_read`, the rest `spark:calls_write`; POST and DELETE answer 204.
 */
export function addVoicemailRoutes(router: Router, world: WebexWorld): void {
  const { voicemail } = world;

  router.add(
    'GET',
    '/v1/telephony/voiceMessages',
    callingRoute(world, SCOPES.callsRead, (req, caller) => {
      const max = readMax(req);
      if (max === 'invalid') return badRequest('Invalid value for max.');
      const page = paginate(req, world.site.url, voicemail.list(caller.person.personId), max ?? 100);
      return json(200, { items: page.items.map(voiceMessageJson) }, page.headers);
    }),
  );

  router.add(
    'GET',
    '/v1/telephony/voiceMessages/summary',
    callingRoute(world, SCOPES.callsRead, (_req, caller) =>
      json(200, voicemail.summary(caller.person.personId)),
    ),
  );

  for (const [path, read] of [
    ['markAsRead', true],
    ['markAsUnread', false],
  ] as const) {
    router.add(
      'POST',
      `/v1/telephony/voiceMessages/${path}`,
      callingRoute(world, SCOPES.callsWrite, (req, caller) => {
        const id = stringField(bodyRecord(req), 'messageId');
        return voicemail.mark(caller.person.personId, id, read)
          ? noContent()
          : notFound('Voice message not found.');
      }),
    );
  }

  router.add(
    'DELETE',
    '/v1/telephony/voiceMessages/:messageId',
    callingRoute(world, SCOPES.callsWrite, (req, caller) =>
      voicemail.delete(caller.person.personId, req.params.messageId ?? '')
        ? noContent()
        : notFound('Voice message not found.'),
    ),
  );
}
