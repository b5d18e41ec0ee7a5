import { compactNumber, type Directory, type DirectoryEntry } from './directory.js';

/**
 * Dial destinations as the Call Controls docs list them: digits or a URI, e.g. `1234`,
 * `2223334444`, `+12223334444`, `*73`, `tel:+12223334444`, `user@company.domain`,
 * `sip:user@company.domain`.
 */

/** CallType of a party (Call Controls `callType`). */
export type CallType = 'location' | 'organization' | 'external' | 'emergency' | 'repair' | 'other';

export interface ResolvedDestination {
  /** The number as the remote party shows it (extension for colleagues, as dialled otherwise). */
  readonly number: string;
  readonly callType: CallType;
  /** The colleague with a Webex Calling licence behind it, when there is one. */
  readonly person: DirectoryEntry | undefined;
}

const EMERGENCY = new Set(['911', '112', '999', '000']);
const DIGITS = /^\+?\d{2,20}$/;
const FEATURE_CODE = /^[*#]\d{1,4}#?$/;
const EMAIL = /^[^\s@:]+@[^\s@:]+\.[^\s@:]+$/;

/**
 * Validates and resolves a destination; undefined when Webex would reject it as invalid.
 * Visual separators in numbers (spaces, dashes, dots, brackets) are tolerated.
 */
export function resolveDestination(
  raw: unknown,
  directory: Directory,
  caller: DirectoryEntry | undefined,
): ResolvedDestination | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  if (value.length === 0 || value.length > 256) return undefined;
  const lower = value.toLowerCase();
  if (lower.startsWith('tel:')) return resolveNumber(compactNumber(value.slice(4)), directory, caller);
  if (lower.startsWith('sip:')) {
    const address = value.slice(4);
    return EMAIL.test(address) ? resolveUri(address, directory, caller) : undefined;
  }
  if (value.includes('@')) return EMAIL.test(value) ? resolveUri(value, directory, caller) : undefined;
  return resolveNumber(compactNumber(value), directory, caller);
}

function resolveNumber(
  number: string,
  directory: Directory,
  caller: DirectoryEntry | undefined,
): ResolvedDestination | undefined {
  if (FEATURE_CODE.test(number)) return { number, callType: 'other', person: undefined };
  if (!DIGITS.test(number)) return undefined;
  if (EMERGENCY.has(number)) return { number, callType: 'emergency', person: undefined };
  const person = directory.byCallingNumber(number);
  if (person !== undefined) return colleague(person, caller);
  return { number, callType: 'external', person: undefined };
}

function resolveUri(
  address: string,
  directory: Directory,
  caller: DirectoryEntry | undefined,
): ResolvedDestination {
  const person = directory.byEmailAddress(address);
  if (person?.calling === true) return colleague(person, caller);
  return { number: address, callType: 'external', person: undefined };
}

/** A colleague shows by extension; same office means the same Webex Calling location. */
export function colleague(person: DirectoryEntry, caller: DirectoryEntry | undefined): ResolvedDestination {
  const sameLocation = caller !== undefined && caller.officeLocation === person.officeLocation;
  return {
    number: person.extension ?? person.workNumberE164 ?? person.email,
    callType: sameLocation ? 'location' : 'organization',
    person,
  };
}
