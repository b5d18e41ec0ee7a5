import type { Person, PersonSource, PhoneNumber } from './person.js';

/**
 * Pure parts of the people search: query matching, merging the sources' answers into one
 * de-duplicated list, ranking and paging. No I/O here, so it is unit-tested on its own.
 */

/** One person as one source returned them, before merging. */
export interface Candidate {
  readonly source: PersonSource;
  readonly aadObjectId?: string | undefined;
  readonly displayName: string;
  readonly jobTitle?: string | undefined;
  readonly department?: string | undefined;
  readonly email?: string | undefined;
  readonly phones: readonly PhoneNumber[];
}

/** Best source first: the tier order of the ranking and of `Person.sources`. */
export const SOURCE_ORDER: readonly PersonSource[] = ['conversation', 'speedDials', 'directory', 'contacts'];

/** Phone numbers shorter than this (extensions, short codes) never merge two people. */
export const MIN_DEDUP_PHONE_DIGITS = 7;

export function phoneDigits(number: string): string {
  return number.replace(/\D/g, '');
}

function tier(source: PersonSource): number {
  return SOURCE_ORDER.indexOf(source);
}

function words(text: string): string[] {
  const tokens = text
    .toLocaleLowerCase()
    .split(/[\s.,;:@_()"/\\-]+/)
    .filter((w) => w !== '');
  // "O'Brien" answers to "obr" and to "brien".
  return tokens.flatMap((t) => (/['’]/.test(t) ? [t, t.replace(/['’]/g, ''), ...t.split(/['’]+/)] : [t]));
}

export function normaliseQuery(query: string): string {
  return query.trim().replace(/\s+/g, ' ').toLocaleLowerCase();
}

/**
 * How well `query` matches: 0 when the display name (or email) starts with it, 1 when every query
 * word is a prefix of some word of the name or email, undefined for no match. An empty query
 * matches everyone with 0.
 */
export function matchRank(query: string, displayName: string, email?: string): 0 | 1 | undefined {
  const q = normaliseQuery(query);
  if (q === '') return 0;
  const name = displayName.toLocaleLowerCase();
  const mail = email?.toLocaleLowerCase() ?? '';
  if (name.startsWith(q) || (mail !== '' && mail.startsWith(q))) return 0;
  const haystack = [...words(name), ...words(mail)];
  const wanted = words(q);
  if (wanted.length === 0) return undefined;
  return wanted.every((w) => haystack.some((h) => h.startsWith(w))) ? 1 : undefined;
}

interface Draft {
  aadObjectId: string | undefined;
  displayName: string;
  jobTitle: string | undefined;
  department: string | undefined;
  email: string | undefined;
  phones: PhoneNumber[];
  sources: PersonSource[];
}

function emailKey(email: string | undefined): string | undefined {
  const e = email?.trim().toLocaleLowerCase();
  return e === undefined || e === '' ? undefined : e;
}

function dedupDigits(phones: readonly PhoneNumber[]): string[] {
  return phones.map((p) => phoneDigits(p.number)).filter((d) => d.length >= MIN_DEDUP_PHONE_DIGITS);
}

function blankToUndefined(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Merges candidates into people: the same person is found by Entra object id, then email
 * (case-insensitive), then normalised phone digits. Candidates are taken best source first, so
 * the best source's name wins and the others only fill gaps. Candidates with nothing to call
 * (no object id, email or phone) are dropped.
 */
export function mergeCandidates(candidates: readonly Candidate[]): Person[] {
  const ordered = [...candidates].sort((a, b) => tier(a.source) - tier(b.source));
  const drafts: Draft[] = [];
  const byAad = new Map<string, Draft>();
  const byMail = new Map<string, Draft>();
  const byTel = new Map<string, Draft>();

  for (const c of ordered) {
    const aad = blankToUndefined(c.aadObjectId)?.toLowerCase();
    const mail = emailKey(c.email);
    const digits = dedupDigits(c.phones);
    const phones = c.phones.filter((p) => phoneDigits(p.number) !== '');
    if (aad === undefined && mail === undefined && phones.length === 0) continue;

    // Every earlier person this candidate matches; an email or phone match never joins two
    // different directory objects.
    const matches: Draft[] = [];
    const consider = (d: Draft | undefined): void => {
      if (d === undefined || matches.includes(d)) return;
      const aadOf = [aad, ...matches.map((m) => m.aadObjectId)].find((x) => x !== undefined);
      if (aadOf !== undefined && d.aadObjectId !== undefined && d.aadObjectId !== aadOf) return;
      matches.push(d);
    };
    if (aad !== undefined) consider(byAad.get(aad));
    if (mail !== undefined) consider(byMail.get(mail));
    for (const d of digits) consider(byTel.get(d));

    let draft = matches.sort((a, b) => drafts.indexOf(a) - drafts.indexOf(b))[0];
    if (draft === undefined) {
      draft = {
        aadObjectId: aad,
        displayName:
          c.displayName.trim() === '' ? (c.email ?? phones[0]?.number ?? '') : c.displayName.trim(),
        jobTitle: blankToUndefined(c.jobTitle),
        department: blankToUndefined(c.department),
        email: blankToUndefined(c.email),
        phones: [],
        sources: [],
      };
      drafts.push(draft);
    } else {
      // The candidate bridges several people (e.g. a phone and an email): they are one.
      for (const other of matches.slice(1)) {
        absorb(draft, other);
        drafts.splice(drafts.indexOf(other), 1);
        for (const map of [byAad, byMail, byTel])
          for (const [k, v] of map) if (v === other) map.set(k, draft);
      }
      absorb(draft, {
        aadObjectId: aad,
        displayName: c.displayName,
        jobTitle: blankToUndefined(c.jobTitle),
        department: blankToUndefined(c.department),
        email: blankToUndefined(c.email),
        phones: [],
        sources: [],
      });
    }
    if (!draft.sources.includes(c.source)) draft.sources.push(c.source);
    const known = new Set(draft.phones.map((p) => phoneDigits(p.number)));
    for (const p of phones) {
      const d = phoneDigits(p.number);
      if (!known.has(d)) {
        known.add(d);
        draft.phones.push({ type: p.type, number: p.number.trim() });
      }
    }
    if (draft.aadObjectId !== undefined) byAad.set(draft.aadObjectId, draft);
    const draftMail = emailKey(draft.email);
    if (draftMail !== undefined && !byMail.has(draftMail)) byMail.set(draftMail, draft);
    if (mail !== undefined && !byMail.has(mail)) byMail.set(mail, draft);
    for (const d of dedupDigits(draft.phones)) if (!byTel.has(d)) byTel.set(d, draft);
  }

  return drafts.map(toPerson);
}

function absorb(into: Draft, from: Draft): void {
  into.aadObjectId ??= from.aadObjectId;
  into.jobTitle ??= from.jobTitle;
  into.department ??= from.department;
  into.email ??= from.email;
  for (const s of from.sources) if (!into.sources.includes(s)) into.sources.push(s);
  const known = new Set(into.phones.map((p) => phoneDigits(p.number)));
  for (const p of from.phones) {
    const d = phoneDigits(p.number);
    if (!known.has(d)) {
      known.add(d);
      into.phones.push(p);
    }
  }
}

function toPerson(d: Draft): Person {
  const mail = emailKey(d.email);
  const firstDigits = d.phones.map((p) => phoneDigits(p.number)).find((x) => x !== '') ?? '';
  const key =
    d.aadObjectId !== undefined
      ? `aad:${d.aadObjectId}`
      : mail !== undefined
        ? `mail:${mail}`
        : `tel:${firstDigits}`;
  return {
    key,
    ...(d.aadObjectId === undefined ? {} : { aadObjectId: d.aadObjectId }),
    displayName: d.displayName,
    ...(d.jobTitle === undefined ? {} : { jobTitle: d.jobTitle }),
    ...(d.department === undefined ? {} : { department: d.department }),
    ...(d.email === undefined ? {} : { email: d.email }),
    phones: d.phones,
    sources: [...d.sources].sort((a, b) => tier(a) - tier(b)),
  };
}

/**
 * Ranks merged people: by their best source (conversation, speed dials, directory, contacts);
 * within a tier, name/email prefix matches before word matches; then alphabetically.
 */
export function rankPeople(people: readonly Person[], query: string): Person[] {
  const collator = new Intl.Collator(undefined, { sensitivity: 'base' });
  const scored = people.map((person) => ({
    person,
    tier: tier(person.sources[0] ?? 'contacts'),
    match: matchRank(query, person.displayName, person.email) ?? 1,
  }));
  scored.sort(
    (a, b) =>
      a.tier - b.tier ||
      a.match - b.match ||
      collator.compare(a.person.displayName, b.person.displayName) ||
      (a.person.key < b.person.key ? -1 : a.person.key > b.person.key ? 1 : 0),
  );
  return scored.map((s) => s.person);
}

export function page<T>(items: readonly T[], skip: number, count: number): { items: T[]; hasMore: boolean } {
  const from = Number.isFinite(skip) ? Math.max(0, Math.floor(skip)) : 0;
  const size = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
  return { items: items.slice(from, from + size), hasMore: items.length > from + size };
}
