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
  readonly tab: TabStrings;
  readonly speedDials: SpeedDialStrings;
  readonly search: SearchStrings;
  readonly dialPad: DialPadStrings;
  readonly call: CallStrings;
  readonly recent: RecentStrings;
  readonly voicemail: VoicemailStrings;
  readonly sync: SyncStrings;
  readonly presence: PresenceStrings;
}

/** Page-wide notices of the signed-in tab. */
export interface TabStrings {
  readonly refreshing: string;
  readonly offlineTitle: string;
  readonly offlineBody: string;
  readonly loadFailedTitle: string;
  readonly loadFailedBody: string;
  readonly partialBody: (sections: string) => string;
  readonly sectionNames: {
    readonly profile: string;
    readonly speedDials: string;
    readonly presence: string;
    readonly webex: string;
    readonly sync: string;
  };
  readonly retry: string;
}

export interface SpeedDialStrings {
  readonly heading: string;
  readonly empty: string;
  readonly listLabel: string;
  readonly call: (label: string) => string;
  readonly edit: (label: string) => string;
  readonly remove: (label: string) => string;
  readonly moveUp: (label: string) => string;
  readonly moveDown: (label: string) => string;
  readonly dragHandle: (label: string) => string;
  readonly reorderHint: string;
  readonly moved: (label: string, position: number, total: number) => string;
  readonly added: (label: string) => string;
  readonly removed: (label: string) => string;
  readonly labelField: string;
  readonly numberField: string;
  readonly save: string;
  readonly cancel: string;
  readonly editTitle: (label: string) => string;
  readonly labelRequired: string;
  readonly numberInvalid: string;
  readonly saving: string;
  readonly saved: string;
  readonly merged: string;
  readonly conflicts: (count: number) => string;
  readonly fullTitle: string;
  readonly fullBody: (bytesMax: number) => string;
  readonly saveFailed: string;
  readonly rejected: string;
  readonly retry: string;
  readonly loadFailed: string;
  readonly usage: (bytesUsed: number, bytesMax: number) => string;
}

export interface SearchStrings {
  readonly heading: string;
  readonly label: string;
  readonly placeholder: string;
  readonly hint: string;
  readonly searching: string;
  readonly noResults: (query: string) => string;
  readonly resultsCount: (count: number) => string;
  readonly partial: string;
  readonly failed: string;
  readonly retry: string;
  readonly call: (name: string) => string;
  readonly callNumber: (kind: string, number: string) => string;
  readonly addSpeedDial: (name: string) => string;
  readonly inSpeedDials: string;
  readonly email: (address: string) => string;
  readonly phoneKinds: {
    readonly business: string;
    readonly mobile: string;
    readonly home: string;
    readonly other: string;
  };
  readonly noNumber: string;
  readonly resultsLabel: string;
}

export interface DialPadStrings {
  readonly heading: string;
  readonly inputLabel: string;
  readonly placeholder: string;
  readonly hint: string;
  readonly backspace: string;
  readonly plus: string;
  readonly call: string;
  readonly addSpeedDial: string;
  readonly empty: string;
  readonly invalid: string;
}

export interface CallStrings {
  readonly heading: string;
  readonly placing: (destination: string) => string;
  readonly states: {
    readonly ringing_devices: string;
    readonly connecting: string;
    readonly ringing_remote: string;
    readonly connected: string;
    readonly held: string;
    readonly ended: string;
    readonly failed: string;
  };
  readonly reasons: {
    readonly not_answered: string;
    readonly busy: string;
    readonly declined: string;
    readonly webex_unavailable: string;
    readonly unknown: string;
  };
  readonly callingTo: (destination: string) => string;
  readonly statusLost: string;
  /** Ends a call still ringing or connecting. */
  readonly cancel: string;
  readonly cancelLabel: (destination: string) => string;
  /** Ends a connected or held call. */
  readonly hangUp: string;
  readonly hangUpLabel: (destination: string) => string;
  readonly ending: string;
  readonly hangUpErrorTitle: string;
  readonly hangUpErrors: {
    readonly webex_relink_required: string;
    readonly webex_unavailable: (retryAfterSeconds: number | undefined) => string;
    readonly network: string;
    readonly other: string;
  };
  readonly dismiss: string;
  readonly callAgain: string;
  readonly deepLinkTitle: string;
  readonly deepLinkBody: string;
  readonly openWebex: string;
  readonly useTel: string;
  readonly useSip: string;
  readonly linkWebex: string;
  readonly errors: {
    readonly invalid_number: string;
    readonly not_calling_enabled: string;
    readonly webex_relink_required: string;
    readonly webex_unavailable: (retryAfterSeconds: number | undefined) => string;
    readonly network: string;
    readonly other: string;
  };
  readonly retry: string;
  readonly linkAgain: string;
  readonly errorTitle: string;
}

