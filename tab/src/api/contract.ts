import type {
  CallEndReason,
  CallState,
  CallView,
  DeepLinks,
  RecentCall,
  VoiceMessage,
} from '../../../bot/src/calls/call-service.js';
import { CALL_STATES } from '../../../bot/src/calls/call-state.js';
import type { Person, PersonSource, PhoneNumber } from '../../../bot/src/people/person.js';
import type { SpeedDial } from '../../../bot/src/speed-dials/codec.js';
import type { SavedSpeedDials, SpeedDials } from '../../../bot/src/speed-dials/speed-dial-service.js';
import {
  arrayOf,
  booleanField,
  boxed,
  field,
  isRecord,
  numberField,
  oneOf,
  optional,
  stringArray,
  stringField,
  type Parsed,
} from './json.js';

/**
 * The Call tab's API shapes (the call-tab API contract) and their parsers. Parsers accept
 * exactly what the contract promises, drop unknown fields, and answer undefined for anything
 * else.
 */

// The server's own types where it has them, so the tab and the API cannot drift apart silently.
export type {
  CallEndReason,
  CallState,
  CallView,
  DeepLinks,
  Person,
  PersonSource,
  PhoneNumber,
  RecentCall,
  SavedSpeedDials,
  SpeedDial,
  SpeedDials,
  VoiceMessage,
};

export interface WebexLinkStatus {
  readonly linked: boolean;
  readonly personId?: string;
  readonly linkedAt?: number;
  readonly expiresAt?: number;
  readonly needsRelink?: boolean;
}

