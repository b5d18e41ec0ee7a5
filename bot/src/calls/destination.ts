import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { webexDialUrl } from '../messaging-extension/cards/person-card.js';
import { err, ok, type Result } from '../shared/result.js';
import type { DeepLinks } from './call-service.js';

/**
 * What a user may dial, as typed or pasted: a phone number in any common notation (made E.164
 * with the configured default country), an internal extension or feature code, or a SIP address.
 */
export type Destination =
  | { readonly kind: 'e164'; readonly value: string }
  | { readonly kind: 'extension'; readonly value: string }
  | { readonly kind: 'sip'; readonly value: string };

export const MAX_DESTINATION_CHARS = 64;

/** Said to the user whenever a destination is refused. */
export const ACCEPTED_DESTINATIONS =
  'Enter a phone number (for example +1 425 555 0100, or a national number), an extension of 2 to 10 digits, or a SIP address such as sip:alex@example.com.';

const SIP_ADDRESS =
  /^[^\s@:;<>"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
/** Separators people paste inside numbers: spaces (also non-breaking), dashes, dots, brackets, slashes. */
const SEPARATORS = /[\s\u00a0\u2000-\u200b\u2010-\u2015().\-/]/g;
const EXTENSION = /^\d{2,10}$/;
const FEATURE_CODE = /^[*#]\d{1,4}#?$/;
const NUMBER_CHARS = /^\+?\d+$/;

/** `US`, `GB`…: an ISO 3166 alpha-2 code the phone-number metadata knows. */
export function isCountryCode(value: string): value is CountryCode {
  return isSupportedCountry(value);
}

/**
 * Reads a destination. A number that could be an extension (2–10 digits, no `+`) and is not a
 * possible national number of the default country stays an extension; everything else that is
 * digits must be a possible number (length-checked, not range-checked: Webex decides routing).
 */
export function parseDestination(input: string, defaultCountry: CountryCode): Result<Destination, string> {
  const trimmed = input.trim();
  if (trimmed === '') return err(`The number is empty. ${ACCEPTED_DESTINATIONS}`);
  if (trimmed.length > MAX_DESTINATION_CHARS)
    return err(
      `The number is longer than ${String(MAX_DESTINATION_CHARS)} characters. ${ACCEPTED_DESTINATIONS}`,
    );
  const lower = trimmed.toLowerCase();
  if (lower.startsWith('sip:') || (trimmed.includes('@') && !lower.startsWith('tel:'))) {
    const address = lower.startsWith('sip:') ? trimmed.slice(4) : trimmed;
    return SIP_ADDRESS.test(address)
      ? ok({ kind: 'sip', value: `sip:${address}` })
      : err(`"${trimmed}" is not a SIP address. ${ACCEPTED_DESTINATIONS}`);
  }
  const body = (lower.startsWith('tel:') ? trimmed.slice(4) : trimmed).replace(SEPARATORS, '');
  if (FEATURE_CODE.test(body)) return ok({ kind: 'extension', value: body });
  if (!NUMBER_CHARS.test(body))
    return err(`The number has characters that cannot be dialled. ${ACCEPTED_DESTINATIONS}`);
  const international = body.startsWith('+') ? body : body.startsWith('00') ? `+${body.slice(2)}` : undefined;
  const parsed =
    international === undefined
      ? parsePhoneNumberFromString(body, defaultCountry)
      : parsePhoneNumberFromString(international);
  if (parsed?.isPossible() === true) return ok({ kind: 'e164', value: parsed.number });
  if (international === undefined && EXTENSION.test(body)) return ok({ kind: 'extension', value: body });
  return err(`"${trimmed}" is not a complete phone number. ${ACCEPTED_DESTINATIONS}`);
}

/**
 * Links that place the call in the Webex App (or the device's dialler) for a user who has not
 * linked Webex. The Webex App registers `webextel:`, `tel:` and `sip:` when it is the calling app
 * (help.webex.com n45mhmab); a SIP address has no `webextel:` form, so `sip:` serves both.
 */
export function deepLinks(destination: Destination): DeepLinks {
  if (destination.kind === 'sip') return { webex: destination.value, sip: destination.value };
  const webex = webexDialUrl(destination.value);
  const tel = webexDialUrl(destination.value, 'tel');
  // parseDestination only yields dialable digits, so both links exist.
  if (webex === undefined || tel === undefined) throw new Error('destination without digits');
  return { webex, tel };
}

/** A configured country (already validated by bot/src/config/env.ts) as the metadata's type. */
export function asCountryCode(value: string): CountryCode {
  if (!isCountryCode(value)) throw new Error(`unsupported default country ${value}`);
  return value;
}
