import { createHmac, randomUUID } from 'node:crypto';

/**
 * Webhook deliveries: each notification is POSTed as JSON to the webhook's targetUrl with
 * `X-Spark-Signature` = lowercase hex HMAC-SHA1 of the exact body bytes keyed with the webhook
 * secret (Webhooks guide). Failures (non-2xx or unreachable) are counted per webhook; too many
 * within the window disable it. Controls can fail, duplicate or reorder upcoming deliveries.
 */

export type DeliveryStatus = 'pending' | 'held' | 'delivered' | 'failed' | 'dropped';

export interface DeliveryRecord {
  readonly id: string;
  readonly webhookId: string;
  readonly targetUrl: string;
  readonly event: string;
  readonly eventType: string | undefined;
  readonly callId: string | undefined;
  /** The exact bytes POSTed (UTF-8 JSON). */
  readonly body: string;
  readonly signature: string | undefined;
  readonly enqueuedAt: number;
  /** Set on the copy made by a duplicate control. */
  readonly duplicateOf: string | undefined;
  status: DeliveryStatus;
  httpStatus: number | undefined;
  error: string | undefined;
  attemptedAt: number | undefined;
}

/** What the engine needs to know about the webhook at send time. */
export interface DeliveryTarget {
  readonly id: string;
  readonly targetUrl: string;
  readonly secret: string | undefined;
  isActive(): boolean;
  /** Records a failed delivery at `at`; the webhook decides whether to disable itself. */
  recordFailure(at: number): void;
}

export interface DeliveryEngineOptions {
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly timeoutMs: number;
}

/** Lowercase hex HMAC-SHA1 of `body` with `secret`, as in `X-Spark-Signature`. */
export function sparkSignature(secret: string, body: string | Buffer): string {
  return createHmac('sha1', secret).update(body).digest('hex');
}

export class DeliveryEngine {
  private readonly records: DeliveryRecord[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private failRemaining = 0;
  private duplicateRemaining = 0;
  private holdCount = 0;
  private held: { record: DeliveryRecord; target: DeliveryTarget }[] = [];

  constructor(private readonly options: DeliveryEngineOptions) {}

  /** Queues one notification for a webhook. */
  enqueue(
    target: DeliveryTarget,
    payload: { body: string; event: string; eventType?: string; callId?: string },
  ): DeliveryRecord {
    const record = this.newRecord(target, payload, undefined);
    if (this.holdCount > 0) {
      record.status = 'held';
      this.held.push({ record, target });
      if (this.held.length >= this.holdCount) this.releaseHeld();
      return record;
    }
    this.send(record, target);
    return record;
  }

  /** The next `count` deliveries fail as if the receiver were down (they still count as failures). */
  failNext(count: number): void {
    this.failRemaining = Math.max(0, count);
  }

  /** Each of the next `count` deliveries is sent twice, byte for byte. */
  duplicateNext(count: number): void {
    this.duplicateRemaining = Math.max(0, count);
  }

  /** Holds the next `count` deliveries and then sends them newest first. */
  reorderNext(count: number): void {
    this.holdCount = Math.max(0, count);
    if (this.holdCount === 0) this.releaseHeld();
  }

  list(webhookId?: string): DeliveryRecord[] {
    return this.records.filter((r) => webhookId === undefined || r.webhookId === webhookId);
  }

  /** Resolves once every queued delivery has been attempted. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private releaseHeld(): void {
    const batch = this.held.reverse();
    this.held = [];
    this.holdCount = 0;
    for (const { record, target } of batch) {
      record.status = 'pending';
      this.send(record, target);
    }
  }

  private send(record: DeliveryRecord, target: DeliveryTarget): void {
    const copies = [record];
    if (this.duplicateRemaining > 0) {
      this.duplicateRemaining -= 1;
      copies.push(this.newRecord(target, record, record.id));
    }
    for (const copy of copies) {
      const previous = this.chains.get(target.id) ?? Promise.resolve();
      const next = previous.then(() => this.attempt(copy, target));
      this.chains.set(target.id, next);
      void next.then(() => {
        if (this.chains.get(target.id) === next) this.chains.delete(target.id);
      });
    }
  }

  private async attempt(record: DeliveryRecord, target: DeliveryTarget): Promise<void> {
    if (!target.isActive()) {
      record.status = 'dropped';
      return;
    }
    record.attemptedAt = this.options.now();
    if (this.failRemaining > 0) {
      this.failRemaining -= 1;
      this.fail(record, target, undefined, 'simulated failure (sandbox control)');
      return;
    }
    try {
      const response = await this.options.fetch(record.targetUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(record.signature === undefined ? {} : { 'x-spark-signature': record.signature }),
        },
        body: record.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      // Drain the body so keep-alive sockets are released.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        record.status = 'delivered';
        record.httpStatus = response.status;
      } else {
        this.fail(record, target, response.status, `HTTP ${response.status}`);
      }
    } catch (error) {
      this.fail(record, target, undefined, error instanceof Error ? error.message : String(error));
    }
  }

  private fail(
    record: DeliveryRecord,
    target: DeliveryTarget,
    httpStatus: number | undefined,
    error: string,
  ): void {
    record.status = 'failed';
    record.httpStatus = httpStatus;
    record.error = error;
    target.recordFailure(this.options.now());
  }

  private newRecord(
    target: DeliveryTarget,
    payload: { body: string; event: string; eventType?: string | undefined; callId?: string | undefined },
    duplicateOf: string | undefined,
  ): DeliveryRecord {
    const record: DeliveryRecord = {
      id: randomUUID(),
      webhookId: target.id,
      targetUrl: target.targetUrl,
      event: payload.event,
      eventType: payload.eventType,
      callId: payload.callId,
      body: payload.body,
      signature: target.secret === undefined ? undefined : sparkSignature(target.secret, payload.body),
      enqueuedAt: this.options.now(),
      duplicateOf,
      status: 'pending',
      httpStatus: undefined,
      error: undefined,
      attemptedAt: undefined,
    };
    this.records.push(record);
    return record;
  }
}