/** What every list read from Webex says in its shared states. */
export interface WebexListStrings {
  readonly heading: string;
  readonly loading: string;
  readonly empty: string;
  readonly notLinked: string;
  readonly failed: string;
  readonly retry: string;
}

export interface RecentStrings extends WebexListStrings {
  readonly redial: (name: string) => string;
  readonly directions: { readonly placed: string; readonly received: string; readonly missed: string };
  readonly duration: (seconds: number) => string;
}

export interface VoicemailStrings extends WebexListStrings {
  readonly unread: (count: number) => string;
  readonly unknownCaller: string;
  readonly markRead: (from: string) => string;
  readonly markReadFailed: string;
  readonly callBack: (from: string) => string;
  readonly newBadge: string;
}

export interface SyncStrings {
  readonly heading: string;
  readonly loading: string;
  readonly notAvailable: string;
  readonly toggle: string;
  readonly on: string;
  readonly off: string;
  readonly ruleLabel: string;
  readonly rules: { readonly always: string; readonly meetings_only: string; readonly never: string };
  readonly lastSynced: (when: string) => string;
  readonly neverSynced: string;
  readonly blockedTitle: string;
  readonly actions: {
    readonly sign_in: string;
    readonly link_webex: string;
    readonly admin_consent: string;
    readonly retry: string;
  };
  readonly adminConsentHint: string;
  readonly saveFailed: string;
  readonly loadFailed: string;
  readonly retry: string;
}

