/**
 * What the dial pad sends: numbers as people paste them ("+1 (415) 555-0100", "tel:+44…",
 * "ext. 4021"), extensions, and SIP URIs. Formatting is stripped here; turning a national
 * number into E.164 for the organization's default country is the server's job, since only it
 * knows the country.
 */
export type DialInput =
  | { readonly ok: true; readonly destination: string }
  | { readonly ok: false; readonly reason: 'empty' | 'invalid' };

const SIP = /^sips?:[^\s@]+@[^\s@]+$/i;
/** Digits with an optional leading +, then * # and pause characters a PBX understands. */
const DIALABLE = /^\+?[0-9*#][0-9*#,;]*$/;

export function parseDialInput(raw: string): DialInput {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  if (/^sips?:/i.test(text)) return SIP.test(text) ? { ok: true, destination: text } : invalid();
  // A bare user@host is a SIP address without its scheme.
  if (text.includes('@')) {
    const sip = `sip:${text}`;
    return SIP.test(sip) ? { ok: true, destination: sip } : invalid();
  }
  const cleaned = text
    .replace(/^tel:/i, '')
    .replace(/^(ext\.?|x)\s*/i, '')
    .replace(/[\s().\-\u00a0/]/g, '');
  return DIALABLE.test(cleaned) ? { ok: true, destination: cleaned } : invalid();
}

function invalid(): DialInput {
  return { ok: false, reason: 'invalid' };
}

/** The dial-pad keys and the letters printed under them (decorative: a key is named by its digit). */
export const DIAL_KEYS: readonly { readonly key: string; readonly letters: string }[] = [
  { key: '1', letters: '' },
  { key: '2', letters: 'ABC' },
  { key: '3', letters: 'DEF' },
  { key: '4', letters: 'GHI' },
  { key: '5', letters: 'JKL' },
  { key: '6', letters: 'MNO' },
  { key: '7', letters: 'PQRS' },
  { key: '8', letters: 'TUV' },
  { key: '9', letters: 'WXYZ' },
  { key: '*', letters: '' },
  { key: '0', letters: '+' },
  { key: '#', letters: '' },
];
