/**
 * Call history (`GET /telephony/calls/history`): "placed" records are stamped when the call is
 * placed, "missed" when it is disconnected unanswered, "received" when answered; at most 20
 * records per type are returned.
 */
export type HistoryType = 'placed' | 'received' | 'missed';
export const HISTORY_TYPES: readonly HistoryType[] = ['placed', 'received', 'missed'];
export const HISTORY_LIMIT_PER_TYPE = 20;

export interface HistoryRecord {
  readonly type: HistoryType;
  readonly name?: string;
  readonly number?: string;
  readonly privacyEnabled: boolean;
  readonly time: number;
}

export class CallHistory {
  private readonly records = new Map<string, HistoryRecord[]>();

  add(ownerId: string, record: HistoryRecord): void {
    const list = this.records.get(ownerId) ?? [];
    list.push(record);
    this.records.set(ownerId, list);
  }

  /** Newest first, at most 20 per type. */
  list(ownerId: string, type?: HistoryType): HistoryRecord[] {
    const all = [...(this.records.get(ownerId) ?? [])].reverse();
    const types = type === undefined ? HISTORY_TYPES : [type];
    return types
      .flatMap((t) => all.filter((r) => r.type === t).slice(0, HISTORY_LIMIT_PER_TYPE))
      .sort((a, b) => b.time - a.time);
  }
}

export function historyJson(record: HistoryRecord): Record<string, unknown> {
  return {
    type: record.type,
    ...(record.name === undefined ? {} : { name: record.name }),
    ...(record.number === undefined ? {} : { number: record.number }),
    privacyEnabled: record.privacyEnabled,
    time: new Date(record.time).toISOString(),
  };
}
