import {
  CARD_SIZE_LIMIT_BYTES,
  escapeMarkdown,
  personAttachment,
} from '../../messaging-extension/cards/person-card.js';
import type { Person } from '../../people/person.js';
import type { PresenceSyncState } from '../../store/store.js';
import { unlinkConfirmCard, type AdaptiveCard } from './cards.js';
import { byDeadline } from '../deadline.js';
import type { BotCommandDeps, Caller } from './deps.js';
import type { BotCommand } from './parse.js';

/** One reply: text (markdown unless `plain`), an Adaptive Card, or a list of cards under a plain line. */
export type CommandReply =
  | { readonly text: string; readonly format: 'markdown' | 'plain' }
  | { readonly card: AdaptiveCard }
  | { readonly cards: readonly AdaptiveCard[]; readonly text: string };

export const DEFAULT_PEOPLE_DEADLINE_MS = 2500;
/** Our own bound on the search, whatever the implementation does with its deadline (Teams waits 15 s). */
const PEOPLE_HARD_LIMIT_MS = 4000;
const PEOPLE_COUNT = 5;

export const COMMANDS_TEXT = [
  '- **status**: whether you are signed in, Webex is linked and presence sync is on',
  '- **link webex** / **unlink webex**: connect or disconnect your Webex account',
  '- **sync on** / **sync off**: keep your Teams and Webex presence in step, or stop',
  '- **call** *name*: find a colleague to call',
  '- **help**: this list',
].join('\n');

export const HELP_TEXT = [
  'Hi, I am CallBridge: Webex calling inside Teams.',
  '- Open the **Call** tab to dial a number or a colleague with Webex.',
  '- In any chat, use the CallBridge search in the compose box to find people and share a call link.',
  '- Your Teams and Webex presence can be kept in step.',
  '',
  'Send me one of these:',
  COMMANDS_TEXT,
].join('\n');

function md(text: string): CommandReply {
  return { text, format: 'markdown' };
}

/** "open the Call tab", as a link when we have one. */
export function openTheCallTab(deps: Pick<BotCommandDeps, 'tabDeepLink'>): string {
  return deps.tabDeepLink === undefined
    ? 'open the **Call** tab (at the top of this chat)'
    : `[open the Call tab](${deps.tabDeepLink})`;
}

function getStarted(deps: BotCommandDeps): CommandReply {
  return md(`I don't know you yet: ${openTheCallTab(deps)} to get started.`);
}

export function help(): CommandReply {
  return md(HELP_TEXT);
}

export function notUnderstood(text: string): CommandReply {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return md(`I didn't understand "${escapeMarkdown(shown)}".\n\n${HELP_TEXT}`);
}

export async function status(deps: BotCommandDeps, caller: Caller): Promise<CommandReply> {
  const { user } = caller;
  if (user === undefined) return getStarted(deps);
  const [webex, presence] = await Promise.all([deps.webex.status(user.id), deps.store.presence.get(user.id)]);
  const signIn =
    user.status === 'active' ? 'signed in' : `needs sign-in: ${openTheCallTab(deps)} to sign in again`;
  const link = !webex.linked
    ? 'not linked: send "link webex"'
    : webex.needsRelink === true
      ? `link expired: ${openTheCallTab(deps)} to link it again`
      : 'linked';
  const sync = presence?.enabled === true ? 'on' : 'off: send "sync on"';
  return md(
    ['Your CallBridge status:', `- Teams: ${signIn}`, `- Webex: ${link}`, `- Presence sync: ${sync}`].join(
      '\n',
    ),
  );
}

export function linkWebex(deps: BotCommandDeps): CommandReply {
  return md(
    [
      `Webex is linked in the Call tab, which opens the Webex sign-in window: ${openTheCallTab(deps)} and choose **Link Webex**.`,
      'Come back and send "status" to check.',
    ].join('\n\n'),
  );
}

export async function unlinkWebex(deps: BotCommandDeps, caller: Caller): Promise<CommandReply> {
  const { user } = caller;
  if (user === undefined || !(await deps.webex.status(user.id)).linked)
    return md('No Webex account is linked.');
  return { card: unlinkConfirmCard() };
}

export async function unlinkWebexConfirmed(deps: BotCommandDeps, caller: Caller): Promise<CommandReply> {
  const { user } = caller;
  if (user === undefined || !(await deps.webex.status(user.id)).linked)
    return md('No Webex account is linked.');
  await deps.webex.unlinkWebex(user.id);
  return md(`Your Webex account is unlinked. To link it again, ${openTheCallTab(deps)}.`);
}

export function unlinkWebexCancelled(): CommandReply {
  return md('OK: your Webex account stays linked.');
}

