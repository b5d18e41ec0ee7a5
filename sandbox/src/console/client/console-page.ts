import { byId, el, fetchOrg, getJson, type OrgSummary, type OrgUser } from '../../teams-host/client/api.js';
import {
  PREFERRED_STATES,
  TEAMS_SESSION_STATES,
  WEBEX_STATUSES,
  entra,
  graph,
  webex,
  type EntraUserConditions,
  type TeamsCallRecord,
  type TeamsPresence,
  type TeamsSessionState,
  type WebexCall,
  type WebexStatus,
} from './standins.js';

/**
 * The sandbox console: every demo user's Teams presence (Graph stand-in), Webex state and
 * calls (Webex stand-in), and the buttons that play the outside world: a meeting starts, a call
 * rings, consent is revoked, a subscription expires, a service throttles. Plain DOM, native
 * controls, everything labelled; the data parts refresh in place so focus is never lost.
 */

const REFRESH_MS = 4000;
/** How many of a user's Teams call records the console lists. */
const CALL_RECORDS_SHOWN = 5;

type Act = (label: string, work: () => Promise<unknown>) => Promise<void>;

interface ConsoleState {
  readonly org: OrgSummary;
  selected: OrgUser | undefined;
  filter: string;
  presences: Map<string, TeamsPresence>;
  busy: boolean;
}

