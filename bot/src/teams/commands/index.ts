export { cardAttachment, unlinkConfirmCard, welcomeCard, type AdaptiveCard } from './cards.js';
export { webexCommandDeps, type BotCommandDeps, type BotWebexDeps, type Caller } from './deps.js';
export { COMMANDS_TEXT, help, HELP_TEXT, notUnderstood, runCommand, type CommandReply } from './handlers.js';
export { parseCommand, parseSubmit, SUBMIT_ACTIONS, type BotCommand } from './parse.js';
