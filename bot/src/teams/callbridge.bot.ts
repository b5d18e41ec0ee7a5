import { TeamsActivityHandler, type TurnContext } from 'botbuilder';

/** What the bot says in its personal chat until the command issues add real commands. */
export const HELP_TEXT = [
  'Hi, I am CallBridge: Webex calling inside Teams.',
  '- Open the **Call** tab to dial a number or a colleague with Webex.',
  '- In any chat, use the CallBridge search in the compose box to find people and share a call link.',
  '- Your Teams and Webex presence will be kept in step.',
].join('\n');

/**
 * The CallBridge bot. For now it only answers personal messages with a short help text; later
 * issues add commands, the search messaging extension and the welcome card.
 */
export class CallBridgeBot extends TeamsActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      if (isPersonal(context)) {
        await context.sendActivity({ type: 'message', text: HELP_TEXT, textFormat: 'markdown' });
      }
      await next();
    });
  }
}

function isPersonal(context: TurnContext): boolean {
  const conversation = context.activity.conversation as { conversationType?: string } | undefined;
  return conversation?.conversationType === 'personal';
}
