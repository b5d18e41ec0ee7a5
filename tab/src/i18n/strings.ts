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
  readonly signIn: SignInStrings;
  readonly webex: WebexStrings;
}

/** The sign-in check the tab runs on load (`POST /api/auth/token`) and the permission card. */
export interface SignInStrings {
  readonly checking: string;
  readonly permissionTitle: string;
  readonly permissionBody: string;
  /** Entra asked for an interactive sign-in (MFA, conditional access) rather than consent. */
  readonly interactionTitle: string;
  readonly interactionBody: string;
  readonly grant: string;
  readonly signInAgain: string;
  readonly granting: string;
  readonly popupCancelled: string;
  readonly popupFailed: string;
  readonly popupBlocked: string;
  readonly stillMissing: string;
  readonly errorTitle: string;
  readonly unavailableBody: string;
  readonly networkBody: string;
  readonly noTokenBody: string;
  readonly unauthorizedBody: string;
  readonly otherBody: string;
  readonly retry: string;
}

export interface WebexStrings {
  readonly heading: string;
  readonly loading: string;
  readonly notLinked: string;
  readonly linked: string;
  readonly linkedSince: (date: string) => string;
  readonly expiredTitle: string;
  readonly expiredBody: string;
  readonly link: string;
  readonly linkAgain: string;
  readonly linking: string;
  readonly unlink: string;
  readonly unlinking: string;
  readonly confirmTitle: string;
  readonly confirmBody: string;
  readonly confirmUnlink: string;
  readonly cancel: string;
  readonly linkCancelled: string;
  readonly linkDenied: string;
  readonly linkTaken: string;
  readonly linkExpired: string;
  readonly linkFailed: string;
  readonly unlinkFailed: string;
  readonly loadFailed: string;
  readonly notAvailable: string;
  readonly retry: string;
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
  signIn: {
    checking: 'Signing you in…',
    permissionTitle: 'CallBridge needs your permission to see your contacts and presence',
    permissionBody:
      'To search your contacts and keep your Teams and Webex status in step, CallBridge needs your OK. Select Grant permission and accept in the window that opens.',
    interactionTitle: 'Sign in again to continue',
    interactionBody:
      'Your organization needs you to confirm your sign-in (for example with multi-factor authentication) before CallBridge can see your contacts and presence.',
    grant: 'Grant permission',
    signInAgain: 'Sign in',
    granting: 'Waiting for the sign-in window…',
    popupCancelled: 'The window was closed before you finished. Select the button to try again.',
    popupFailed: 'That didn’t work. Select the button to try again.',
    popupBlocked:
      'The sign-in window couldn’t open. Allow pop-ups for Teams in your browser, then try again.',
    stillMissing:
      'CallBridge still doesn’t have permission. If your organization requires an admin to approve apps, contact your IT admin.',
    errorTitle: 'Couldn’t sign you in',
    unavailableBody: 'The sign-in service isn’t responding right now. Try again in a moment.',
    networkBody: 'CallBridge can’t be reached. Check your connection and try again.',
    noTokenBody:
      'Teams didn’t give CallBridge a sign-in token. Try again; if this keeps happening, sign out of Teams and back in.',
    unauthorizedBody:
      'Your Teams sign-in wasn’t accepted. Try again; if this keeps happening, contact your IT admin.',
    otherBody: 'Something went wrong on our side. Try again; if this keeps happening, contact your IT admin.',
    retry: 'Try again',
  },
  webex: {
    heading: 'Webex account',
    loading: 'Checking your Webex account…',
    notLinked: 'Link your Webex account to make and take Webex calls here.',
    linked: 'Linked',
    linkedSince: (date) => `Linked on ${date}`,
    expiredTitle: 'Webex link expired',
    expiredBody: 'Link again to keep making calls and syncing your status.',
    link: 'Link Webex',
    linkAgain: 'Link again',
    linking: 'Waiting for Webex sign-in…',
    unlink: 'Unlink',
    unlinking: 'Unlinking…',
    confirmTitle: 'Unlink your Webex account?',
    confirmBody:
      'You won’t be able to make Webex calls from Teams, and your status stops syncing, until you link again.',
    confirmUnlink: 'Unlink',
    cancel: 'Cancel',
    linkCancelled: 'Linking was cancelled.',
    linkDenied: 'You declined in Webex, so nothing was linked.',
    linkTaken: 'That Webex account is already linked to another Teams user.',
    linkExpired: 'The Webex sign-in took too long. Try again.',
    linkFailed: 'Couldn’t link your Webex account. Try again.',
    unlinkFailed: 'Couldn’t unlink your Webex account. Try again.',
    loadFailed: 'Couldn’t check your Webex account.',
    notAvailable: 'Webex linking isn’t set up for your organization yet.',
    retry: 'Try again',
  },
};
