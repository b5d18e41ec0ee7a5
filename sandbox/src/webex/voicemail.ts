import { randomInt } from 'node:crypto';
import { webexId } from './ids.js';

/**
 * Voicemail boxes of Webex Calling users (Voice Messaging API: list, summary, markAsRead,
 * markAsUnread, delete).
 */

export interface VoicemailParty {
  readonly name?: string;
  readonly number?: string;
  readonly personId?: string;
  readonly privacyEnabled: boolean;
}

export interface VoiceMessage {
  readonly id: string;
  readonly ownerId: string;
  /** Seconds. */
  readonly duration: number;
  readonly callingParty: VoicemailParty;
  readonly urgent: boolean;
  readonly confidential: boolean;
  read: boolean;
  readonly created: number;
}

/** Options for a message left by the console or by a call sent to voicemail. */
export interface NewVoiceMessage {
  readonly callingParty: VoicemailParty;
  readonly durationSeconds?: number;
  readonly urgent?: boolean;
  readonly confidential?: boolean;
}

/** Body of `GET /telephony/voiceMessages/summary`. */
export interface VoiceMessageSummary {
  readonly newMessages: number;
  readonly oldMessages: number;
  readonly newUrgentMessages: number;
  readonly oldUrgentMessages: number;
}

export class Voicemail {
  // Insertion order breaks ties between messages left in the same millisecond.
  private readonly messages = new Map<string, VoiceMessage>();

  constructor(private readonly now: () => number) {}

  leave(ownerId: string, message: NewVoiceMessage): VoiceMessage {
    const created: VoiceMessage = {
      id: webexId('MESSAGE'),
      ownerId,
      duration: message.durationSeconds ?? randomInt(8, 90),
      callingParty: message.callingParty,
      urgent: message.urgent ?? false,
      confidential: message.confidential ?? false,
      read: false,
      created: this.now(),
    };
    this.messages.set(created.id, created);
    return created;
  }

  /** The owner's messages, newest first. */
  list(ownerId: string): VoiceMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.ownerId === ownerId)
      .reverse()
      .sort((a, b) => b.created - a.created);
  }

  find(ownerId: string, id: string): VoiceMessage | undefined {
    const message = this.messages.get(id);
    return message?.ownerId === ownerId ? message : undefined;
  }

  /** Marks one message (or, without `id`, all of them); false when the id is not the owner's. */
  mark(ownerId: string, id: string | undefined, read: boolean): boolean {
    if (id === undefined) {
      for (const message of this.list(ownerId)) message.read = read;
      return true;
    }
    const message = this.find(ownerId, id);
    if (message === undefined) return false;
    message.read = read;
    return true;
  }

  delete(ownerId: string, id: string): boolean {
    if (this.find(ownerId, id) === undefined) return false;
    return this.messages.delete(id);
  }

  summary(ownerId: string): VoiceMessageSummary {
    const all = this.list(ownerId);
    const count = (read: boolean, urgent: boolean): number =>
      all.filter((m) => m.read === read && (!urgent || m.urgent)).length;
    return {
      newMessages: count(false, false),
      oldMessages: count(true, false),
      newUrgentMessages: count(false, true),
      oldUrgentMessages: count(true, true),
    };
  }
}

/** The JSON Webex returns for one voice message (VoiceMessageDetails). */
export function voiceMessageJson(message: VoiceMessage): Record<string, unknown> {
  return {
    id: message.id,
    duration: message.duration,
    callingParty: message.callingParty,
    urgent: message.urgent,
    confidential: message.confidential,
    read: message.read,
    created: new Date(message.created).toISOString(),
  };
}