export async function sync(deps: BotCommandDeps, caller: Caller, on: boolean): Promise<CommandReply> {
  const { user } = caller;
  if (user === undefined) return getStarted(deps);
  if (on) {
    if (user.status !== 'active')
      return md(`You need to sign in first: ${openTheCallTab(deps)}, then send "sync on" again.`);
    const webex = await deps.webex.status(user.id);
    if (!webex.linked) return md(`Link Webex first: ${openTheCallTab(deps)}, then send "sync on" again.`);
    if (webex.needsRelink === true)
      return md(`Your Webex link expired: ${openTheCallTab(deps)} to link it again, then send "sync on".`);
  }
  const outcome = await setSyncEnabled(deps, user.id, on);
  if (outcome === 'user_not_found') return getStarted(deps);
  if (outcome === 'conflict')
    return md('Someone changed your settings at the same moment: please try again.');
  if (outcome === 'changed') await deps.onSyncChanged?.(user.id, on);
  const already = outcome === 'unchanged' ? 'already ' : '';
  return md(
    on
      ? `Presence sync is ${already}on: your Teams and Webex presence are kept in step. Send "sync off" to stop.`
      : `Presence sync is ${already}off. Send "sync on" to turn it back on.`,
  );
}

/** Sets `enabled` with compare-and-swap, creating the row (rule `always`) when missing. */
async function setSyncEnabled(
  deps: BotCommandDeps,
  userId: string,
  enabled: boolean,
): Promise<'changed' | 'unchanged' | 'conflict' | 'user_not_found'> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current: PresenceSyncState | undefined = await deps.store.presence.get(userId);
    if (current?.enabled === enabled) return 'unchanged';
    const written = await deps.store.presence.upsert(
      current === undefined
        ? {
            userId,
            enabled,
            rule: 'always',
            lastSyncedAt: null,
            lastErrorCode: null,
            lastErrorAction: null,
            teamsState: null,
            webexState: null,
            expectedVersion: null,
          }
        : {
            userId,
            enabled,
            rule: current.rule,
            lastSyncedAt: current.lastSyncedAt,
            lastErrorCode: current.lastErrorCode,
            lastErrorAction: current.lastErrorAction,
            teamsState: current.teamsState,
            webexState: current.webexState,
            expectedVersion: current.version,
          },
    );
    if (written.ok) return 'changed';
    if (written.error.code === 'user_not_found') return 'user_not_found';
  }
  return 'conflict';
}

export async function call(deps: BotCommandDeps, caller: Caller, query: string): Promise<CommandReply> {
  if (query === '') return md('Who should I look for? Send "call" and a name, for example "call Megan".');
  if (deps.people === undefined)
    return md(`People search is not available yet: ${openTheCallTab(deps)} to dial a number.`);
  const { user } = caller;
  if (user === undefined) return getStarted(deps);
  const search = deps.people.search({
    userId: user.id,
    query,
    conversation: { kind: 'personal' },
    skip: 0,
    count: PEOPLE_COUNT,
    deadlineMs: deps.peopleDeadlineMs ?? DEFAULT_PEOPLE_DEADLINE_MS,
  });
  const found = await byDeadline(search, PEOPLE_HARD_LIMIT_MS);
  if (found === 'late') {
    return {
      text: 'People search is taking too long right now. Try again, or use the Call tab.',
      format: 'plain',
    };
  }
  const people = found.people.slice(0, PEOPLE_COUNT);
  const partial = found.failedSources.length > 0 || found.slowSources.length > 0;
  if (people.length === 0) {
    return {
      text: `No one found for "${query}".${partial ? ' Some sources did not answer: try again in a moment.' : ''}`,
      format: 'plain',
    };
  }
  return {
    text: `People matching "${query}":${partial ? ' (some sources did not answer, so someone may be missing)' : ''}`,
    cards: withinMessageLimit(people),
  };
}

/**
 * The person cards of the messaging extension (with "Call with Webex"), as many as fit in one
 * Teams message: the first always, the next while the total stays under the card size cap.
 */
function withinMessageLimit(people: readonly Person[]): AdaptiveCard[] {
  const cards: AdaptiveCard[] = [];
  let total = 0;
  for (const person of people) {
    const card = personAttachment(person).content as AdaptiveCard;
    const size = Buffer.byteLength(JSON.stringify(card), 'utf8');
    if (cards.length > 0 && total + size > CARD_SIZE_LIMIT_BYTES) break;
    total += size;
    cards.push(card);
  }
  return cards;
}

/** Runs one command; store or search failures reject (the adapter's onTurnError answers them). */
export function runCommand(deps: BotCommandDeps, caller: Caller, command: BotCommand): Promise<CommandReply> {
  switch (command.kind) {
    case 'help':
      return Promise.resolve(help());
    case 'unknown':
      return Promise.resolve(notUnderstood(command.text));
    case 'status':
      return status(deps, caller);
    case 'link_webex':
      return Promise.resolve(linkWebex(deps));
    case 'unlink_webex':
      return unlinkWebex(deps, caller);
    case 'unlink_webex_confirm':
      return unlinkWebexConfirmed(deps, caller);
    case 'unlink_webex_cancel':
      return Promise.resolve(unlinkWebexCancelled());
    case 'sync':
      return sync(deps, caller, command.on);
    case 'call':
      return call(deps, caller, command.query);
  }
}
