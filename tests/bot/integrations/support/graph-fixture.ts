import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { GraphClient } from '../../../../bot/src/integrations/graph/graph.client.js';
import type { HttpPolicyOptions } from '../../../../bot/src/integrations/http-policy.js';
import type { Logger } from '../../../../bot/src/observability/logger.js';
import { startGraph, type GraphLogEvent, type GraphStandIn } from '../../../../sandbox/src/graph/index.js';
import { createDemoOrg, stableGuid, type DemoOrg, type DemoUser } from '../../../../sandbox/src/seed/org.js';
import { Issuer } from '../../../../sandbox/src/shared/issuer.js';
import { loadSandboxTls, type SandboxTls } from '../../../../sandbox/src/tls/index.js';

/**
 * The Graph stand-in over HTTPS (sandbox TLS, trusted through the CA scripts/test.mjs sets), on
 * port 0, with a demo org that also holds an O'Brien and a D'Arcy, a token issuer, a record of
 * every request the stand-in served and every bearer token it was shown.
 */

export const SANDBOX_TLS_DIR = fileURLToPath(new URL('../../../../.data/sandbox-tls', import.meta.url));
export const APP_ID = '11111111-2222-4333-8444-555555555555';
export const DELEGATED_SCOPES = [
  'User.Read',
  'User.ReadWrite',
  'User.ReadBasic.All',
  'Contacts.Read',
  'Presence.Read.All',
  'Presence.ReadWrite',
  'ChatMember.Read',
  'ChannelMember.Read.All',
].join(' ');

export interface GraphFixture {
  readonly graph: GraphStandIn;
  readonly org: DemoOrg;
  readonly tls: SandboxTls;
  readonly me: DemoUser;
  readonly obrien: DemoUser;
  /** A delegated token for `me`. */
  readonly token: string;
  /** Requests the stand-in answered (inner `$batch` requests included). */
  readonly requests: { method: string; path: string; status: number }[];
  /** Bearer tokens the stand-in was asked to verify. */
  readonly tokensSeen: string[];
  /** Waits handed to the injected sleep of clients made by `client()`. */
  readonly sleeps: number[];
  client(options?: {
    policy?: HttpPolicyOptions;
    baseUrl?: string;
    logger?: Logger;
    getAccessToken?: () => Promise<string>;
  }): GraphClient;
  count(path: string | RegExp, method?: string): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startGraphFixture(): Promise<GraphFixture> {
  const tls = await loadSandboxTls(SANDBOX_TLS_DIR);
  const issuer = await Issuer.create();
  const base = createDemoOrg();
  const obrien: DemoUser = {
    id: stableGuid('integration:obrien'),
    displayName: "Siobhan O'Brien",
    givenName: 'Siobhan',
    surname: "O'Brien",
    userPrincipalName: `siobhan.obrien@${base.domain}`,
    mail: `siobhan.obrien@${base.domain}`,
    jobTitle: 'Account Executive',
    department: 'Sales',
    officeLocation: 'Dublin 3/114',
    businessPhones: ['+353 1 555 0100'],
    mobilePhone: null,
  };
  const me = base.users[0];
  if (me === undefined) throw new Error('empty demo org');
  const org: DemoOrg = {
    ...base,
    users: [...base.users, obrien],
    contacts: [
      ...base.contacts,
      {
        id: Buffer.from(`contact:${me.id}:darcy`).toString('base64url'),
        ownerId: me.id,
        displayName: "D'Arcy Moreau",
        givenName: "D'Arcy",
        surname: 'Moreau',
        companyName: 'Litware',
        jobTitle: 'Buyer',
        emailAddresses: [{ name: "D'Arcy Moreau", address: 'darcy.moreau@litware.example' }],
        businessPhones: ['+44 20 7946 0999'],
        mobilePhone: null,
        homePhones: [],
      },
    ],
  };
  const requests: { method: string; path: string; status: number }[] = [];
  const tokensSeen: string[] = [];
  const graph = await startGraph({
    org,
    tls,
    verifyAccessToken: (token) => {
      tokensSeen.push(token);
      return issuer.verify(token);
    },
    log: (event: GraphLogEvent) => {
      if (event.type === 'request')
        requests.push({ method: event.method, path: event.path, status: event.status });
    },
  });
  const token = await issuer.sign({
    aud: 'https://graph.microsoft.com',
    iss: `https://sts.windows.net/${org.tenantId}/`,
    tid: org.tenantId,
    ver: '1.0',
    oid: me.id,
    sub: randomUUID(),
    appid: APP_ID,
    scp: DELEGATED_SCOPES,
    upn: me.userPrincipalName,
  });
  const sleeps: number[] = [];
  return {
    graph,
    org,
    tls,
    me,
    obrien,
    token,
    requests,
    tokensSeen,
    sleeps,
    client: (options = {}) =>
      new GraphClient({
        baseUrl: options.baseUrl ?? graph.url,
        getAccessToken: options.getAccessToken ?? (() => Promise.resolve(token)),
        policy: {
          sleep: (ms) => {
            sleeps.push(ms);
            return Promise.resolve();
          },
          ...options.policy,
        },
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      }),
    count: (path, method) =>
      requests.filter(
        (r) =>
          (method === undefined || r.method === method) &&
          (typeof path === 'string' ? r.path === path : path.test(r.path)),
      ).length,
    reset: () => {
      graph.faults.clearThrottle();
      graph.faults.clearDelays();
      requests.length = 0;
      tokensSeen.length = 0;
      sleeps.length = 0;
    },
    close: () => graph.close(),
  };
}