async function main(): Promise<void> {
  const org = await fetchOrg();
  const status = byId('console-status', HTMLElement);
  const params = new URLSearchParams(window.location.search);
  const state: ConsoleState = {
    org,
    selected: org.users.find((u) => u.id === params.get('user')),
    filter: '',
    presences: new Map(),
    busy: false,
  };

  const say = (message: string, kind: 'info' | 'error' = 'info'): void => {
    status.textContent = message;
    status.className = kind === 'error' ? 'notice error' : 'muted';
  };

  /** Runs one control call, says what happened, then refreshes what it may have changed. */
  const act: Act = async (label, work) => {
    say(`${label}…`);
    try {
      await work();
      say(`Done: ${label}.`);
    } catch (error) {
      say(`${label} failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
    }
    await refresh();
  };

  const services = new ServicesPanel(act);
  const list = new UserList(state, (user) => {
    state.selected = user;
    const url = new URL(window.location.href);
    url.searchParams.set('user', user.id);
    window.history.replaceState(null, '', url);
    detail.show(user);
    list.render();
    void refresh();
  });
  const detail = new UserDetail(act);

  byId('user-search', HTMLInputElement).addEventListener('input', (event) => {
    state.filter = (event.target as HTMLInputElement).value.trim().toLowerCase();
    list.render();
  });

  async function refresh(): Promise<void> {
    if (state.busy) return;
    state.busy = true;
    try {
      const presences = await graph.presences().catch(() => undefined);
      if (presences !== undefined) state.presences = new Map(presences.map((p) => [p.userId, p]));
      list.updateBadges();
      await Promise.all([
        services.refresh(),
        state.selected === undefined ? undefined : detail.refresh(state.selected),
      ]);
    } finally {
      state.busy = false;
    }
  }

  list.render();
  if (state.selected !== undefined) detail.show(state.selected);
  await services.load();
  await refresh();
  say(`${org.users.length} demo users. Pick one to see and drive their state.`);
  document.body.dataset.ready = 'true';
  window.setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, REFRESH_MS);
}

class UserList {
  private readonly root = byId('user-list', HTMLUListElement);
  private readonly badges = new Map<string, HTMLElement>();

  constructor(
    private readonly console: ConsoleState,
    private readonly onPick: (user: OrgUser) => void,
  ) {}

  render(): void {
    this.badges.clear();
    const filter = this.console.filter;
    const users = this.console.org.users.filter(
      (u) =>
        filter === '' ||
        u.displayName.toLowerCase().includes(filter) ||
        u.userPrincipalName.toLowerCase().includes(filter) ||
        u.department.toLowerCase().includes(filter),
    );
    this.root.replaceChildren(
      ...users.map((user) => {
        const badge = el('span', { class: 'badge' }, '');
        this.badges.set(user.id, badge);
        const button = el(
          'button',
          {
            type: 'button',
            'data-user-id': user.id,
            'aria-current': String(this.console.selected?.id === user.id),
          },
          el('strong', {}, user.displayName),
          el(
            'span',
            { class: 'muted' },
            `${user.department} · `,
            badge,
            ...(user.webex === null ? [' ', el('span', { class: 'badge warn' }, 'no Webex')] : []),
          ),
        );
        button.addEventListener('click', () => {
          this.onPick(user);
        });
        return el('li', {}, button);
      }),
    );
    if (users.length === 0) this.root.append(el('li', { class: 'muted' }, 'No user matches.'));
    this.updateBadges();
  }

  updateBadges(): void {
    for (const [userId, badge] of this.badges) {
      const presence = this.console.presences.get(userId);
      badge.textContent = presence === undefined ? 'Teams: ?' : `Teams: ${presence.availability}`;
      badge.className = `badge ${availabilityClass(presence?.availability)}`;
    }
  }
}

class UserDetail {
  private readonly root = byId('user-detail', HTMLElement);
  private user: OrgUser | undefined;
  private readonly parts = {
    teamsSummary: el('dl', { class: 'kv' }),
    sessions: el('tbody'),
    callRecords: el('tbody'),
    webexSummary: el('dl', { class: 'kv' }),
    dndToggle: el('button', { type: 'button', 'aria-pressed': 'false' }, 'Webex Do Not Disturb'),
    calls: el('tbody'),
    mfaToggle: el('button', { type: 'button', 'aria-pressed': 'false' }, 'Require MFA'),
    entraSummary: el('dl', { class: 'kv' }),
  };
  private dndOn = false;
  private mfaOn = false;

  constructor(private readonly run: Act) {}

  show(user: OrgUser): void {
    this.user = user;
    this.dndOn = false;
    this.mfaOn = false;
    const heading = el('h2', { id: 'detail-title' }, user.displayName);
    const ids = el(
      'p',
      { class: 'muted' },
      `${user.jobTitle}, ${user.department} · ${user.userPrincipalName} · object id `,
      el('code', {}, user.id),
    );
    this.root.replaceChildren(
      heading,
      ids,
      this.teamsSection(user),
      this.callRecordsSection(),
      this.webexSection(user),
      this.callsSection(user),
      this.entraSection(user),
    );
    this.root.dataset.userId = user.id;
  }

  async refresh(user: OrgUser): Promise<void> {
    if (this.user?.id !== user.id) return;
    const [presence, conditions, callRecords] = await Promise.all([
      graph.presence(user.id).catch((error: unknown) => error),
      entra.user(user.id).catch(() => undefined),
      graph.callRecords(user.id).catch(() => undefined),
    ]);
    if (this.user.id !== user.id) return;
    this.renderPresence(presence);
    this.renderCallRecords(callRecords);
    this.renderEntra(conditions);
    if (user.webex === null) return;
    const personId = user.webex.personId;
    const [webexStatus, dnd, calls] = await Promise.all([
      webex.status(personId).catch((error: unknown) => error),
      webex.dnd(personId).catch(() => undefined),
      webex.calls(personId).catch(() => [] as WebexCall[]),
    ]);
    if (this.user.id !== user.id) return;
    this.dndOn = dnd?.enabled === true;
    this.parts.dndToggle.setAttribute('aria-pressed', String(this.dndOn));
    this.parts.dndToggle.textContent = this.dndOn ? 'Webex Do Not Disturb: on' : 'Webex Do Not Disturb: off';
    this.renderWebex(webexStatus, dnd?.enabled);
    this.renderCalls(user, calls);
  }

  private teamsSection(user: OrgUser): HTMLElement {
    const sessionButtons = (Object.keys(TEAMS_SESSION_STATES) as TeamsSessionState[]).map((key) => {
      const button = el(
        'button',
        { type: 'button', 'data-action': `teams-${key}` },
        TEAMS_SESSION_STATES[key].label,
      );
      button.addEventListener('click', () => {
        void this.run(`Teams client of ${user.displayName}: ${TEAMS_SESSION_STATES[key].label}`, () =>
          graph.setTeamsSession(user.id, key),
        );
      });
      return button;
    });
    const clear = el('button', { type: 'button', 'data-action': 'teams-clear' }, 'Clear');
    clear.addEventListener('click', () => {
      void this.run(`${user.displayName}'s Teams back to Available`, () => graph.clearTeamsSession(user.id));
    });
    const signOut = el('button', { type: 'button', 'data-action': 'teams-signout' }, 'Sign out of Teams');
    signOut.addEventListener('click', () => {
      void this.run(`${user.displayName} signs out of Teams`, () => graph.signOutTeams(user.id));
    });
    const preferred = el(
      'select',
      { id: 'preferred-select' },
      ...PREFERRED_STATES.map((p, i) => el('option', { value: String(i) }, p.label)),
    );
    const setPreferred = el('button', { type: 'button' }, 'Set preferred presence');
    setPreferred.addEventListener('click', () => {
      const choice = PREFERRED_STATES[Number(preferred.value)];
      if (choice === undefined) return;
      void this.run(`Preferred presence of ${user.displayName}: ${choice.label}`, () =>
        graph.setPreferred(user.id, choice.availability, choice.activity),
      );
    });
    const clearPreferred = el('button', { type: 'button' }, 'Clear preferred');
    clearPreferred.addEventListener('click', () => {
      void this.run(`Clear the preferred presence of ${user.displayName}`, () =>
        graph.clearPreferred(user.id),
      );
    });
    return el(
      'section',
      { class: 'stack', 'aria-labelledby': 'teams-title' },
      el('h3', { id: 'teams-title' }, 'Teams presence (Graph)'),
      this.parts.teamsSummary,
      el(
        'table',
        { 'aria-label': 'Presence sessions' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, 'Session'),
            el('th', { scope: 'col' }, 'Availability'),
            el('th', { scope: 'col' }, 'Activity'),
            el('th', { scope: 'col' }, 'Expires'),
          ),
        ),
        this.parts.sessions,
      ),
      el(
        'fieldset',
        {},
        el('legend', {}, 'Teams client session'),
        el('div', { class: 'row' }, ...sessionButtons, clear, signOut),
      ),
      el(
        'fieldset',
        {},
        el('legend', {}, 'User-preferred presence'),
        el(
          'div',
          { class: 'row' },
          el('label', { for: 'preferred-select' }, 'Presence'),
          preferred,
          setPreferred,
          clearPreferred,
        ),
      ),
    );
  }

  private callRecordsSection(): HTMLElement {
    return el(
      'section',
      { class: 'stack', 'aria-labelledby': 'call-records-title' },
      el('h3', { id: 'call-records-title' }, 'Teams call records'),
      el(
        'p',
        { class: 'muted' },
        'Each time the Teams client goes "In a call" and out again, Graph records a call.',
      ),
      el(
        'table',
        { 'aria-label': 'Teams call records' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, 'Record id'),
            el('th', { scope: 'col' }, 'Start'),
            el('th', { scope: 'col' }, 'Duration'),
          ),
        ),
        this.parts.callRecords,
      ),
    );
  }

  private renderCallRecords(records: readonly TeamsCallRecord[] | undefined): void {
    const note = (text: string): HTMLElement =>
      el('tr', {}, el('td', { colspan: '3', class: 'muted' }, text));
    if (records === undefined) {
      this.parts.callRecords.replaceChildren(note('Call records unavailable'));
      return;
    }
    if (records.length === 0) {
      this.parts.callRecords.replaceChildren(note('No Teams calls recorded'));
      return;
    }
    this.parts.callRecords.replaceChildren(
      ...records
        .slice(0, CALL_RECORDS_SHOWN)
        .map((r) =>
          el(
            'tr',
            { 'data-call-record-id': r.id },
            el(
              'td',
              {},
              el('code', {}, r.id),
              r.available ? '' : ` (published at ${formatTime(r.availableDateTime)})`,
            ),
            el('td', {}, formatTime(r.startDateTime)),
            el('td', {}, formatDuration(r.durationSeconds)),
          ),
        ),
    );
  }

  private webexSection(user: OrgUser): HTMLElement {
    const section = el(
      'section',
      { class: 'stack', 'aria-labelledby': 'webex-title' },
      el('h3', { id: 'webex-title' }, 'Webex'),
    );
    const account = user.webex;
    if (account === null) {
      section.append(el('p', { class: 'muted' }, 'This user has no Webex account.'));
      return section;
    }
    this.parts.dndToggle = el(
      'button',
      { type: 'button', 'aria-pressed': 'false', 'data-action': 'webex-dnd' },
      'Webex Do Not Disturb',
    );
    this.parts.dndToggle.addEventListener('click', () => {
      const next = !this.dndOn;
      void this.run(`Webex Do Not Disturb ${next ? 'on' : 'off'} for ${user.displayName}`, () =>
        webex.setDnd(account.personId, next),
      );
    });
    const statusSelect = el(
      'select',
      { id: 'webex-status-select' },
      ...WEBEX_STATUSES.map((s) => el('option', { value: s }, s)),
    );
    const setStatus = el('button', { type: 'button' }, 'Set Webex status');
    setStatus.addEventListener('click', () => {
      void this.run(`Webex status of ${user.displayName}: ${statusSelect.value}`, () =>
        webex.setStatus(account.personId, statusSelect.value),
      );
    });
    const clearStatus = el('button', { type: 'button' }, 'Clear Webex status');
    clearStatus.addEventListener('click', () => {
      void this.run(`Clear the Webex status of ${user.displayName}`, () =>
        webex.clearStatus(account.personId),
      );
    });
    section.append(
      this.parts.webexSummary,
      el(
        'div',
        { class: 'row' },
        this.parts.dndToggle,
        el('label', { for: 'webex-status-select' }, 'Status'),
        statusSelect,
        setStatus,
        clearStatus,
      ),
    );
    return section;
  }

  private callsSection(user: OrgUser): HTMLElement {
    const section = el(
      'section',
      { class: 'stack', 'aria-labelledby': 'calls-title' },
      el('h3', { id: 'calls-title' }, 'Webex calls'),
    );
    const account = user.webex;
    if (account === null || !account.calling) {
      section.append(
        el(
          'p',
          { class: 'muted' },
          account === null
            ? 'No Webex account.'
            : 'No Webex Calling licence: calls cannot be placed or received.',
        ),
      );
      return section;
    }
    const from = el('input', {
      type: 'text',
      id: 'ring-from',
      value: '+44 20 7946 0101',
      autocomplete: 'off',
    });
    const ring = el(
      'button',
      { type: 'button', class: 'primary', 'data-action': 'ring' },
      `Ring ${user.displayName.split(' ')[0] ?? user.displayName}`,
    );
    ring.addEventListener('click', () => {
      void this.run(`Incoming call to ${user.displayName} from ${from.value}`, () =>
        webex.ringUser(account.personId, from.value, 'Sandbox caller'),
      );
    });
    const destination = el('input', {
      type: 'text',
      id: 'call-destination',
      value: '+1 425 555 0100',
      autocomplete: 'off',
    });
    const start = el('button', { type: 'button', 'data-action': 'start-call' }, 'Start outgoing call');
    start.addEventListener('click', () => {
      void this.run(`Outgoing call from ${user.displayName} to ${destination.value}`, () =>
        webex.startCall(account.personId, destination.value),
      );
    });
    section.append(
      el(
        'table',
        { 'aria-label': 'Active calls' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, 'Other party'),
            el('th', { scope: 'col' }, 'Direction'),
            el('th', { scope: 'col' }, 'State'),
            el('th', { scope: 'col' }, 'Actions'),
          ),
        ),
        this.parts.calls,
      ),
      el('div', { class: 'row' }, el('label', { for: 'ring-from' }, 'Caller number'), from, ring),
      el(
        'div',
        { class: 'row' },
        el('label', { for: 'call-destination' }, 'Destination'),
        destination,
        start,
      ),
    );
    return section;
  }

  private entraSection(user: OrgUser): HTMLElement {
    const revoke = el(
      'button',
      { type: 'button', class: 'danger', 'data-action': 'revoke-consent' },
      'Revoke consent',
    );
    revoke.addEventListener('click', () => {
      void this.run(`Revoke ${user.displayName}'s consent to CallBridge`, () => entra.revokeConsent(user.id));
    });
    this.parts.mfaToggle = el(
      'button',
      { type: 'button', 'aria-pressed': 'false', 'data-action': 'require-mfa' },
      'Require MFA: off',
    );
    this.parts.mfaToggle.addEventListener('click', () => {
      const next = !this.mfaOn;
      void this.run(`${next ? 'Require' : 'Stop requiring'} MFA for ${user.displayName}`, async () => {
        await entra.requireMfa(user.id, next);
      });
    });
    const expire = el('button', { type: 'button', 'data-action': 'expire-refresh' }, 'Expire refresh tokens');
    expire.addEventListener('click', () => {
      void this.run(`Expire ${user.displayName}'s refresh tokens`, () => entra.expireRefreshTokens(user.id));
    });
    return el(
      'section',
      { class: 'stack', 'aria-labelledby': 'entra-title' },
      el('h3', { id: 'entra-title' }, 'Entra ID'),
      el(
        'p',
        { class: 'muted' },
        'What an administrator or a Conditional Access policy does to the sign-in.',
      ),
      this.parts.entraSummary,
      el('div', { class: 'row' }, revoke, this.parts.mfaToggle, expire),
    );
  }

  private renderEntra(conditions: EntraUserConditions | undefined): void {
    if (conditions === undefined) {
      this.parts.entraSummary.replaceChildren(...kv('Sign-in', 'unavailable'));
      return;
    }
    this.mfaOn = conditions.mfaRequired;
    setToggle(this.parts.mfaToggle, conditions.mfaRequired, 'Require MFA');
    const revoked = conditions.consentRevokedFor;
    this.parts.entraSummary.replaceChildren(
      ...kv(
        'Consent',
        revoked.length === 0
          ? 'granted'
          : `revoked (${revoked.includes('*') ? 'all apps' : revoked.join(', ')})`,
      ),
      ...kv('MFA', conditions.mfaRequired ? 'required' : 'not required'),
    );
  }

  private renderPresence(presence: unknown): void {
    if (!isPresence(presence)) {
      this.parts.teamsSummary.replaceChildren(...kv('Presence', `unavailable (${errorText(presence)})`));
      this.parts.sessions.replaceChildren();
      return;
    }
    this.parts.teamsSummary.replaceChildren(
      ...kv(
        'Aggregated',
        `${presence.availability} / ${presence.activity}`,
        availabilityClass(presence.availability),
      ),
      ...kv(
        'Preferred',
        presence.preferred === null || presence.preferred === undefined
          ? 'none'
          : `${presence.preferred.availability} / ${presence.preferred.activity}`,
      ),
    );
    this.parts.sessions.replaceChildren(
      ...(presence.sessions.length === 0
        ? [el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'No sessions (Offline)'))]
        : presence.sessions.map((s) =>
            el(
              'tr',
              {},
              el('td', {}, s.source === 'teamsClient' ? 'Teams client' : `App ${s.id}`),
              el('td', {}, s.availability),
              el('td', {}, s.activity),
              el('td', {}, formatTime(s.expiresAt)),
            ),
          )),
    );
  }

  private renderWebex(snapshot: unknown, dnd: boolean | undefined): void {
    if (!isWebexStatus(snapshot)) {
      this.parts.webexSummary.replaceChildren(...kv('Status', `unavailable (${errorText(snapshot)})`));
      return;
    }
    this.parts.webexSummary.replaceChildren(
      ...kv('Status', snapshot.status),
      ...kv(
        'Set status',
        snapshot.explicit === null || snapshot.explicit === undefined
          ? 'none'
          : `${snapshot.explicit.status} (by ${snapshot.explicit.setBy})`,
      ),
      ...kv('In a call', snapshot.inCall ? 'yes' : 'no'),
      ...kv('Calling DND', dnd === undefined ? '?' : dnd ? 'on' : 'off'),
    );
  }

  private renderCalls(user: OrgUser, calls: readonly WebexCall[]): void {
    if (user.webex === null) return;
    const personId = user.webex.personId;
    const rows = calls.map((call) => {
      const actions = el('div', { class: 'row' });
      const ringing = call.state === 'alerting';
      if (ringing) {
        const answer = el('button', { type: 'button', 'data-action': 'answer' }, 'Answer on device');
        answer.addEventListener('click', () => {
          void this.run(`${user.displayName} answers on a Webex device`, () =>
            webex.answerOnDevice(call.id, personId),
          );
        });
        actions.append(answer);
      }
      if (call.state === 'connecting') {
        const remoteAnswer = el(
          'button',
          { type: 'button', 'data-action': 'remote-answer' },
          'Far end answers',
        );
        remoteAnswer.addEventListener('click', () => {
          void this.run('The far end answers', () => webex.remoteAnswer(call.id));
        });
        actions.append(remoteAnswer);
      }
      const end = el('button', { type: 'button', class: 'danger', 'data-action': 'end' }, 'End call');
      end.addEventListener('click', () => {
        void this.run('The far end hangs up', () => webex.remoteHangup(call.id));
      });
      actions.append(end);
      const party =
        call.remoteParty.name === undefined
          ? call.remoteParty.number
          : `${call.remoteParty.name} (${call.remoteParty.number})`;
      return el(
        'tr',
        { 'data-call-id': call.id },
        el('td', {}, party),
        el('td', {}, call.personality),
        el('td', {}, call.state),
        el('td', {}, actions),
      );
    });
    const signature = calls.map((c) => `${c.id}:${c.state}`).join(',');
    if (this.parts.calls.dataset.signature === signature) return;
    this.parts.calls.dataset.signature = signature;
    this.parts.calls.replaceChildren(
      ...(rows.length === 0
        ? [el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'No active calls'))]
        : rows),
    );
  }
}

