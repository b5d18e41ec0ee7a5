import { CallHistory, type HistoryRecord, type HistoryType } from './call-history.js';
import {
  isEngaged,
  type CallEventType,
  type CallLeg,
  type CallWebhookEvent,
  type Personality,
  type RemoteParty,
} from './call-model.js';
import { colleague, resolveDestination, type ResolvedDestination } from './destination.js';
import type { Directory, DirectoryEntry } from './directory.js';
import type { DndStore } from './dnd.js';
import { callId, callSessionId } from './ids.js';
import type { Voicemail } from './voicemail.js';

/**
 * The Webex Calling call engine. Click to Dial rings the user's own devices first
 * (personality `clickToDial`, state `alerting`); only when the user answers on a device is the
 * call placed (personality `originator`, state `connecting`), then the remote side answers.
 * Calls between two Webex Calling users here have a leg for each, kept in step (hold on one
 * side is `remoteHeld` on the other, hang-up ends both).
 */

/** A refusal the REST layer turns into a Webex error response. */
export class CallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

export type CallListener = (leg: CallLeg, event: CallWebhookEvent, eventType: CallEventType) => void;

export interface CallEngineDeps {
  readonly directory: Directory;
  readonly dnd: DndStore;
  readonly voicemail: Voicemail;
  readonly now: () => number;
  /** When set, a called party answers by itself after this many ms. */
  readonly remoteAutoAnswerMs?: number | undefined;
}

/** Result of ringing a user: the call, or voicemail when the user is on Do Not Disturb. */
export interface IncomingCallResult {
  readonly callId: string | undefined;
  readonly sentToVoicemail: boolean;
}

export class CallEngine {
  readonly history = new CallHistory();
  private readonly legs = new Map<string, CallLeg>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners: CallListener[] = [];
  /** Where each Click to Dial alert goes once the user answers it. */
  private readonly pendingTargets = new Map<string, ResolvedDestination>();
  private sequence = 960_542_000;

  constructor(private readonly deps: CallEngineDeps) {}

