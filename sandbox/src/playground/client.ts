import { z } from 'zod';
import { connectTextWebSocket, type TextWebSocket } from './ws-text-client.js';

/**
 * A typed client for the Microsoft 365 Agents Playground's own REST API, as its server
 * (`@microsoft/m365agentsplayground` 0.2.x, dist/index.js) defines it:
 *
 *   GET  /_debug/ping                                      → "pong"
 *   POST /_debug/conversation/:id/installation             → the app is installed there: the bot gets
 *        an `installationUpdate` (`add`) and a `conversationUpdate`
 *   GET  /_internal/v1/testConfig                          → the mocked tenant (users, chats, bot)
 *   POST /_conversation/v1/conversations/:id/messages      → a user message; in a personal chat (or
 *        with the bot @mentioned) the Playground then POSTs a `message` activity to the bot
 *   POST /_conversation/v1/invoke                          → an invoke (`composeExtension/query`, …)
 *        sent to the bot synchronously; the bot's invoke answer is the HTTP answer
 *   WS   /_ws_conversation/v1/conversations/stream         → what the bot sends to its connector
 *        (`/_connector/v3/conversations/:id/activities`) as `createMessage`/`updateMessage`/`typing`
 *
 * (`GET /_internal/v1/config` exists too, but it first waits up to 15 s for the bot endpoint to
 * answer; `testConfig` returns the same config at once.)
 */

const accountSchema = z.object({
  id: z.string(),
  name: z.string(),
  aadObjectId: z.string(),
});

const configSchema = z.object({
  config: z.object({
    tenantId: z.string(),
    bot: z.object({ id: z.string(), name: z.string() }),
    currentUser: accountSchema,
    users: z.array(accountSchema),
    personalChat: z.object({ id: z.string(), name: z.string() }),
    groupChats: z.array(z.object({ id: z.string(), name: z.string(), members: z.array(z.string()) })),
  }),
  internalConfig: z.object({ channelId: z.string().optional(), locale: z.string().optional() }),
});

export type PlaygroundConfig = z.infer<typeof configSchema>;

const createMessageAnswerSchema = z.object({
  messageId: z.string(),
  postConversationId: z.string().optional(),
  timestamp: z.number(),
});

export type CreatedMessage = z.infer<typeof createMessageAnswerSchema>;

const streamMessageSchema = z.object({
  messageId: z.string(),
  timestamp: z.number(),
  from: z.object({ id: z.string() }),
  text: z.string().optional(),
  textFormat: z.string().optional(),
  attachments: z.array(z.object({ contentType: z.string(), content: z.unknown() })).default([]),
});

const streamEventSchema = z.object({
  action: z.enum(['createMessage', 'updateMessage', 'typing']),
  actionConversationId: z.string(),
  message: streamMessageSchema.optional(),
});

/** One event of the Playground's conversation stream. */
export type PlaygroundStreamEvent = z.infer<typeof streamEventSchema>;
export type PlaygroundStreamMessage = z.infer<typeof streamMessageSchema>;

/** An HTTP answer kept whole: for invokes, a non-2xx answer is a result worth asserting. */
export interface PlaygroundHttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface ComposeExtensionQuery {
  readonly commandId: string;
  readonly parameters: readonly { readonly name: string; readonly value: string }[];
  /** Defaults to the personal chat. */
  readonly conversationId?: string;
  readonly queryOptions?: { readonly skip: number; readonly count: number };
}

export class PlaygroundApiError extends Error {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`Agents Playground ${route} answered HTTP ${status}: ${JSON.stringify(body)}`);
    this.name = 'PlaygroundApiError';
  }
}

/** What the bot sent to the Playground's connector, read from the conversation stream. */
export class PlaygroundReplies {
  private readonly events: PlaygroundStreamEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private closedReason: string | undefined;
  private socket: TextWebSocket | undefined;

  /** @internal Called by {@link PlaygroundClient.openReplies}. */
  attach(socket: TextWebSocket): void {
    this.socket = socket;
  }

  /** @internal */
  push(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = streamEventSchema.safeParse(json);
    if (!parsed.success) return;
    this.events.push(parsed.data);
    for (const wake of this.waiters) wake();
  }

  /** @internal */
  ended(reason: string): void {
    this.closedReason = reason;
    for (const wake of this.waiters) wake();
  }

  /** Every event so far, oldest first. */
  all(): readonly PlaygroundStreamEvent[] {
    return [...this.events];
  }

  /** Messages the bot created in a conversation, oldest first. */
  botMessages(botId: string, conversationId?: string): PlaygroundStreamMessage[] {
    return this.events.flatMap((e) =>
      e.action === 'createMessage' &&
      e.message !== undefined &&
      e.message.from.id === botId &&
      (conversationId === undefined || e.actionConversationId === conversationId)
        ? [e.message]
        : [],
    );
  }

