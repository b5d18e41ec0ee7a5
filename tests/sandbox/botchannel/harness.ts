import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startBotChannel,
  type RunningBotChannel,
  type TeamsActivity,
} from '../../../sandbox/src/botchannel/index.js';
import { createDemoOrg, DEMO_TENANT_ID, type DemoOrg } from '../../../sandbox/src/seed/org.js';

export const BOT_ID = '00000000-0000-4000-8000-00000000b075';
export const BOT_PASSWORD = 'fidelity-bot-secret';

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly activity: TeamsActivity;
}

/** A bot that records what the channel POSTs and answers as told. */
export interface FakeBot {
  readonly url: string;
  readonly received: ReceivedRequest[];
  answer: (
    activity: TeamsActivity,
  ) => Promise<{ status: number; body?: unknown }> | { status: number; body?: unknown };
  close(): Promise<void>;
}

export async function startFakeBot(): Promise<FakeBot> {
  const received: ReceivedRequest[] = [];
  const bot: { answer: FakeBot['answer'] } = { answer: () => ({ status: 200 }) };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TeamsActivity;
      received.push({ headers: req.headers, activity });
      void Promise.resolve(bot.answer(activity)).then((answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/messages`,
    received,
    get answer() {
      return bot.answer;
    },
    set answer(fn) {
      bot.answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

export interface ChannelHarness {
  readonly channel: RunningBotChannel;
  readonly bot: FakeBot;
  readonly org: DemoOrg;
  close(): Promise<void>;
}

export async function startChannel(
  options: { invokeTimeoutMs?: number; org?: DemoOrg } = {},
): Promise<ChannelHarness> {
  const org = options.org ?? createDemoOrg();
  const bot = await startFakeBot();
  const channel = await startBotChannel({
    botEndpoint: bot.url,
    botAppId: BOT_ID,
    tenantId: DEMO_TENANT_ID,
    org,
    botAppPassword: BOT_PASSWORD,
    ...(options.invokeTimeoutMs === undefined ? {} : { invokeTimeoutMs: options.invokeTimeoutMs }),
  });
  return {
    channel,
    bot,
    org,
    close: async () => {
      await channel.close();
      await bot.close();
    },
  };
}

/** A bot → channel token from the stand-in's client-credentials endpoint. */
export async function botToken(
  channel: RunningBotChannel,
  form: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${channel.tokenAuthorityHost ?? ''}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: BOT_ID,
      client_secret: BOT_PASSWORD,
      scope: 'https://api.botframework.com/.default',
      ...form,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function accessToken(channel: RunningBotChannel): Promise<string> {
  const { status, body } = await botToken(channel);
  if (status !== 200 || typeof body.access_token !== 'string')
    throw new Error(`token endpoint answered ${status}`);
  return body.access_token;
}