  /** Subscribes to call events (created/updated/deleted); returns the unsubscribe function. */
  onEvent(listener: CallListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** `POST /telephony/calls/dial`: alerts the caller's own devices. */
  dial(owner: DirectoryEntry, destination: unknown): CallLeg {
    const target = this.resolve(owner, destination);
    const leg = this.newLeg(owner.personId, 'clickToDial', 'alerting', this.partyFor(target));
    this.pendingTargets.set(leg.id, target);
    this.emit(leg, 'created', 'received');
    return leg;
  }

  /** The user picks up on one of their devices: answers an incoming call or places a Click to Dial call. */
  answerOnDevice(ownerId: string, id: string): void {
    const leg = this.owned(ownerId, id);
    if (leg.state !== 'alerting')
      throw new CallError(400, 'The call cannot be answered: no device is alerting for it.');
    if (leg.personality === 'terminator') {
      this.connectAnswered(leg);
      return;
    }
    const target = this.pendingTargets.get(leg.id);
    this.pendingTargets.delete(leg.id);
    if (target === undefined) throw new CallError(400, 'The call has no destination.');
    leg.personality = 'originator';
    leg.state = 'connecting';
    this.record(ownerId, 'placed', leg.remoteParty);
    this.emit(leg, 'updated', 'originated');
    this.reach(leg, target);
  }

  /**
   * `POST /telephony/calls/answer`: answers on the user's primary device whatever is alerting
   * there, an incoming call or a Click to Dial alert (the official Postman collection dials and
   * then answers its own call this way).
   */
  answer(ownerId: string, id: string): void {
    this.answerOnDevice(ownerId, id);
  }

  /** The called party answers the user's outgoing call. */
  remoteAnswer(id: string): void {
    const leg = this.active(id);
    if (leg.personality !== 'originator' || leg.state !== 'connecting')
      throw new CallError(400, 'The call is not ringing a remote party.');
    const peer = this.peer(leg);
    if (peer !== undefined) {
      this.connectAnswered(peer);
      return;
    }
    leg.state = 'connected';
    leg.answered = this.deps.now();
    this.emit(leg, 'updated', 'answered');
  }

  hold(ownerId: string, id: string): void {
    const leg = this.owned(ownerId, id);
    if (leg.state !== 'connected' && leg.state !== 'remoteHeld')
      throw new CallError(400, 'Only a connected call can be held.');
    leg.state = 'held';
    this.emit(leg, 'updated', 'held');
    const peer = this.peer(leg);
    if (peer?.state === 'connected') {
      peer.state = 'remoteHeld';
      this.emit(peer, 'updated', 'remoteHeld');
    }
  }

  resume(ownerId: string, id: string): void {
    const leg = this.owned(ownerId, id);
    if (leg.state !== 'held') throw new CallError(400, 'Only a held call can be resumed.');
    const peer = this.peer(leg);
    leg.state = peer?.state === 'held' ? 'remoteHeld' : 'connected';
    this.emit(leg, 'updated', 'resumed');
    if (peer?.state === 'remoteHeld') {
      peer.state = 'connected';
      this.emit(peer, 'updated', 'resumed');
    }
  }

  /** `POST /telephony/calls/hangup`; on an unanswered incoming call this rejects it. */
  hangup(ownerId: string, id: string): void {
    this.end(this.owned(ownerId, id));
  }

  /** The remote side hangs up (or gives up ringing). */
  remoteHangup(id: string): void {
    this.end(this.active(id));
  }

  /** Rings a user with a call from `fromNumber`; on Do Not Disturb the caller reaches voicemail. */
  startIncomingCall(to: DirectoryEntry, fromNumber: string, fromName?: string): IncomingCallResult {
    this.requireCalling(to);
    const known = this.deps.directory.byCallingNumber(fromNumber);
    const party: RemoteParty = known
      ? this.partyFor(colleague(known, to))
      : {
          ...(fromName === undefined ? {} : { name: fromName }),
          number: fromNumber,
          privacyEnabled: false,
          callType: 'external',
        };
    if (this.deps.dnd.isOn(to.personId)) {
      this.toVoicemail(to.personId, party);
      return { callId: undefined, sentToVoicemail: true };
    }
    const leg = this.newLeg(to.personId, 'terminator', 'alerting', party);
    this.emit(leg, 'created', 'received');
    return { callId: leg.id, sentToVoicemail: false };
  }

  /** Places a call from `owner` that is answered at once (console "start a Webex call"). */
  startCall(owner: DirectoryEntry, destination: unknown): CallLeg {
    const target = this.resolve(owner, destination);
    const leg = this.newLeg(owner.personId, 'originator', 'connecting', this.partyFor(target));
    this.record(owner.personId, 'placed', leg.remoteParty);
    this.emit(leg, 'created', 'originated');
    this.reach(leg, target, { answerNow: true });
    return leg;
  }

  /** The owner's calls that are not disconnected, by appearance. */
  list(ownerId: string): CallLeg[] {
    return [...this.legs.values()]
      .filter((l) => l.ownerId === ownerId)
      .sort((a, b) => a.appearance - b.appearance);
  }

  find(ownerId: string, id: string): CallLeg | undefined {
    const leg = this.legs.get(id);
    return leg?.ownerId === ownerId ? leg : undefined;
  }

  /** Any active call by id, whoever owns it (for console controls). */
  get(id: string): CallLeg | undefined {
    return this.legs.get(id);
  }

  all(): CallLeg[] {
    return [...this.legs.values()];
  }

  isInCall(personId: string): boolean {
    return this.list(personId).some(isEngaged);
  }

  historyOf(ownerId: string, type?: HistoryType): HistoryRecord[] {
    return this.history.list(ownerId, type);
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private resolve(owner: DirectoryEntry, destination: unknown): ResolvedDestination {
    this.requireCalling(owner);
    const target = resolveDestination(destination, this.deps.directory, owner);
    if (target === undefined) throw new CallError(400, 'Invalid destination.');
    return target;
  }

  private requireCalling(entry: DirectoryEntry): void {
    if (!entry.calling) throw new CallError(403, 'The user is not licensed for Webex Calling.');
  }

  /** Routes a placed call: to a colleague's phone, to their voicemail, or out to an external number. */
  private reach(leg: CallLeg, target: ResolvedDestination, options: { answerNow?: boolean } = {}): void {
    const callee = target.person;
    if (callee === undefined || callee.personId === leg.ownerId) {
      if (options.answerNow === true) this.remoteAnswer(leg.id);
      else this.scheduleAutoAnswer(leg.id);
      return;
    }
    const caller = this.deps.directory.get(leg.ownerId);
    const party = this.partyFor(caller === undefined ? target : colleague(caller, callee));
    if (this.deps.dnd.isOn(callee.personId)) {
      leg.voicemailOf = callee.personId;
      leg.state = 'connected';
      leg.answered = this.deps.now();
      this.emit(leg, 'updated', 'answered');
      this.record(callee.personId, 'missed', party);
      return;
    }
    const peer = this.newLeg(callee.personId, 'terminator', 'alerting', party, leg.sessionId);
    peer.peerId = leg.id;
    leg.peerId = peer.id;
    this.emit(peer, 'created', 'received');
    if (options.answerNow === true) this.connectAnswered(peer);
    else this.scheduleAutoAnswer(peer.id);
  }

  private connectAnswered(terminator: CallLeg): void {
    const at = this.deps.now();
    terminator.state = 'connected';
    terminator.answered = at;
    this.record(terminator.ownerId, 'received', terminator.remoteParty);
    this.emit(terminator, 'updated', 'answered');
    const caller = this.peer(terminator);
    if (caller?.state === 'connecting') {
      caller.state = 'connected';
      caller.answered = at;
      this.emit(caller, 'updated', 'answered');
    }
  }

  private end(leg: CallLeg): void {
    if (!this.legs.has(leg.id)) return;
    const at = this.deps.now();
    this.legs.delete(leg.id);
    this.pendingTargets.delete(leg.id);
    this.clearTimer(leg.id);
    if (leg.personality === 'terminator' && leg.answered === undefined)
      this.record(leg.ownerId, 'missed', leg.remoteParty);
    leg.state = 'disconnected';
    leg.disconnected = at;
    this.emit(leg, 'deleted', 'disconnected');
    if (leg.voicemailOf !== undefined) this.leaveMessage(leg, at);
    const peer = leg.peerId === undefined ? undefined : this.legs.get(leg.peerId);
    if (peer !== undefined) this.end(peer);
  }

  /** The caller hung up on a colleague's voicemail: the colleague finds a message. */
  private leaveMessage(leg: CallLeg, at: number): void {
    const caller = this.deps.directory.get(leg.ownerId);
    const callee = leg.voicemailOf === undefined ? undefined : this.deps.directory.get(leg.voicemailOf);
    if (caller === undefined || callee === undefined) return;
    this.deps.voicemail.leave(callee.personId, {
      callingParty: voicemailParty(this.partyFor(colleague(caller, callee))),
      durationSeconds: Math.max(1, Math.round((at - (leg.answered ?? at)) / 1000)),
    });
  }

  private toVoicemail(ownerId: string, party: RemoteParty): void {
    this.record(ownerId, 'missed', party);
    this.deps.voicemail.leave(ownerId, { callingParty: voicemailParty(party) });
  }

  private scheduleAutoAnswer(id: string): void {
    const delay = this.deps.remoteAutoAnswerMs;
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      const leg = this.legs.get(id);
      if (leg === undefined) return;
      if (leg.personality === 'terminator' && leg.state === 'alerting') this.connectAnswered(leg);
      else if (leg.state === 'connecting') this.remoteAnswer(id);
    }, delay);
    timer.unref();
    this.timers.set(id, timer);
  }