  /** Resolves with the first event (already received or arriving) that matches; rejects on timeout. */
  waitFor(
    predicate: (event: PlaygroundStreamEvent) => boolean,
    timeoutMs = 10_000,
  ): Promise<PlaygroundStreamEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.find(predicate);
        if (found !== undefined) {
          done();
          resolve(found);
          return true;
        }
        if (this.closedReason !== undefined) {
          done();
          reject(new Error(`the Playground's conversation stream ended: ${this.closedReason}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `no matching Playground event within ${timeoutMs} ms; got: ${JSON.stringify(this.events)}`,
          ),
        );
      }, timeoutMs);
      const wake = (): void => {
        check();
      };
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      if (!check()) this.waiters.add(wake);
    });
  }

  close(): void {
    this.socket?.close();
  }
}

export class PlaygroundClient {
  private readonly sockets = new Set<PlaygroundReplies>();
  private config: PlaygroundConfig | undefined;

  /** @param baseUrl The Playground's root, e.g. `http://127.0.0.1:56150`. */
  constructor(readonly baseUrl: string) {}

  async ping(): Promise<boolean> {
    const response = await fetch(`${this.baseUrl}/_debug/ping`);
    return response.ok && (await response.text()) === 'pong';
  }

  /** The mocked tenant the Playground simulates (cached: it is fixed for the process). */
  async getConfig(): Promise<PlaygroundConfig> {
    if (this.config !== undefined) return this.config;
    const answer = await this.request('GET', '/_internal/v1/testConfig');
    this.config = configSchema.parse(answer);
    return this.config;
  }

  /**
   * Connects to the conversation stream. Open it before sending: the Playground buffers events
   * only while no client at all is connected (its own web page is one).
   */
  async openReplies(): Promise<PlaygroundReplies> {
    const replies = new PlaygroundReplies();
    const wsUrl = `${this.baseUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`;
    const socket = await connectTextWebSocket(wsUrl, {
      onText: (text) => {
        replies.push(text);
      },
      onClose: (reason) => {
        replies.ended(reason);
        this.sockets.delete(replies);
      },
    });
    replies.attach(socket);
    this.sockets.add(replies);
    return replies;
  }

  /** A user's message in a conversation (the Playground's "send" box). */
  async sendMessage(options: {
    readonly conversationId: string;
    readonly fromId: string;
    readonly text: string;
    readonly textFormat?: 'plain' | 'markdown' | 'xml';
  }): Promise<CreatedMessage> {
    const answer = await this.request(
      'POST',
      `/_conversation/v1/conversations/${encodeURIComponent(options.conversationId)}/messages`,
      { from: { id: options.fromId }, text: options.text, textFormat: options.textFormat ?? 'plain' },
    );
    return createMessageAnswerSchema.parse(answer);
  }

  /** The Playground's current user writes in the personal chat with the bot. */
  async sendPersonalMessage(text: string): Promise<CreatedMessage> {
    const { config } = await this.getConfig();
    return this.sendMessage({ conversationId: config.personalChat.id, fromId: config.currentUser.id, text });
  }

  /**
   * Any invoke the Playground supports (`composeExtension/query`, `composeExtension/fetchTask`,
   * `adaptiveCard/action` with `replyToId`, …). Answers are returned whole, whatever the status:
   * a bot's non-2xx invoke answer comes back as the Playground's HTTP 502 with the details.
   */
  async invoke(body: {
    readonly name: string;
    readonly conversationId: string;
    readonly fromId: string;
    readonly value: unknown;
    readonly replyToId?: string;
  }): Promise<PlaygroundHttpAnswer> {
    const response = await fetch(`${this.baseUrl}/_conversation/v1/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: body.name,
        value: body.value,
        from: { id: body.fromId },
        conversation: { id: body.conversationId },
        ...(body.replyToId === undefined ? {} : { replyToId: body.replyToId }),
      }),
    });
    return { status: response.status, body: await readBody(response) };
  }

  /**
   * The current user installs the app in the personal chat: the Playground sends the bot an
   * `installationUpdate` (`add`) and a `conversationUpdate`, asynchronously (read the replies).
   */
  async installInPersonalChat(): Promise<void> {
    const { config } = await this.getConfig();
    const response = await fetch(
      `${this.baseUrl}/_debug/conversation/${encodeURIComponent(config.personalChat.id)}/installation`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    );
    await response.body?.cancel();
    if (!response.ok)
      throw new PlaygroundApiError('POST /_debug/conversation/:id/installation', response.status, undefined);
  }

  /** A search in the compose box: the `composeExtension/query` invoke, as the current user. */
  async queryComposeExtension(query: ComposeExtensionQuery): Promise<PlaygroundHttpAnswer> {
    const { config } = await this.getConfig();
    return this.invoke({
      name: 'composeExtension/query',
      conversationId: query.conversationId ?? config.personalChat.id,
      fromId: config.currentUser.id,
      value: {
        commandId: query.commandId,
        parameters: query.parameters,
        queryOptions: query.queryOptions ?? { skip: 0, count: 25 },
      },
    });
  }

  /** Closes every conversation stream this client opened. */
  close(): void {
    for (const replies of this.sockets) replies.close();
    this.sockets.clear();
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const parsed = await readBody(response);
    if (!response.ok) throw new PlaygroundApiError(`${method} ${path}`, response.status, parsed);
    return parsed;
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