class ServicesPanel {
  private readonly root = byId('services', HTMLElement);
  private readonly graphThrottle = el(
    'button',
    { type: 'button', 'aria-pressed': 'false', 'data-action': 'graph-throttle' },
    'Graph throttling: off',
  );
  private readonly webexThrottle = el(
    'button',
    { type: 'button', 'aria-pressed': 'false', 'data-action': 'webex-throttle' },
    'Webex throttling: off',
  );
  private readonly subscriptions = el('tbody');
  private readonly webhooks = el('tbody');
  private graphOn = false;
  private webexOn = false;

  constructor(private readonly run: Act) {
    this.graphThrottle.addEventListener('click', () => {
      const next = !this.graphOn;
      void this.run(`Graph throttling ${next ? 'on' : 'off'}`, () =>
        next ? graph.throttleOn() : graph.throttleOff(),
      );
    });
    this.webexThrottle.addEventListener('click', () => {
      const next = !this.webexOn;
      void this.run(`Webex throttling ${next ? 'on' : 'off'}`, () =>
        next ? webex.throttleOn() : webex.throttleOff(),
      );
    });
  }

  async load(): Promise<void> {
    const info = (await getJson('/_host/api/services').catch(() => ({}))) as {
      service?: string;
      standIns?: Record<string, string>;
    };
    const links = el('dl', { class: 'kv' }, ...kv('Service', info.service ?? '?'));
    for (const [name, url] of Object.entries(info.standIns ?? {})) links.append(...kv(name, url));
    this.root.replaceChildren(
      el(
        'div',
        { class: 'stack' },
        links,
        el('div', { class: 'row' }, this.graphThrottle, this.webexThrottle),
      ),
      el(
        'div',
        { class: 'stack' },
        el('h3', { id: 'subs-title' }, 'Graph subscriptions'),
        el(
          'table',
          { 'aria-labelledby': 'subs-title' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', { scope: 'col' }, 'Resource'),
              el('th', { scope: 'col' }, 'Expires'),
              el('th', { scope: 'col' }, 'Actions'),
            ),
          ),
          this.subscriptions,
        ),
        el('h3', { id: 'hooks-title' }, 'Webex webhooks'),
        el(
          'table',
          { 'aria-labelledby': 'hooks-title' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', { scope: 'col' }, 'Webhook'),
              el('th', { scope: 'col' }, 'Status'),
              el('th', { scope: 'col' }, 'Actions'),
            ),
          ),
          this.webhooks,
        ),
      ),
    );
  }

  async refresh(): Promise<void> {
    const [graphThrottle, webexThrottle, subs, hooks] = await Promise.all([
      graph.throttled().catch(() => undefined),
      webex.throttled().catch(() => undefined),
      graph.subscriptions().catch(() => undefined),
      webex.webhooks().catch(() => undefined),
    ]);
    this.graphOn = isNonEmpty(graphThrottle);
    this.webexOn = isNonEmpty(webexThrottle);
    setToggle(this.graphThrottle, this.graphOn, 'Graph throttling');
    setToggle(this.webexThrottle, this.webexOn, 'Webex throttling');
    this.renderSubscriptions(subs);
    this.renderWebhooks(hooks);
  }

  private renderSubscriptions(subs: Awaited<ReturnType<typeof graph.subscriptions>> | undefined): void {
    const signature =
      subs === undefined ? 'x' : subs.map((s) => `${s.id}:${s.expirationDateTime ?? ''}`).join(',');
    if (this.subscriptions.dataset.signature === signature) return;
    this.subscriptions.dataset.signature = signature;
    if (subs === undefined || subs.length === 0) {
      this.subscriptions.replaceChildren(
        el(
          'tr',
          {},
          el('td', { colspan: '3', class: 'muted' }, subs === undefined ? 'Unavailable' : 'None yet'),
        ),
      );
      return;
    }
    this.subscriptions.replaceChildren(
      ...subs.map((sub) => {
        const expire = el('button', { type: 'button', 'data-action': 'expire-subscription' }, 'Expire');
        expire.addEventListener('click', () => {
          void this.run(`Expire subscription ${sub.id}`, () => graph.expireSubscription(sub.id));
        });
        const remove = el(
          'button',
          { type: 'button', class: 'danger', 'data-action': 'remove-subscription' },
          'Remove',
        );
        remove.addEventListener('click', () => {
          void this.run(`Remove subscription ${sub.id}`, () => graph.removeSubscription(sub.id));
        });
        return el(
          'tr',
          {},
          el('td', {}, el('code', {}, sub.resource)),
          el('td', {}, formatTime(sub.expirationDateTime)),
          el('td', {}, el('div', { class: 'row' }, expire, remove)),
        );
      }),
    );
  }

  private renderWebhooks(hooks: Awaited<ReturnType<typeof webex.webhooks>> | undefined): void {
    const signature = hooks === undefined ? 'x' : hooks.map((h) => `${h.id}:${h.status ?? ''}`).join(',');
    if (this.webhooks.dataset.signature === signature) return;
    this.webhooks.dataset.signature = signature;
    if (hooks === undefined || hooks.length === 0) {
      this.webhooks.replaceChildren(
        el(
          'tr',
          {},
          el('td', { colspan: '3', class: 'muted' }, hooks === undefined ? 'Unavailable' : 'None yet'),
        ),
      );
      return;
    }
    this.webhooks.replaceChildren(
      ...hooks.map((hook) => {
        const disable = el(
          'button',
          { type: 'button', class: 'danger', 'data-action': 'disable-webhook' },
          'Disable',
        );
        disable.disabled = hook.status === 'disabled';
        disable.addEventListener('click', () => {
          void this.run(`Disable webhook ${hook.name ?? hook.id}`, () => webex.disableWebhook(hook.id));
        });
        return el(
          'tr',
          {},
          el('td', {}, `${hook.name ?? hook.id} (${hook.resource ?? '?'}:${hook.event ?? '?'})`),
          el('td', {}, hook.status ?? '?'),
          el('td', {}, disable),
        );
      }),
    );
  }
}