  private clearTimer(id: string): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(id);
  }

  private newLeg(
    ownerId: string,
    personality: Personality,
    state: CallLeg['state'],
    remoteParty: RemoteParty,
    sessionId: string = callSessionId(),
  ): CallLeg {
    this.sequence += 1;
    const leg: CallLeg = {
      id: callId(this.sequence),
      sessionId,
      ownerId,
      personality,
      state,
      remoteParty,
      appearance: this.nextAppearance(ownerId),
      created: this.deps.now(),
      answered: undefined,
      disconnected: undefined,
      peerId: undefined,
      voicemailOf: undefined,
    };
    this.legs.set(leg.id, leg);
    return leg;
  }

  private nextAppearance(ownerId: string): number {
    const used = new Set(this.list(ownerId).map((l) => l.appearance));
    let n = 1;
    while (used.has(n)) n += 1;
    return n;
  }

  private partyFor(target: ResolvedDestination): RemoteParty {
    const person = target.person;
    return {
      ...(person === undefined ? {} : { name: person.user.displayName }),
      number: target.number,
      ...(person === undefined ? {} : { personId: person.personId }),
      privacyEnabled: false,
      callType: target.callType,
    };
  }

  private record(ownerId: string, type: HistoryType, party: RemoteParty): void {
    this.history.add(ownerId, {
      type,
      ...(party.name === undefined ? {} : { name: party.name }),
      number: party.number,
      privacyEnabled: party.privacyEnabled,
      time: this.deps.now(),
    });
  }

  private owned(ownerId: string, id: string): CallLeg {
    const leg = this.find(ownerId, id);
    if (leg === undefined) throw new CallError(404, 'Call not found.');
    return leg;
  }

  private active(id: string): CallLeg {
    const leg = this.legs.get(id);
    if (leg === undefined) throw new CallError(404, 'Call not found.');
    return leg;
  }

  private peer(leg: CallLeg): CallLeg | undefined {
    return leg.peerId === undefined ? undefined : this.legs.get(leg.peerId);
  }

  private emit(leg: CallLeg, event: CallWebhookEvent, eventType: CallEventType): void {
    for (const listener of [...this.listeners]) listener(leg, event, eventType);
  }
}

function voicemailParty(party: RemoteParty): {
  name?: string;
  number?: string;
  personId?: string;
  privacyEnabled: boolean;
} {
  return {
    ...(party.name === undefined ? {} : { name: party.name }),
    number: party.number,
    ...(party.personId === undefined ? {} : { personId: party.personId }),
    privacyEnabled: party.privacyEnabled,
  };
}