export interface PresenceStrings {
  readonly available: string;
  readonly away: string;
  readonly busy: string;
  readonly doNotDisturb: string;
  readonly offline: string;
  readonly outOfOffice: string;
  readonly unknown: string;
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
  tab: {
    refreshing: 'Updating…',
    offlineTitle: 'You’re seeing saved information',
    offlineBody: 'CallBridge can’t be reached right now, so this is what the tab showed last time.',
    loadFailedTitle: 'Call couldn’t load your details',
    loadFailedBody: 'CallBridge isn’t responding right now. Try again in a moment.',
    partialBody: (sections) => `Some things couldn’t load: ${sections}. The rest is up to date.`,
    sectionNames: {
      profile: 'your profile',
      speedDials: 'speed dials',
      presence: 'presence',
      webex: 'Webex account',
      sync: 'status sync',
    },
    retry: 'Try again',
  },
  speedDials: {
    heading: 'Speed dials',
    empty: 'No speed dials yet. Add people from search or numbers from the dial pad.',
    listLabel: 'Speed dials. Use Alt+Up and Alt+Down to reorder.',
    call: (label) => `Call ${label}`,
    edit: (label) => `Edit ${label}`,
    remove: (label) => `Remove ${label}`,
    moveUp: (label) => `Move ${label} up`,
    moveDown: (label) => `Move ${label} down`,
    dragHandle: (label) => `Drag to reorder ${label}`,
    reorderHint: 'Drag, or press Alt+Up or Alt+Down, to reorder.',
    moved: (label, position, total) => `${label} moved to position ${position} of ${total}.`,
    added: (label) => `${label} added to speed dials.`,
    removed: (label) => `${label} removed from speed dials.`,
    labelField: 'Name',
    numberField: 'Number',
    save: 'Save',
    cancel: 'Cancel',
    editTitle: (label) => `Edit ${label}`,
    labelRequired: 'Enter a name.',
    numberInvalid: 'Enter a phone number, an extension or a SIP address.',
    saving: 'Saving…',
    saved: 'Saved',
    merged: 'Merged with changes from another device.',
    conflicts: (count) =>
      count === 1
        ? 'One speed dial was also changed on another device; that change was kept.'
        : `${count} speed dials were also changed on another device; those changes were kept.`,
    fullTitle: 'Speed dials are full (2 KB)',
    fullBody: (bytesMax) =>
      `Your speed dials are stored in your Microsoft 365 profile, which holds ${bytesMax} bytes. Remove one or shorten a name, then add again.`,
    saveFailed: 'Your change isn’t saved yet: CallBridge couldn’t be reached.',
    rejected:
      'That change couldn’t be saved: the number isn’t one CallBridge can dial. Use a full phone number (for example +1 425 555 0100), an extension of 2 to 10 digits, or a sip: address.',
    retry: 'Save again',
    loadFailed: 'Couldn’t load your speed dials.',
    usage: (bytesUsed, bytesMax) => `${bytesUsed} of ${bytesMax} bytes used`,
  },
  search: {
    heading: 'Search',
    label: 'Search people and numbers',
    placeholder: 'Name, email or number',
    hint: 'Type a name to find people in your organization and your Outlook contacts.',
    searching: 'Searching…',
    noResults: (query) => `No one found for “${query}”. Check the spelling, or dial the number.`,
    resultsCount: (count) => (count === 1 ? '1 person found' : `${count} people found`),
    partial: 'Some sources were slow or unavailable, so these results may be incomplete.',
    failed: 'Search isn’t working right now.',
    retry: 'Try again',
    call: (name) => `Call ${name}`,
    callNumber: (kind, number) => `Call ${kind} ${number}`,
    addSpeedDial: (name) => `Add ${name} to speed dials`,
    inSpeedDials: 'In speed dials',
    email: (address) => `Email ${address}`,
    phoneKinds: { business: 'work', mobile: 'mobile', home: 'home', other: 'other' },
    noNumber: 'No phone number',
    resultsLabel: 'Search results. Use the arrow keys to move, Enter to call.',
  },
  dialPad: {
    heading: 'Dial pad',
    inputLabel: 'Number to call',
    placeholder: 'Number, extension or sip: address',
    hint: 'Paste a number in any format; spaces and brackets are ignored.',
    backspace: 'Delete last character',
    plus: 'Type +',
    call: 'Call',
    addSpeedDial: 'Add to speed dials',
    empty: 'Enter a number first.',
    invalid:
      'That isn’t a number CallBridge can dial. Use digits (with + for international), an extension, or a sip: address.',
  },
  call: {
    heading: 'Call',
    placing: (destination) => `Calling ${destination}…`,
    states: {
      ringing_devices: 'Ringing your Webex devices — answer to connect',
      connecting: 'Connecting…',
      ringing_remote: 'Ringing…',
      connected: 'Connected',
      held: 'On hold',
      ended: 'Call ended',
      failed: 'Call didn’t connect',
    },
    reasons: {
      not_answered: 'No one answered.',
      busy: 'The line was busy.',
      declined: 'The call was declined.',
      webex_unavailable: 'Webex wasn’t available. Try again in a moment.',
      unknown: 'Webex didn’t say why.',
    },
    callingTo: (destination) => `To ${destination}`,
    statusLost: 'Can’t get the call’s status right now; it may still be going on your Webex device.',
    cancel: 'Cancel',
    cancelLabel: (destination) => `Cancel the call to ${destination}`,
    hangUp: 'Hang up',
    hangUpLabel: (destination) => `Hang up the call with ${destination}`,
    ending: 'Ending the call…',
    hangUpErrorTitle: 'Couldn’t end the call',
    hangUpErrors: {
      webex_relink_required:
        'Your Webex sign-in has expired, so CallBridge can’t end the call. End it on your Webex device, then link Webex again.',
      webex_unavailable: (retryAfterSeconds) =>
        retryAfterSeconds === undefined
          ? 'Webex isn’t responding right now. Try again in a moment, or end the call on your Webex device.'
          : `Webex isn’t responding right now. Try again in ${retryAfterSeconds} seconds, or end the call on your Webex device.`,
      network: 'CallBridge can’t be reached. Check your connection, or end the call on your Webex device.',
      other: 'The call couldn’t be ended from here. End it on your Webex device.',
    },
    dismiss: 'Dismiss',
    callAgain: 'Call again',
    deepLinkTitle: 'Call with the Webex app',
    deepLinkBody:
      'Your Webex account isn’t linked, so CallBridge can’t ring your devices. Open the call in the Webex app, or link Webex to call with one click next time.',
    openWebex: 'Open in Webex',
    useTel: 'Use phone app',
    useSip: 'Use SIP app',
    linkWebex: 'Link Webex',
    errors: {
      invalid_number:
        'That number can’t be dialled. Use digits (with + for international), an extension, or a sip: address.',
      not_calling_enabled:
        'Your Webex account can’t make calls: it has no Webex Calling licence. Ask your IT admin to enable Webex Calling for you.',
      webex_relink_required: 'Your Webex sign-in has expired. Link Webex again, then call.',
      webex_unavailable: (retryAfterSeconds) =>
        retryAfterSeconds === undefined
          ? 'Webex isn’t responding right now. Try again in a moment.'
          : `Webex isn’t responding right now. Try again in ${retryAfterSeconds} seconds.`,
      network: 'CallBridge can’t be reached. Check your connection and try again.',
      other: 'The call couldn’t be placed. Try again; if this keeps happening, contact your IT admin.',
    },
    retry: 'Try again',
    linkAgain: 'Link Webex again',
    errorTitle: 'Couldn’t place the call',
  },
  recent: {
    heading: 'Recent calls',
    loading: 'Loading recent calls…',
    empty: 'No recent calls.',
    notLinked: 'Link your Webex account to see your recent calls here.',
    failed: 'Couldn’t load your recent calls.',
    retry: 'Try again',
    redial: (name) => `Call ${name} again`,
    directions: { placed: 'Outgoing', received: 'Incoming', missed: 'Missed' },
    duration: (seconds) =>
      seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`,
  },
  voicemail: {
    heading: 'Voicemail',
    loading: 'Loading voicemail…',
    empty: 'No voice messages.',
    notLinked: 'Link your Webex account to see your voice messages here.',
    failed: 'Couldn’t load your voicemail.',
    retry: 'Try again',
    unread: (count) => (count === 1 ? '1 new' : `${count} new`),
    unknownCaller: 'Unknown caller',
    markRead: (from) => `Mark message from ${from} as read`,
    markReadFailed: 'Couldn’t mark the message as read. Try again.',
    callBack: (from) => `Call ${from} back`,
    newBadge: 'New',
  },
  sync: {
    heading: 'Status sync',
    loading: 'Checking status sync…',
    notAvailable: 'Status sync between Teams and Webex isn’t available yet.',
    toggle: 'Keep my Teams and Webex status in step',
    on: 'On',
    off: 'Off',
    ruleLabel: 'When',
    rules: {
      always: 'Always',
      meetings_only: 'Only for meetings and calls',
      never: 'Never',
    },
    lastSynced: (when) => `Last synced ${when}`,
    neverSynced: 'Not synced yet',
    blockedTitle: 'Status sync is paused',
    actions: {
      sign_in: 'Sign in again',
      link_webex: 'Link Webex',
      admin_consent: 'Check again',
      retry: 'Try again',
    },
    adminConsentHint: 'Ask your IT admin to approve CallBridge for your organization, then check again.',
    saveFailed: 'Couldn’t change status sync. Try again.',
    loadFailed: 'Couldn’t check status sync.',
    retry: 'Try again',
  },
  presence: {
    available: 'Available',
    away: 'Away',
    busy: 'Busy',
    doNotDisturb: 'Do not disturb',
    offline: 'Offline',
    outOfOffice: 'Out of office',
    unknown: 'Status unknown',
  },
};
