import type { MessagingExtensionAttachment } from 'botbuilder';
import type { Person, PersonPresence, PhoneNumber } from '../../people/person.js';

/**
 * The person card, shared by the search messaging extension and the personal bot's `call <name>`:
 * an Adaptive Card 1.5 (name, title · department, presence, numbers, email; a Webex deep link per
 * number; "Call with Webex") with the thumbnail `preview` Teams needs to list an Adaptive result.
 *
 * "Call with Webex" is a Universal Action (`Action.Execute`, verb {@link CALL_VERB}): Teams sends
 * it to the bot as an `adaptiveCard/action` invoke from whoever presses it, and the bot answers
 * with a card for that user (ringing their Webex devices, or a deep link when they have not
 * linked Webex). So the card offers it to everyone: a result shared in a chat is pressed by
 * other people than the one who searched.
 *
 * Every string that comes from a directory, contact or presence source is treated as plain
 * text: TextBlock and FactSet text is markdown in Adaptive Cards, so it is escaped here.
 */

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const THUMBNAIL_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.thumbnail';
export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const ADAPTIVE_CARD_VERSION = '1.5';

/** The `verb` of "Call with Webex" (and "Call again"): dial through the backend for the presser. */
export const CALL_VERB = 'callbridge.call';
/** The `verb` of "Check status" and of a ringing card's refresh: the call's progress. */
export const CALL_STATUS_VERB = 'callbridge.callStatus';
export const CALL_WITH_WEBEX_TITLE = 'Call with Webex';

/** Teams refuses messages over ~28 KB; a result card stays well under that. */
export const CARD_SIZE_LIMIT_BYTES = 25 * 1024;
/** Teams shows a handful of card buttons; one per number up to this, then the Webex button. */
export const MAX_DIAL_ACTIONS = 4;

const MAX_NAME_CHARS = 200;
const MAX_LINE_CHARS = 200;
const MAX_EMAIL_CHARS = 320;
const MAX_DIAL_CHARS = 32;

export type DialScheme = 'webextel' | 'tel';

export interface PersonCardOptions {
  /** Deep link scheme for the per-number buttons; `webextel` (Webex App) by default. */
  readonly dialScheme?: DialScheme;
}

/** Who a call action is for: the `data` of "Call with Webex", carried on by the progress cards. */
export interface CallTarget {
  /** Normalised: digits, `*`, `#`, optional leading `+`. */
  readonly number: string;
  /** Display name, cleaned and capped (the card shows it; it is never logged). */
  readonly name?: string;
}

// ---------------------------------------------------------------------------------------------
// Plain text

/**
 * Escapes text for an Adaptive Card TextBlock / FactSet (markdown) with CommonMark backslash
 * escapes, so `*Bob*`, `_x_`, `[x](javascript:…)`, `<https://…>`, `` `code` ``, `&amp;` and a
 * leading `# `, `- `, `+ `, `> ` or `1. ` render literally. Only characters that can open a
 * markdown construct are escaped, so ordinary names and numbers stay readable if a client
 * shows the text unprocessed. Line breaks and control characters become single spaces.
 */