function kv(label: string, value: string, className = ''): HTMLElement[] {
  return [el('dt', {}, label), el('dd', className === '' ? {} : { class: className }, value)];
}

function setToggle(button: HTMLButtonElement, on: boolean, label: string): void {
  button.setAttribute('aria-pressed', String(on));
  button.textContent = `${label}: ${on ? 'on' : 'off'}`;
}

function isNonEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}

function availabilityClass(availability: string | undefined): string {
  switch (availability ?? '') {
    case 'Available':
    case 'AvailableIdle':
      return 'ok';
    case 'Busy':
    case 'BusyIdle':
    case 'DoNotDisturb':
      return 'danger';
    case 'Away':
    case 'BeRightBack':
      return 'warn';
    default:
      return '';
  }
}

function isPresence(value: unknown): value is TeamsPresence {
  return typeof value === 'object' && value !== null && 'availability' in value && 'sessions' in value;
}

function isWebexStatus(value: unknown): value is WebexStatus {
  return typeof value === 'object' && value !== null && 'status' in value && 'inCall' in value;
}

function errorText(value: unknown): string {
  return value instanceof Error ? value.message : 'no answer';
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function formatTime(value: number | string | null | undefined): string {
  if (value === undefined || value === null) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleTimeString([], { hour12: false });
}

main().catch((error: unknown) => {
  const status = document.getElementById('console-status');
  if (status !== null) {
    status.textContent = `The console could not start: ${error instanceof Error ? error.message : String(error)}`;
    status.className = 'notice error';
  }
});
