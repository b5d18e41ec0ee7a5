/**
 * What the user asked the bot, from the text of a personal message (after the @mention of the
 * bot is removed) or from the `value` of an Adaptive Card Action.Submit.
 *
 * Forgiving on purpose: case, extra spaces, a leading slash and trailing punctuation do not
 * matter, and a few natural variants ("unlink", "sync presence on") are understood.
 */
export type BotCommand =
  | { readonly kind: 'help' }
  /** Not a command: answered with help, prefixed by "I didn't understand …". */
  | { readonly kind: 'unknown'; readonly text: string }
  | { readonly kind: 'status' }
  | { readonly kind: 'link_webex' }
  /** Asks for confirmation first. */
  | { readonly kind: 'unlink_webex' }
  | { readonly kind: 'unlink_webex_confirm' }
  | { readonly kind: 'unlink_webex_cancel' }
  | { readonly kind: 'sync'; readonly on: boolean }
  /** `query` is empty when the user sent only "call". */
  | { readonly kind: 'call'; readonly query: string };

/** The `action` values our cards' Action.Submit buttons carry in `data`. */
export const SUBMIT_ACTIONS = {
  syncOn: 'sync_on',
  linkWebex: 'link_webex',
  unlinkConfirm: 'unlink_webex_confirm',
  unlinkCancel: 'unlink_webex_cancel',
} as const;

const GREETINGS = new Set(['', 'help', '?', 'hi', 'hello', 'hey', 'start', 'commands', 'menu']);

export function parseCommand(raw: string): BotCommand {
  const text = raw
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\/+/, '')
    .replace(/[.!?]+$/, '')
    .trim();
  const lower = text.toLowerCase();
  if (GREETINGS.has(lower)) return { kind: 'help' };
  if (lower === 'status' || lower === 'my status') return { kind: 'status' };
  if (lower === 'link' || lower === 'link webex' || lower === 'link my webex') return { kind: 'link_webex' };
  if (lower === 'unlink' || lower === 'unlink webex' || lower === 'unlink my webex')
    return { kind: 'unlink_webex' };
  const sync = /^sync(?: presence)? (on|off)$/.exec(lower);
  if (sync !== null) return { kind: 'sync', on: sync[1] === 'on' };
  if (lower === 'call') return { kind: 'call', query: '' };
  if (lower.startsWith('call ')) return { kind: 'call', query: text.slice('call '.length).trim() };
  return { kind: 'unknown', text };
}

/** An Action.Submit from one of our cards, or `undefined` when `value` is not one. */
export function parseSubmit(value: unknown): BotCommand | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const action: unknown = (value as { action?: unknown }).action;
  switch (action) {
    case SUBMIT_ACTIONS.syncOn:
      return { kind: 'sync', on: true };
    case SUBMIT_ACTIONS.linkWebex:
      return { kind: 'link_webex' };
    case SUBMIT_ACTIONS.unlinkConfirm:
      return { kind: 'unlink_webex_confirm' };
    case SUBMIT_ACTIONS.unlinkCancel:
      return { kind: 'unlink_webex_cancel' };
    default:
      return undefined;
  }
}