export function escapeMarkdown(text: string): string {
  const inline = plainLine(text).replace(/[\\`*_[\]()<>~|&]/g, (c) => `\\${c}`);
  // Block syntax only counts at the start of a line (each field is one line).
  return inline
    .replace(/^#/, '\\#')
    .replace(/^([+-])(?=\s|[+-]|$)/, '\\$1')
    .replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}

/** One line of plain text: control characters (line breaks included) collapsed to a space. */
function plainLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function clean(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const line = truncate(plainLine(text), max);
  return line === '' ? undefined : line;
}

/** A name as cards show it: one line, capped; `undefined` when nothing is left. */
export function plainName(text: string | undefined): string | undefined {
  return clean(text, MAX_NAME_CHARS);
}

// ---------------------------------------------------------------------------------------------
// Numbers and deep links

/**
 * A number as dialled: digits, `*` and `#`, with a leading `+` kept; everything else (spaces,
 * dashes, dots, brackets, letters) dropped. `undefined` when no digit remains or it is longer
 * than any dialable number.
 */
export function normaliseDialNumber(number: string): string | undefined {
  const trimmed = number.trim();
  const body = trimmed.replace(/[^0-9*#]/g, '');
  if (!/[0-9]/.test(body) || body.length > MAX_DIAL_CHARS) return undefined;
  return trimmed.startsWith('+') ? `+${body}` : body;
}

/**
 * The deep link that dials `number` in the Webex App (help.webex.com article n45mhmab, "Cross
 * launch URL for sign-in and calling": the `webextel` handler with the `telephone` parameter),
 * or a `tel:` URI. `undefined` when the number is empty after normalisation.
 */
export function webexDialUrl(number: string, scheme: DialScheme = 'webextel'): string | undefined {
  const dial = normaliseDialNumber(number);
  if (dial === undefined) return undefined;
  if (scheme === 'tel') return `tel:${dial.replace(/#/g, '%23')}`;
  return `webextel://login?telephone=${encodeURIComponent(dial)}`;
}

interface DialableNumber {
  readonly type: PhoneNumber['type'];
  /** Display form, cleaned (not yet escaped). */
  readonly display: string;
  readonly dial: string;
}

/** The person's numbers that dial, first occurrence of each normalised number kept. */
function dialableNumbers(phones: readonly PhoneNumber[]): DialableNumber[] {
  const seen = new Set<string>();
  const out: DialableNumber[] = [];
  for (const phone of phones) {
    const dial = normaliseDialNumber(phone.number);
    if (dial === undefined || seen.has(dial)) continue;
    seen.add(dial);
    out.push({ type: phone.type, display: clean(phone.number, MAX_LINE_CHARS) ?? dial, dial });
  }
  return out;
}

const PHONE_LABEL: Record<PhoneNumber['type'], string> = {
  business: 'Work',
  mobile: 'Mobile',
  home: 'Home',
  other: 'Other',
};

// ---------------------------------------------------------------------------------------------
// Presence

type TextColor = 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';

const AVAILABILITY: Record<string, { readonly label: string; readonly color: TextColor }> = {
  Available: { label: 'Available', color: 'Good' },
  AvailableIdle: { label: 'Available', color: 'Good' },
  Busy: { label: 'Busy', color: 'Attention' },
  BusyIdle: { label: 'Busy', color: 'Attention' },
  DoNotDisturb: { label: 'Do not disturb', color: 'Attention' },
  BeRightBack: { label: 'Be right back', color: 'Warning' },
  Away: { label: 'Away', color: 'Warning' },
  Offline: { label: 'Offline', color: 'Default' },
};

const UNKNOWN_PRESENCE = { label: 'Presence unknown', color: 'Default' } as const;

const ACTIVITY: Record<string, string> = {
  InACall: 'in a call',
  InAConferenceCall: 'in a conference call',
  InAMeeting: 'in a meeting',
  Presenting: 'presenting',
  UrgentInterruptionsOnly: 'urgent interruptions only',
  Focusing: 'focusing',
  OutOfOffice: 'out of office',
  OffWork: 'off work',
};

/**
 * Presence as words (never colour alone) plus a colour that agrees with them, e.g.
 * `Busy — in a call` (Attention). Unknown Graph values show as "Presence unknown".
 */
export function presenceText(presence: PersonPresence): { readonly text: string; readonly color: TextColor } {
  const base = AVAILABILITY[presence.availability] ?? UNKNOWN_PRESENCE;
  const activity = ACTIVITY[presence.activity];
  return { text: activity === undefined ? base.label : `${base.label} — ${activity}`, color: base.color };
}

// ---------------------------------------------------------------------------------------------
// The card

interface BuiltCard {
  readonly card: Record<string, unknown>;
  readonly preview: { readonly title: string; readonly text?: string };
}

function subtitleOf(person: Person): string | undefined {
  const parts = [clean(person.jobTitle, MAX_LINE_CHARS), clean(person.department, MAX_LINE_CHARS)].filter(
    (p): p is string => p !== undefined,
  );
  return parts.length === 0 ? undefined : parts.join(' · ');
}

function callTitles(numbers: readonly DialableNumber[]): string[] {
  const total = new Map<string, number>();
  for (const n of numbers) total.set(n.type, (total.get(n.type) ?? 0) + 1);
  const index = new Map<string, number>();
  return numbers.map((n) => {
    const i = (index.get(n.type) ?? 0) + 1;
    index.set(n.type, i);
    const label = `Call ${PHONE_LABEL[n.type].toLowerCase()}`;
    return (total.get(n.type) ?? 1) > 1 ? `${label} ${i}` : label;
  });
}

function buildCard(
  person: Person,
  options: PersonCardOptions,
  numbers: readonly DialableNumber[],
): BuiltCard {
  const name =
    clean(person.displayName, MAX_NAME_CHARS) ?? clean(person.email, MAX_EMAIL_CHARS) ?? 'Unknown person';
  const subtitle = subtitleOf(person);
  const email = clean(person.email, MAX_EMAIL_CHARS);

  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: escapeMarkdown(name), weight: 'Bolder', size: 'Medium', wrap: true },
  ];
  if (subtitle !== undefined) {
    body.push({
      type: 'TextBlock',
      text: escapeMarkdown(subtitle),
      isSubtle: true,
      spacing: 'None',
      wrap: true,
    });
  }
  if (person.presence !== undefined) {
    const presence = presenceText(person.presence);
    body.push({
      type: 'TextBlock',
      text: escapeMarkdown(presence.text),
      color: presence.color,
      spacing: 'Small',
      wrap: true,
    });
  }
  const facts = numbers.map((n) => ({ title: PHONE_LABEL[n.type], value: escapeMarkdown(n.display) }));
  if (email !== undefined) facts.push({ title: 'Email', value: escapeMarkdown(email) });
  if (facts.length > 0) body.push({ type: 'FactSet', facts });

  const scheme = options.dialScheme ?? 'webextel';
  const actions: Record<string, unknown>[] = [];
  const dialNumbers = numbers.slice(0, MAX_DIAL_ACTIONS);
  const titles = callTitles(dialNumbers);
  dialNumbers.forEach((n, i) => {
    const url = webexDialUrl(n.dial, scheme);
    if (url !== undefined) actions.push({ type: 'Action.OpenUrl', title: titles[i] ?? 'Call', url });
  });
  const first = numbers[0];
  if (first !== undefined) {
    const displayName = plainName(person.displayName);
    actions.push(
      callWithWebexAction(
        displayName === undefined ? { number: first.dial } : { number: first.dial, name: displayName },
      ),
    );
  }

  const card: Record<string, unknown> = {
    $schema: ADAPTIVE_CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    body,
  };
  if (actions.length > 0) card['actions'] = actions;
  return { card, preview: subtitle === undefined ? { title: name } : { title: name, text: subtitle } };
}

/** "Call with Webex": the Universal Action the bot answers with the call's progress. */
export function callWithWebexAction(
  target: CallTarget,
  title = CALL_WITH_WEBEX_TITLE,
): Record<string, unknown> {
  return { type: 'Action.Execute', title, verb: CALL_VERB, data: { ...target } };
}

function toAttachment(built: BuiltCard): MessagingExtensionAttachment {
  return {
    contentType: ADAPTIVE_CARD_CONTENT_TYPE,
    content: built.card,
    preview: { contentType: THUMBNAIL_CARD_CONTENT_TYPE, content: built.preview },
  };
}

/** UTF-8 size of an attachment (card and preview) as it goes on the wire. */
export function cardSizeBytes(attachment: MessagingExtensionAttachment): number {
  return Buffer.byteLength(JSON.stringify(attachment), 'utf8');
}

/**
 * One messaging-extension result for `person`. A card over {@link CARD_SIZE_LIMIT_BYTES} drops
 * numbers from the end (the first ones are the best) until it fits; names and other lines are
 * capped in length, so the numbers are the only thing that can grow without bound.
 */
export function personAttachment(
  person: Person,
  options: PersonCardOptions = {},
): MessagingExtensionAttachment {
  const numbers = dialableNumbers(person.phones);
  let attachment = toAttachment(buildCard(person, options, numbers));
  if (cardSizeBytes(attachment) <= CARD_SIZE_LIMIT_BYTES) return attachment;
  // Binary search the largest prefix of numbers that fits.
  let lo = 0;
  let hi = numbers.length - 1;
  attachment = toAttachment(buildCard(person, options, []));
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const candidate = toAttachment(buildCard(person, options, numbers.slice(0, mid)));
    if (cardSizeBytes(candidate) <= CARD_SIZE_LIMIT_BYTES) {
      attachment = candidate;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return attachment;
}
