import { byId, el, fetchOrg, sendJson, HttpError, type OrgSummary, type OrgUser } from './api.js';
import { AuthPopup, listenForApps } from './messaging.js';
import {
  TeamsHostProtocol,
  isTeamsTheme,
  redactUrl,
  themeChangeEvent,
  type ContextInput,
  type FrameContext,
  type LogEntry,
  type TeamsTheme,
  type TokenResult,
} from './protocol.js';

/**
 * The dev host page: frames the Call tab like the Teams web client does and moves teams-js
 * messages between the tab (and its authentication popup) and the protocol.
 */

const STATIC_TAB_ENTITY_ID = 'call';
const LOCALE = 'en-us';
const MAX_LOG = 300;
/** After this long without `initialize`, the page says what usually causes it. */
const INIT_WARNING_MS = 10_000;

type TabState = 'loading' | 'initialized' | 'loaded' | 'success' | 'failure' | 'expectedFailure';

interface HostState {
  user: OrgUser;
  theme: TeamsTheme;
  appSessionId: string;
  frame: HTMLIFrameElement | undefined;
  initWarning: number | undefined;
}

async function main(): Promise<void> {
  const org = await fetchOrg();
  const params = new URLSearchParams(window.location.search);
  const firstUser = org.users[0];
  if (firstUser === undefined) throw new Error('the demo organisation has no users');
  const requestedTheme = params.get('theme');
  const state: HostState = {
    user: org.users.find((u) => u.id === params.get('user')) ?? firstUser,
    theme: isTeamsTheme(requestedTheme) ? requestedTheme : 'default',
    appSessionId: crypto.randomUUID(),
    frame: undefined,
    initWarning: undefined,
  };
  const hostSessionId = crypto.randomUUID();
  const logList = byId('protocol-log', HTMLOListElement);
  const status = byId('tab-status', HTMLElement);
  const notice = byId('tab-notice', HTMLElement);

  const log = (entry: LogEntry): void => {
    const arrow = entry.direction === 'in' ? '←' : entry.direction === 'out' ? '→' : '•';
    const time = new Date().toLocaleTimeString([], { hour12: false });
    const text = `${time} ${arrow} [${entry.frame}] ${entry.func}${entry.detail === '' ? '' : ` — ${entry.detail}`}`;
    logList.append(el('li', { 'data-func': entry.func, 'data-direction': entry.direction }, text));
    while (logList.children.length > MAX_LOG) logList.firstElementChild?.remove();
    logList.lastElementChild?.scrollIntoView({ block: 'nearest' });
  };

  const setTabState = (tabState: TabState, detail = ''): void => {
    document.body.dataset.tabState = tabState;
    const labels: Record<TabState, string> = {
      loading: 'Loading the tab…',
      initialized: 'Tab connected (initialize)',
      loaded: 'Tab loaded',
      success: 'Tab ready (notifySuccess)',
      failure: `Tab reported a failure${detail === '' ? '' : `: ${detail}`}`,
      expectedFailure: `Tab reported an expected failure${detail === '' ? '' : `: ${detail}`}`,
    };
    status.textContent = labels[tabState];
    status.className = `badge ${tabState === 'success' ? 'ok' : tabState.endsWith('ailure') ? 'danger' : ''}`;
  };

  const contextFor = (frameContext: FrameContext): ContextInput => ({
    user: {
      id: state.user.id,
      displayName: state.user.displayName,
      userPrincipalName: state.user.userPrincipalName,
    },
    tenantId: org.tenantId,
    theme: state.theme,
    frameContext,
    locale: LOCALE,
    appId: org.teamsAppId,
    entityId: STATIC_TAB_ENTITY_ID,
    hostSessionId,
    appSessionId: state.appSessionId,
  });

  const popup = new AuthPopup();
  const protocol = new TeamsHostProtocol({
    context: contextFor,
    getAuthToken: async (): Promise<TokenResult> => {
      try {
        const body = (await sendJson('POST', '/_host/api/sso-token', { userId: state.user.id })) as {
          token?: unknown;
        };
        return typeof body.token === 'string'
          ? { ok: true, token: body.token }
          : { ok: false, error: 'no token' };
      } catch (error) {
        return { ok: false, error: tokenError(error) };
      }
    },
    openAuthWindow: (request, onClosed) => popup.open(request, onClosed),
    closeAuthWindow: () => {
      popup.close();
    },
    openLink: (url: string): boolean => {
      if (/^https:\/\/teams\.microsoft\.com\/l\//i.test(url) || /^msteams:/i.test(url)) {
        notice.textContent = `Teams would open the deep link ${redactUrl(url)}`;
        return true;
      }
      if (/^https?:\/\//i.test(url)) {
        window.open(url, '_blank', 'noopener');
        return true;
      }
      return false;
    },
    appState: (appState, detail) => {
      setTabState(appState, detail);
    },
    log,
  });

  const frameSlot = byId('frame-slot', HTMLElement);
  const loadTab = (): void => {
    protocol.cancelAuthentication();
    state.appSessionId = crypto.randomUUID();
    if (state.initWarning !== undefined) window.clearTimeout(state.initWarning);
    notice.textContent = '';
    setTabState('loading');
    const frame = el('iframe', {
      id: 'tab-frame',
      title: `Call tab (signed in as ${state.user.displayName})`,
      src: org.tabPath,
      // What Teams grants a tab: scripts, same-origin storage, popups for auth, forms, downloads.
      sandbox:
        'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads allow-top-navigation-by-user-activation',
      allow: 'clipboard-read; clipboard-write; microphone; camera; geolocation; fullscreen',
    });
    state.frame?.remove();
    state.frame = frame;
    frameSlot.append(frame);
    log({
      direction: 'note',
      frame: 'host',
      func: 'load',
      detail: `${org.tabPath} as ${state.user.displayName}`,
    });
    state.initWarning = window.setTimeout(() => {
      if (document.body.dataset.tabState !== 'loading') return;
      notice.textContent =
        'The tab has not called app.initialize() yet. Is the service running, is the tab built (npm run build:tab), ' +
        `and does the tab's CSP frame-ancestors allow ${window.location.origin}?`;
    }, INIT_WARNING_MS);
  };

  listenForApps(
    protocol,
    (source) => {
      const contentWindow = state.frame?.contentWindow ?? null;
      if (contentWindow !== null && source === contentWindow) return 'content';
      if (popup.window !== null && source === popup.window) return 'authentication';
      return undefined;
    },
    {
      onRequest: (frame, func) => {
        if (frame === 'content' && func === 'initialize') setTabState('initialized');
      },
      onError: (func, error) => {
        log({ direction: 'note', frame: 'host', func, detail: `host error: ${String(error)}` });
      },
    },
  );

  // User picker
  const userPicker = byId('user-picker', HTMLSelectElement);
  for (const user of org.users) {
    userPicker.append(el('option', { value: user.id }, `${user.displayName} — ${user.jobTitle}`));
  }
  userPicker.value = state.user.id;
  userPicker.addEventListener('change', () => {
    const next = org.users.find((u) => u.id === userPicker.value);
    if (next === undefined) return;
    state.user = next;
    updateUrl(state);
    loadTab();
  });

  // Theme switcher
  const themePicker = byId('theme-picker', HTMLSelectElement);
  themePicker.value = state.theme;
  document.documentElement.dataset.theme = state.theme;
  themePicker.addEventListener('change', () => {
    const next = themePicker.value;
    if (!isTeamsTheme(next)) return;
    state.theme = next;
    document.documentElement.dataset.theme = next;
    updateUrl(state);
    const target = state.frame?.contentWindow;
    if (target !== null && target !== undefined) {
      target.postMessage(themeChangeEvent(next), tabOrigin(org));
      log({ direction: 'out', frame: 'content', func: 'themeChange', detail: next });
    }
  });

  loadTab();
}

function tabOrigin(org: OrgSummary): string {
  return new URL(org.tabPath, window.location.href).origin;
}

function updateUrl(state: HostState): void {
  const url = new URL(window.location.href);
  url.searchParams.set('user', state.user.id);
  url.searchParams.set('theme', state.theme);
  window.history.replaceState(null, '', url);
}

/** Teams' getAuthToken error strings, where the Entra stand-in's refusal maps to one. */
function tokenError(error: unknown): string {
  if (error instanceof HttpError) {
    const message = error.message.toLowerCase();
    if (message.includes('consent')) return 'resourceRequiresConsent';
    if (error.status === 404) return 'userNotFound';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  const status = document.getElementById('tab-status');
  if (status !== null) {
    status.textContent = `The dev host could not start: ${error instanceof Error ? error.message : String(error)}`;
    status.className = 'badge danger';
  }
});