export function parseWebexStatus(body: unknown): WebexLinkStatus | undefined {
  const linked = field(body, 'linked');
  if (typeof linked !== 'boolean') return undefined;
  const personId = stringField(body, 'personId');
  const linkedAt = numberField(body, 'linkedAt');
  const expiresAt = numberField(body, 'expiresAt');
  const needsRelink = field(body, 'needsRelink');
  return {
    linked,
    ...(personId === undefined ? {} : { personId }),
    ...(linkedAt === undefined ? {} : { linkedAt }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(typeof needsRelink === 'boolean' ? { needsRelink } : {}),
  };
}

/** PUT /api/speed-dials: saved, or (413) nothing written because the set would not fit. */
export type SaveSpeedDialsOutcome =
  | ({ readonly kind: 'saved' } & SavedSpeedDials)
  | { readonly kind: 'full'; readonly bytesUsed?: number; readonly bytesMax?: number };

export interface Presence {
  readonly availability: string;
  readonly activity: string;
}

export type SyncRule = 'always' | 'meetings_only' | 'never';
export type SyncAction = 'sign_in' | 'link_webex' | 'admin_consent' | 'retry';

export interface SyncStatus {
  readonly enabled: boolean;
  readonly rule: SyncRule;
  readonly lastSyncedAt: number | null;
  readonly blocked: null | { readonly code: string; readonly action: SyncAction; readonly message: string };
}

/** PUT /api/presence-sync: the new status, or (409) why it cannot be turned on. */
export type SyncUpdateOutcome =
  | { readonly kind: 'updated'; readonly status: SyncStatus }
  | {
      readonly kind: 'refused';
      readonly code: string;
      readonly action: SyncAction;
      readonly message: string;
    };

export type BootstrapSection = 'profile' | 'speedDials' | 'presence' | 'webex' | 'sync';

export interface Profile {
  readonly aadObjectId: string;
  readonly displayName: string;
  readonly jobTitle?: string;
}

export interface Bootstrap {
  readonly profile: Profile | null;
  readonly speedDials: SpeedDials | null;
  readonly presence: Readonly<Record<string, Presence>>;
  readonly webex: WebexLinkStatus | null;
  readonly sync: SyncStatus | null;
  readonly problems: readonly { readonly section: BootstrapSection; readonly code: string }[];
}

export interface PeopleResult {
  readonly people: readonly Person[];
  readonly partial: boolean;
  readonly slowSources: readonly string[];
  readonly failedSources: readonly string[];
}

export type PlacedCall =
  | { readonly mode: 'webex'; readonly call: CallView }
  | { readonly mode: 'deep_link'; readonly links: DeepLinks; readonly linkWebex: boolean };

export interface RecentCalls {
  readonly linked: boolean;
  readonly calls: readonly RecentCall[];
}

export interface Voicemail {
  readonly linked: boolean;
  readonly messages: readonly VoiceMessage[];
  readonly unread: number;
}

export function parseSpeedDial(body: unknown): SpeedDial | undefined {
  const id = stringField(body, 'id');
  const label = stringField(body, 'label');
  const number = stringField(body, 'number');
  if (id === undefined || label === undefined || number === undefined) return undefined;
  return { id, label, number, ...optional('aadObjectId', stringField(body, 'aadObjectId')) };
}

export function parseSpeedDials(body: unknown): SpeedDials | undefined {
  const entries = arrayOf(field(body, 'entries'), parseSpeedDial);
  const version = stringField(body, 'version');
  const bytesUsed = numberField(body, 'bytesUsed');
  const bytesMax = numberField(body, 'bytesMax');
  if (entries === undefined || version === undefined || bytesUsed === undefined || bytesMax === undefined)
    return undefined;
  return { entries, version, bytesUsed, bytesMax };
}

export function parseSavedSpeedDials(body: unknown): Parsed<SaveSpeedDialsOutcome> {
  const dials = parseSpeedDials(body);
  const merged = booleanField(body, 'merged');
  const conflicts = stringArray(field(body, 'conflicts'));
  if (dials === undefined || merged === undefined || conflicts === undefined) return undefined;
  return { value: { kind: 'saved', ...dials, merged, conflicts } };
}

export function parseSpeedDialsFull(body: unknown): SaveSpeedDialsOutcome | undefined {
  if (stringField(body, 'code') !== 'speed_dials_full') return undefined;
  return {
    kind: 'full',
    ...optional('bytesUsed', numberField(body, 'bytesUsed')),
    ...optional('bytesMax', numberField(body, 'bytesMax')),
  };
}

export function parsePresence(body: unknown): Presence | undefined {
  const availability = stringField(body, 'availability');
  const activity = stringField(body, 'activity');
  return availability === undefined || activity === undefined ? undefined : { availability, activity };
}

const SYNC_RULES = ['always', 'meetings_only', 'never'] as const;
const SYNC_ACTIONS = ['sign_in', 'link_webex', 'admin_consent', 'retry'] as const;

export function parseSyncStatus(body: unknown): SyncStatus | undefined {
  const enabled = booleanField(body, 'enabled');
  const rule = oneOf(field(body, 'rule'), SYNC_RULES);
  const lastSynced = field(body, 'lastSyncedAt');
  const lastSyncedAt = lastSynced === null ? null : numberField(body, 'lastSyncedAt');
  const rawBlocked = field(body, 'blocked');
  const blocked = rawBlocked === null ? null : parseSyncBlock(rawBlocked);
  if (enabled === undefined || rule === undefined || lastSyncedAt === undefined || blocked === undefined)
    return undefined;
  return { enabled, rule, lastSyncedAt, blocked };
}

function parseSyncBlock(body: unknown): { code: string; action: SyncAction; message: string } | undefined {
  const code = stringField(body, 'code');
  const action = oneOf(field(body, 'action'), SYNC_ACTIONS);
  const message = stringField(body, 'message');
  return code === undefined || action === undefined || message === undefined
    ? undefined
    : { code, action, message };
}

export function parseSyncRefusal(body: unknown): SyncUpdateOutcome | undefined {
  const block = parseSyncBlock(body);
  return block === undefined ? undefined : { kind: 'refused', ...block };
}

const SECTIONS = ['profile', 'speedDials', 'presence', 'webex', 'sync'] as const;

/**
 * Each section is checked on its own: one malformed section becomes null plus a problem, so the
 * rest of the page still paints.
 */
export function parseBootstrap(body: unknown): Bootstrap | undefined {
  if (!isRecord(body)) return undefined;
  const problems = arrayOf(field(body, 'problems'), (item) => {
    const section = oneOf(field(item, 'section'), SECTIONS);
    const code = stringField(item, 'code');
    return section === undefined || code === undefined ? undefined : { section, code };
  });
  if (problems === undefined) return undefined;
  const section = <T>(name: BootstrapSection, parse: (b: unknown) => T | undefined): T | null => {
    const raw = body[name];
    if (raw === null || raw === undefined) return null;
    const parsed = parse(raw);
    if (parsed === undefined) problems.push({ section: name, code: 'bad_response' });
    return parsed ?? null;
  };
  const presence: Record<string, Presence> = {};
  const rawPresence = body['presence'];
  if (isRecord(rawPresence)) {
    for (const [id, value] of Object.entries(rawPresence)) {
      const parsed = parsePresence(value);
      if (parsed !== undefined) presence[id] = parsed;
    }
  }
  return {
    profile: section('profile', parseProfile),
    speedDials: section('speedDials', parseSpeedDials),
    presence,
    webex: section('webex', parseWebexStatus),
    sync: section('sync', parseSyncStatus),
    problems,
  };
}

function parseProfile(body: unknown): Profile | undefined {
  const aadObjectId = stringField(body, 'aadObjectId');
  const displayName = stringField(body, 'displayName');
  if (aadObjectId === undefined || displayName === undefined) return undefined;
  return { aadObjectId, displayName, ...optional('jobTitle', stringField(body, 'jobTitle')) };
}

const PHONE_TYPES = ['business', 'mobile', 'home', 'other'] as const;
const PERSON_SOURCES = ['conversation', 'directory', 'contacts', 'speedDials'] as const;

export function parsePerson(body: unknown): Person | undefined {
  const key = stringField(body, 'key');
  const displayName = stringField(body, 'displayName');
  const phones = arrayOf(field(body, 'phones'), (item): PhoneNumber | undefined => {
    const number = stringField(item, 'number');
    if (number === undefined) return undefined;
    // A phone type a newer server adds still shows, as "other".
    return { type: oneOf(field(item, 'type'), PHONE_TYPES) ?? 'other', number };
  });
  const sources = arrayOf(field(body, 'sources'), (item) => (typeof item === 'string' ? item : undefined));
  if (key === undefined || displayName === undefined || phones === undefined || sources === undefined)
    return undefined;
  const presence = field(body, 'presence');
  return {
    key,
    displayName,
    phones,
    sources: sources.flatMap((s) => oneOf(s, PERSON_SOURCES) ?? []),
    ...optional('aadObjectId', stringField(body, 'aadObjectId')),
    ...optional('jobTitle', stringField(body, 'jobTitle')),
    ...optional('department', stringField(body, 'department')),
    ...optional('email', stringField(body, 'email')),
    ...optional('presence', presence === undefined ? undefined : parsePresence(presence)),
  };
}

export function parsePeople(body: unknown): Parsed<PeopleResult> {
  const people = arrayOf(field(body, 'people'), parsePerson);
  const partial = booleanField(body, 'partial');
  const slowSources = stringArray(field(body, 'slowSources')) ?? [];
  const failedSources = stringArray(field(body, 'failedSources')) ?? [];
  if (people === undefined || partial === undefined) return undefined;
  return { value: { people, partial, slowSources, failedSources } };
}

const END_REASONS = ['not_answered', 'busy', 'declined', 'webex_unavailable', 'unknown'] as const;

export function parseCallView(body: unknown): CallView | undefined {
  const id = stringField(body, 'id');
  const state = oneOf(field(body, 'state'), CALL_STATES);
  const destination = stringField(body, 'destination');
  const startedAt = numberField(body, 'startedAt');
  if (id === undefined || state === undefined || destination === undefined || startedAt === undefined)
    return undefined;
  const rawReason = field(body, 'reason');
  const reason = rawReason === undefined ? undefined : (oneOf(rawReason, END_REASONS) ?? 'unknown');
  return { id, state, destination, startedAt, ...optional('reason', reason) };
}

/** Only link schemes we mean to open: a server bug must never hand the page a `javascript:` URL. */
function safeLink(value: string | undefined, scheme: RegExp): string | undefined {
  return value !== undefined && scheme.test(value) ? value : undefined;
}

export function parsePlacedCall(body: unknown): Parsed<PlacedCall> {
  const mode = field(body, 'mode');
  if (mode === 'webex')
    return boxed(mapDefined(parseCallView(field(body, 'call')), (call) => ({ mode, call })));
  if (mode !== 'deep_link') return undefined;
  const links = field(body, 'links');
  const webex = safeLink(stringField(links, 'webex'), /^(webextel|webexteams|webex|sip|tel):/i);
  if (webex === undefined) return undefined;
  return {
    value: {
      mode,
      linkWebex: booleanField(body, 'linkWebex') ?? false,
      links: {
        webex,
        ...optional('tel', safeLink(stringField(links, 'tel'), /^tel:/i)),
        ...optional('sip', safeLink(stringField(links, 'sip'), /^sips?:/i)),
      },
    },
  };
}

const DIRECTIONS = ['placed', 'received', 'missed'] as const;

export function parseRecentCalls(body: unknown): Parsed<RecentCalls> {
  const linked = booleanField(body, 'linked');
  const calls = arrayOf(field(body, 'calls'), (item): RecentCall | undefined => {
    const id = stringField(item, 'id');
    const direction = oneOf(field(item, 'direction'), DIRECTIONS);
    const number = stringField(item, 'number');
    const at = numberField(item, 'at');
    if (id === undefined || direction === undefined || number === undefined || at === undefined)
      return undefined;
    return {
      id,
      direction,
      number,
      at,
      ...optional('name', stringField(item, 'name')),
      ...optional('durationSeconds', numberField(item, 'durationSeconds')),
    };
  });
  return linked === undefined || calls === undefined ? undefined : { value: { linked, calls } };
}

export function parseVoicemail(body: unknown): Parsed<Voicemail> {
  const linked = booleanField(body, 'linked');
  const unread = numberField(body, 'unread');
  const messages = arrayOf(field(body, 'messages'), (item): VoiceMessage | undefined => {
    const id = stringField(item, 'id');
    const at = numberField(item, 'at');
    const read = booleanField(item, 'read');
    const from = field(item, 'from');
    if (id === undefined || at === undefined || read === undefined || !isRecord(from)) return undefined;
    return {
      id,
      at,
      read,
      from: {
        ...optional('name', stringField(from, 'name')),
        ...optional('number', stringField(from, 'number')),
      },
      ...optional('durationSeconds', numberField(item, 'durationSeconds')),
    };
  });
  if (linked === undefined || unread === undefined || messages === undefined) return undefined;
  return { value: { linked, unread, messages } };
}

function mapDefined<T, U>(value: T | undefined, map: (value: T) => U): U | undefined {
  return value === undefined ? undefined : map(value);
}
