import { json, type Router, type SandboxRequest, type SandboxResponse } from '../../shared/http.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { bodyRecord, guard, noContent, tracked } from '../http-kit.js';
import { paginate, readMax } from '../paging.js';
import { hasScope } from '../scopes.js';
import {
  isHttpUrl,
  readWebhookCreate,
  requiredReadScope,
  webhookJson,
  type WebhookRecord,
} from '../webhooks.js';
import type { WebexWorld } from '../world.js';

/**
 * `/v1/webhooks` CRUD (webex-messaging OpenAPI): create answers 200 with the Webhook; a caller
 * sees the webhooks they created through the same integration; PUT updates `name`,
 * `targetUrl`, `secret` and may only set `status` to `active` (re-activating a disabled
 * webhook); DELETE answers 204.
 */
export function addWebhookRoutes(router: Router, world: WebexWorld): void {
  const { webhooks, oauth } = world;
  const NOT_FOUND = 'The requested webhook could not be found.';

  /** The caller's own webhook named in the path (created by them through this integration). */
  const ownWebhook = (
    req: SandboxRequest,
  ): { readonly webhook: WebhookRecord } | { readonly response: SandboxResponse } => {
    const g = guard(world, req, 'webhooks', []);
    if (!g.ok) return { response: g.response };
    const webhook = webhooks.findFor(
      g.caller.person.personId,
      g.caller.principal.clientId,
      req.params.webhookId ?? '',
    );
    return webhook === undefined ? { response: notFound(NOT_FOUND) } : { webhook };
  };

  router.add(
    'POST',
    '/v1/webhooks',
    tracked((req) => {
      const g = guard(world, req, 'webhooks', []);
      if (!g.ok) return g.response;
      const fields = readWebhookCreate(req.body);
      if ('invalid' in fields) return badRequest(fields.invalid);
      const scope = requiredReadScope(fields.resource);
      if (scope !== undefined && !hasScope(g.caller.principal.scopes, scope))
        return forbidden(`Missing scope(s): ${scope}`);
      const { personId } = g.caller.person;
      const { clientId } = g.caller.principal;
      return json(200, webhookJson(webhooks.create(fields, personId, clientId, oauth.appId(clientId))));
    }),
  );

  router.add(
    'GET',
    '/v1/webhooks',
    tracked((req) => {
      const g = guard(world, req, 'webhooks', []);
      if (!g.ok) return g.response;
      const max = readMax(req);
      if (max === 'invalid') return badRequest('Invalid value for max.');
      const mine = webhooks.listFor(g.caller.person.personId, g.caller.principal.clientId);
      // Personal webhooks only: `ownedBy=org` lists org-wide ones, which this caller has none of.
      const listed = req.url.searchParams.get('ownedBy') === 'org' ? [] : mine;
      const page = paginate(req, world.site.url, listed, max ?? 100);
      return json(200, { items: page.items.map(webhookJson) }, page.headers);
    }),
  );

  router.add(
    'GET',
    '/v1/webhooks/:webhookId',
    tracked((req) => {
      const owned = ownWebhook(req);
      if ('response' in owned) return owned.response;
      const { webhook } = owned;
      return json(200, webhookJson(webhook));
    }),
  );

  router.add(
    'PUT',
    '/v1/webhooks/:webhookId',
    tracked((req) => {
      const owned = ownWebhook(req);
      if ('response' in owned) return owned.response;
      const { webhook } = owned;
      const body = bodyRecord(req);
      const { name, targetUrl, secret, status } = body;
      if (typeof name !== 'string' || name === '') return badRequest('Missing required field: name');
      if (!isHttpUrl(targetUrl)) return badRequest('Missing required field: targetUrl');
      if (secret !== undefined && typeof secret !== 'string') return badRequest('Invalid value for secret');
      if (status !== undefined && status !== 'active') {
        return badRequest(
          'Invalid value for status: a webhook can only be set to active; delete it to stop events.',
        );
      }
      webhook.name = name;
      webhook.targetUrl = targetUrl;
      if (typeof secret === 'string') webhook.secret = secret === '' ? undefined : secret;
      if (status === 'active') webhooks.activate(webhook);
      return json(200, webhookJson(webhook));
    }),
  );

  router.add(
    'DELETE',
    '/v1/webhooks/:webhookId',
    tracked((req) => {
      const owned = ownWebhook(req);
      if ('response' in owned) return owned.response;
      const { webhook } = owned;
      webhooks.delete(webhook.id);
      return noContent();
    }),
  );
}
