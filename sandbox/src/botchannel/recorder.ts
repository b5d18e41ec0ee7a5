/**
 * Everything the bot sent through the connector, per conversation, in arrival order: what tests
 * assert on and what the sandbox console shows as "the bot's messages".
 */

export interface RecordedBotActivity {
  /** Global arrival order (1, 2, …): pass to `waitForActivity({ since })`. */
  readonly sequence: number;
  readonly conversationId: string;
  /** The id the connector gave the activity. */
  readonly activityId: string;
  readonly replyToId: string | undefined;
  readonly type: string;
  readonly text: string | undefined;
  readonly attachments: readonly unknown[];
  /** The activity as the bot sent it (last version when updated). */
  readonly activity: Readonly<Record<string, unknown>>;
  readonly receivedAt: string;
  readonly updatedAt: string | undefined;
  readonly deleted: boolean;
  /** From the verified bearer token: which app sent it. */
  readonly senderAppId: string;
}

export interface WaitOptions {
  readonly conversationId?: string;
  /** Only activities recorded after this sequence number; default: after the call. */
  readonly since?: number;
  readonly timeoutMs?: number;
}

interface Waiter {
  readonly matches: (a: RecordedBotActivity) => boolean;
  readonly resolve: (a: RecordedBotActivity) => void;
}

export class BotActivityRecorder {
  private readonly all: RecordedBotActivity[] = [];
  private waiters: Waiter[] = [];
  private sequenceCounter = 0;

  /** The latest sequence number (0 before anything was recorded). */
  get sequence(): number {
    return this.sequenceCounter;
  }

  record(entry: Omit<RecordedBotActivity, 'sequence' | 'updatedAt' | 'deleted'>): RecordedBotActivity {
    this.sequenceCounter += 1;
    const recorded: RecordedBotActivity = {
      ...entry,
      sequence: this.sequenceCounter,
      updatedAt: undefined,
      deleted: false,
    };
    this.all.push(recorded);
    const ready = this.waiters.filter((w) => w.matches(recorded));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve(recorded);
    return recorded;
  }

  find(conversationId: string, activityId: string): RecordedBotActivity | undefined {
    return this.all.find((a) => a.conversationId === conversationId && a.activityId === activityId);
  }

  update(
    conversationId: string,
    activityId: string,
    activity: Record<string, unknown>,
    at: string,
  ): RecordedBotActivity | undefined {
    return this.replace(conversationId, activityId, (old) => ({
      ...old,
      activity,
      type: typeof activity.type === 'string' ? activity.type : old.type,
      text: typeof activity.text === 'string' ? activity.text : undefined,
      attachments: Array.isArray(activity.attachments) ? (activity.attachments as unknown[]) : [],
      updatedAt: at,
    }));
  }

  markDeleted(conversationId: string, activityId: string, at: string): RecordedBotActivity | undefined {
    return this.replace(conversationId, activityId, (old) => ({ ...old, deleted: true, updatedAt: at }));
  }

  /** Recorded activities, optionally of one conversation, oldest first. */
  list(conversationId?: string): readonly RecordedBotActivity[] {
    return conversationId === undefined
      ? [...this.all]
      : this.all.filter((a) => a.conversationId === conversationId);
  }

  conversations(): readonly { conversationId: string; count: number; lastReceivedAt: string }[] {
    const byId = new Map<string, { conversationId: string; count: number; lastReceivedAt: string }>();
    for (const a of this.all) {
      const entry = byId.get(a.conversationId) ?? {
        conversationId: a.conversationId,
        count: 0,
        lastReceivedAt: a.receivedAt,
      };
      byId.set(a.conversationId, { ...entry, count: entry.count + 1, lastReceivedAt: a.receivedAt });
    }
    return [...byId.values()];
  }

  /** Resolves with the first activity recorded after `since` (in the conversation, if given). */
  waitForActivity(options: WaitOptions = {}): Promise<RecordedBotActivity> {
    const since = options.since ?? this.sequenceCounter;
    const matches = (a: RecordedBotActivity): boolean =>
      a.sequence > since &&
      (options.conversationId === undefined || a.conversationId === options.conversationId);
    const existing = this.all.find(matches);
    if (existing !== undefined) return Promise.resolve(existing);
    const timeoutMs = options.timeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `no bot activity${options.conversationId === undefined ? '' : ` in ${options.conversationId}`} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  clear(): void {
    this.all.length = 0;
  }

  private replace(
    conversationId: string,
    activityId: string,
    change: (old: RecordedBotActivity) => RecordedBotActivity,
  ): RecordedBotActivity | undefined {
    const index = this.all.findIndex(
      (a) => a.conversationId === conversationId && a.activityId === activityId,
    );
    const old = this.all[index];
    if (old === undefined) return undefined;
    const next = change(old);
    this.all[index] = next;
    return next;
  }
}
