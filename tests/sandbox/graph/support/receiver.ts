import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real webhook receiver on port 0, answering Graph's validation handshake the documented way
 * (200, text/plain, URL-decoded token) unless told to misbehave, and recording every POST.
 */

export type ValidationMode = 'echo' | 'echo-encoded' | 'wrong-type' | 'status-404' | 'hang';

export interface ReceivedPost {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The `value` array of a notification POST. */
  readonly value: Record<string, unknown>[];
}

export interface Receiver {
  readonly url: string;
  readonly validations: ReceivedPost[];
  readonly notifications: ReceivedPost[];
  validationMode: ValidationMode;
  /** Statuses to answer the next notification POSTs with (then 202). */
  readonly statuses: number[];
  /** Resolves when `count` notification POSTs have arrived in total. */
  waitForNotifications(count: number, timeoutMs?: number): Promise<ReceivedPost[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver: Omit<Receiver, 'url' | 'close'> & { url: string; close: () => Promise<void> } = {
    url: '',
    validations: [],
    notifications: [],
    validationMode: 'echo',
    statuses: [],
    waitForNotifications: async (count, timeoutMs = 5000) => {
      if (receiver.notifications.length < count) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            reject(new Error(`expected ${count} notification POSTs, got ${receiver.notifications.length}`));
          }, timeoutMs);
          waiters.push({
            count,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      }
      return receiver.notifications;
    },
    close: () => Promise.resolve(),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const url = new URL(req.url ?? '/', 'http://receiver.local');
    const body = Buffer.concat(chunks).toString('utf8');
    const token = url.searchParams.get('validationToken');
    const post = {
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      value: [] as Record<string, unknown>[],
    };
    if (token !== null) {
      receiver.validations.push(post);
      answerValidation(res, receiver.validationMode, token, url);
      return;
    }
    const parsed = JSON.parse(body) as { value: Record<string, unknown>[] };
    receiver.notifications.push({ ...post, value: parsed.value });
    res.writeHead(receiver.statuses.shift() ?? 202);
    res.end();
    for (const w of [...waiters]) {
      if (receiver.notifications.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://localhost:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  return receiver;
}

function answerValidation(res: ServerResponse, mode: ValidationMode, token: string, url: URL): void {
  switch (mode) {
    case 'echo':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(token);
      return;
    case 'echo-encoded':
      // The mistake Graph's documentation warns about: returning the token still URL-encoded.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(/validationToken=([^&]*)/.exec(url.search)?.[1] ?? '');
      return;
    case 'wrong-type':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(token));
      return;
    case 'status-404':
      res.writeHead(404);
      res.end();
      return;
    case 'hang':
      // Never answers; the stand-in's validation timeout must fire.
      return;
  }
}
