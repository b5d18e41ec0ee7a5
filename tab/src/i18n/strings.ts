/**
 * Every user-facing string of the tab. Components read from here and never inline text, so a
 * translation is one more object of type `Strings` (picked from the Teams context's
 * `app.locale` once there is a second language). Sentences that take a value are functions so
 * translators control word order.
 */
export interface Strings {
  readonly appTitle: string;
  readonly connecting: string;
  readonly signedInAs: (name: string) => string;
  readonly unhostedTitle: string;
  readonly unhostedBody: string;
  readonly failedTitle: string;
  readonly failedBody: string;
  readonly reload: string;
  readonly speedDialsHeading: string;
  readonly speedDialsEmpty: string;
  readonly searchHeading: string;
  readonly searchEmpty: string;
  readonly recentCallsHeading: string;
  readonly recentCallsEmpty: string;
}

export const strings: Strings = {
  appTitle: 'Call',
  connecting: 'Connecting to Microsoft Teams…',
  signedInAs: (name) => `Signed in as ${name}`,
  unhostedTitle: 'Open Call in Microsoft Teams',
  unhostedBody:
    'This page is part of the CallBridge app and only works inside Microsoft Teams. Open Teams and select Call in the app bar. If you are already in Teams, reload the tab.',
  failedTitle: 'Call couldn’t load',
  failedBody:
    'Teams didn’t share your account details with the app. Reload the tab. If this keeps happening, sign out of Teams and back in, or contact your IT admin.',
  reload: 'Reload',
  speedDialsHeading: 'Speed dials',
  speedDialsEmpty: 'People you call often will appear here.',
  searchHeading: 'Search',
  searchEmpty: 'Search for people and phone numbers will appear here.',
  recentCallsHeading: 'Recent calls',
  recentCallsEmpty: 'Your recent calls will appear here.',
};
