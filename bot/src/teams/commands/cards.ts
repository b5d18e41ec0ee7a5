import { CardFactory, type Attachment } from 'botbuilder';
import { SUBMIT_ACTIONS } from './parse.js';

/** Adaptive Card 1.5: what Teams renders on desktop, web and mobile. */
const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

export type AdaptiveCard = Readonly<Record<string, unknown>>;

/** Sent once on personal install: what CallBridge does, and the two first steps. */
export function welcomeCard(tabDeepLink: string | undefined): AdaptiveCard {
  return {
    $schema: SCHEMA,
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'Welcome to CallBridge', weight: 'Bolder', size: 'Medium', wrap: true },
      {
        type: 'TextBlock',
        text: 'Webex calling inside Teams: dial numbers and colleagues with Webex from the Call tab, and keep your Teams and Webex presence in step.',
        wrap: true,
      },
      {
        type: 'TextBlock',
        text: 'Start in the Call tab: sign in and link your Webex account there. Send me "help" any time.',
        wrap: true,
        isSubtle: true,
      },
    ],
    actions: [
      tabDeepLink === undefined
        ? { type: 'Action.Submit', title: 'Open the Call tab', data: { action: SUBMIT_ACTIONS.linkWebex } }
        : { type: 'Action.OpenUrl', title: 'Open the Call tab', url: tabDeepLink },
      { type: 'Action.Submit', title: 'Turn on presence sync', data: { action: SUBMIT_ACTIONS.syncOn } },
    ],
  };
}

/** "Unlink Webex?" with Confirm / Cancel; the answer comes back as a message with `value.action`. */
export function unlinkConfirmCard(): AdaptiveCard {
  return {
    $schema: SCHEMA,
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'Unlink your Webex account?', weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: 'CallBridge will forget your Webex sign-in and stop syncing your presence. You can link again from the Call tab.',
        wrap: true,
      },
    ],
    actions: [
      {
        type: 'Action.Submit',
        title: 'Confirm',
        style: 'destructive',
        data: { action: SUBMIT_ACTIONS.unlinkConfirm },
      },
      { type: 'Action.Submit', title: 'Cancel', data: { action: SUBMIT_ACTIONS.unlinkCancel } },
    ],
  };
}

export function cardAttachment(card: AdaptiveCard): Attachment {
  return CardFactory.adaptiveCard(card);
}
