import * as AC from 'adaptivecards';
import { byId, el, fetchOrg, sendJson, type OrgSummary, type OrgUser } from './api.js';
import { AuthPopup, listenForApps } from './messaging.js';
import { TeamsHostProtocol, type ContextInput, type FrameContext } from './protocol.js';

/**
 * The compose box: a messaging-extension search as Teams runs it. The query goes through the
 * Bot Framework channel stand-in to the bot's /api/messages; the answer is drawn as Teams would
 * (preview list, then the card with the official Adaptive Cards renderer), and the auth
 * round-trips Teams does are shown and can be played: `silentAuth` → the query again with an SSO
 * token, `auth`/`config` → a popup whose result comes back as `state` on the next query.
 */

type ContextChoice =
  | { readonly kind: 'personal' }
  | { readonly kind: 'groupChat'; readonly chatId: string }
  | { readonly kind: 'channel'; readonly teamId: string; readonly channelId: string };

interface QueryOptions {
  readonly initialRun: boolean;
  readonly sso: boolean;
  readonly state?: string;
}

interface InvokeAnswer {
  readonly status: number;
  readonly body: unknown;
}

interface Attachment {
  readonly contentType: string;
  readonly content: unknown;
  readonly preview?: { readonly contentType: string; readonly content: unknown };
}

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
const HERO = 'application/vnd.microsoft.card.hero';
const THUMBNAIL = 'application/vnd.microsoft.card.thumbnail';

async function main(): Promise<void> {
  const org = await fetchOrg();
  const userSelect = byId('compose-user', HTMLSelectElement);
  const contextSelect = byId('compose-context', HTMLSelectElement);
  const ssoToggle = byId('compose-sso', HTMLInputElement);
  const queryInput = byId('compose-query', HTMLInputElement);
  const form = byId('compose-form', HTMLFormElement);
  const initialButton = byId('compose-initial', HTMLButtonElement);
  const sendButton = byId('compose-send', HTMLButtonElement);
  const status = byId('compose-status', HTMLElement);
  const results = byId('compose-results', HTMLUListElement);
  const cardSlot = byId('compose-card', HTMLElement);
  const raw = byId('compose-raw', HTMLElement);

  const params = new URLSearchParams(window.location.search);
  for (const user of org.users)
    userSelect.append(el('option', { value: user.id }, `${user.displayName} — ${user.department}`));
  const requested = org.users.find((u) => u.id === params.get('user'));
  if (requested !== undefined) userSelect.value = requested.id;

  const currentUser = (): OrgUser => {
    const user = org.users.find((u) => u.id === userSelect.value) ?? org.users[0];
    if (user === undefined) throw new Error('the demo organisation has no users');
    return user;
  };
  const fillContexts = (): void => {
    const user = currentUser();
    const previous = contextSelect.value;
    contextSelect.replaceChildren(...contextOptions(org, user));
    if ([...contextSelect.options].some((o) => o.value === previous)) contextSelect.value = previous;
  };
  fillContexts();
  userSelect.addEventListener('change', fillContexts);

  // Teams, not the app, opens the sign-in window for `auth`/`config`; its page talks teams-js to us.
  const popup = new AuthPopup();
  const protocol = new TeamsHostProtocol({
    context: (frameContext: FrameContext): ContextInput => {
      const user = currentUser();
      return {
        user: { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName },
        tenantId: org.tenantId,
        theme: 'default',
        frameContext,
        locale: 'en-us',
        appId: org.teamsAppId,
        entityId: 'compose',
        hostSessionId: 'compose-box',
        appSessionId: 'compose-box',
      };
    },
    getAuthToken: async () => {
      try {
        const body = (await sendJson('POST', '/_host/api/sso-token', { userId: currentUser().id })) as {
          token?: unknown;
        };
        return typeof body.token === 'string'
          ? { ok: true, token: body.token }
          : { ok: false, error: 'no token' };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },
    openAuthWindow: (request, onClosed) => popup.open(request, onClosed),
    closeAuthWindow: () => {
      popup.close();
    },
    openLink: () => false,
    appState: () => undefined,
    log: () => undefined,
  });
  listenForApps(protocol, (source) =>
    popup.window !== null && source === popup.window ? 'authentication' : undefined,
  );

  const setBusy = (busy: boolean): void => {
    sendButton.disabled = busy;
    initialButton.disabled = busy;
    status.setAttribute('aria-busy', String(busy));
  };

  const run = async (options: QueryOptions): Promise<void> => {
    setBusy(true);
    status.textContent = options.initialRun
      ? 'Opening the extension (initial run)…'
      : `Searching “${queryInput.value}”…`;
    delete status.dataset.invokeStatus;
    delete status.dataset.responseType;
    results.replaceChildren();
    cardSlot.replaceChildren(el('p', { class: 'muted' }, 'Pick a result to see the card it would insert.'));
    try {
      const answer = (await sendJson('POST', '/_host/api/compose/query', {
        userId: currentUser().id,
        context: JSON.parse(contextSelect.value) as ContextChoice,
        commandId: 'searchPeople',
        query: queryInput.value,
        initialRun: options.initialRun,
        sso: options.sso,
        ...(options.state === undefined ? {} : { state: options.state }),
      })) as InvokeAnswer;
      raw.textContent = JSON.stringify(answer, null, 2);
      render(answer, options);
    } catch (error) {
      status.textContent = `Could not send the query: ${error instanceof Error ? error.message : String(error)}`;
      status.dataset.responseType = 'error';
      raw.textContent = '';
    } finally {
      setBusy(false);
    }
  };

  const render = (answer: InvokeAnswer, options: QueryOptions): void => {
    status.dataset.invokeStatus = String(answer.status);
    const compose = composeExtensionOf(answer.body);
    if (answer.status === 412) {
      status.dataset.responseType = 'precondition-failed';
      status.replaceChildren(
        el('strong', {}, '412 Precondition Failed. '),
        'The bot could not use the SSO token (consent or MFA needed, or the token exchange failed). Teams now shows the sign-in prompt instead.',
      );
      return;
    }
    if (answer.status < 200 || answer.status >= 300 || compose === undefined) {
      status.dataset.responseType = 'unexpected';
      status.replaceChildren(
        el('strong', {}, `HTTP ${answer.status}. `),
        'The bot did not return a composeExtension response; see the raw response below.',
      );
      return;
    }
    const type = typeof compose.type === 'string' ? compose.type : 'unknown';
    status.dataset.responseType = type;
    switch (type) {
      case 'result': {
        const attachments = Array.isArray(compose.attachments) ? (compose.attachments as Attachment[]) : [];
        status.textContent = `HTTP ${answer.status} · ${attachments.length} result${attachments.length === 1 ? '' : 's'} (${stringOr(compose.attachmentLayout, 'list')})`;
        renderResults(attachments);
        return;
      }
      case 'silentAuth': {
        const retry = el('button', { type: 'button', class: 'primary' }, 'Send again with an SSO token');
        retry.addEventListener('click', () => {
          ssoToggle.checked = true;
          void run({ ...options, sso: true });
        });
        status.replaceChildren(
          el('strong', {}, 'silentAuth. '),
          options.sso
            ? 'The bot asked for SSO again although a token was sent: it did not accept the token. '
            : 'The bot asked for single sign-on: Teams would get an SSO token and send the query again. ',
          retry,
        );
        return;
      }
      case 'auth':
      case 'config': {
        const action = firstOpenUrl(compose);
        const signIn = el(
          'button',
          { type: 'button', class: 'primary' },
          type === 'auth' ? 'Sign in' : 'Open settings',
        );
        signIn.disabled = action === undefined;
        signIn.addEventListener('click', () => {
          if (action === undefined) return;
          void protocol
            .beginAuthentication({ url: action.url, width: 600, height: 535, isExternal: false })
            .then((result) => {
              if (result.ok) void run({ ...options, state: result.result });
              else status.textContent = `The ${type} window closed without a result (${result.reason}).`;
            });
        });
        status.replaceChildren(
          el('strong', {}, `${type}. `),
          type === 'auth'
            ? 'The bot asked the user to sign in. '
            : 'The bot asked the user to configure the extension. ',
          ...(action === undefined
            ? ['(no openUrl action in the response) ']
            : [el('span', { class: 'muted' }, `${action.title}: ${originAndPath(action.url)} `)]),
          signIn,
        );
        return;
      }
      case 'message':
        status.replaceChildren(
          el('strong', {}, 'message. '),
          typeof compose.text === 'string' ? compose.text : '',
        );
        return;
      default:
        status.textContent = `HTTP ${answer.status} · composeExtension type “${type}”`;
    }
  };

  const renderResults = (attachments: readonly Attachment[]): void => {
    results.replaceChildren();
    attachments.forEach((attachment, index) => {
      const preview = previewOf(attachment);
      const button = el(
        'button',
        { type: 'button', class: 'result-item', 'aria-pressed': 'false', 'data-index': String(index) },
        ...(preview.image === undefined ? [] : [el('img', { src: preview.image, alt: '' })]),
        el(
          'span',
          { class: 'result-text' },
          el('strong', {}, preview.title),
          el('span', { class: 'muted' }, preview.subtitle),
        ),
      );
      button.addEventListener('click', () => {
        for (const other of results.querySelectorAll('button[aria-pressed]'))
          other.setAttribute('aria-pressed', 'false');
        button.setAttribute('aria-pressed', 'true');
        showCard(attachment);
      });
      results.append(el('li', {}, button));
    });
    if (attachments.length === 0) results.append(el('li', { class: 'muted' }, 'No results.'));
  };

  const showCard = (attachment: Attachment): void => {
    cardSlot.replaceChildren(
      el('p', { class: 'muted' }, `Card type: ${attachment.contentType}`),
      renderCard(attachment, status),
    );
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run({ initialRun: false, sso: ssoToggle.checked });
  });
  initialButton.addEventListener('click', () => {
    void run({ initialRun: true, sso: ssoToggle.checked });
  });
  document.body.dataset.ready = 'true';
}

function contextOptions(org: OrgSummary, user: OrgUser): HTMLOptionElement[] {
  const options = [
    el('option', { value: JSON.stringify({ kind: 'personal' }) }, 'Personal chat with the bot'),
  ];
  for (const chat of org.chats) {
    if (chat.chatType !== 'group' || !chat.memberIds.includes(user.id)) continue;
    const name = chat.topic ?? `Group chat (${chat.memberIds.length} people)`;
    options.push(
      el('option', { value: JSON.stringify({ kind: 'groupChat', chatId: chat.id }) }, `Group chat: ${name}`),
    );
  }
  for (const team of org.teams) {
    for (const channel of team.channels) {
      if (!channel.memberIds.includes(user.id)) continue;
      options.push(
        el(
          'option',
          { value: JSON.stringify({ kind: 'channel', teamId: team.id, channelId: channel.id }) },
          `Channel: ${team.displayName} › ${channel.displayName}`,
        ),
      );
    }
  }
  return options;
}

function composeExtensionOf(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const compose = (body as Record<string, unknown>).composeExtension;
  return typeof compose === 'object' && compose !== null ? (compose as Record<string, unknown>) : undefined;
}

function firstOpenUrl(compose: Record<string, unknown>): { url: string; title: string } | undefined {
  const suggested = compose.suggestedActions as { actions?: unknown } | undefined;
  const actions = Array.isArray(suggested?.actions) ? (suggested.actions as Record<string, unknown>[]) : [];
  for (const action of actions) {
    if (action.type === 'openUrl' && typeof action.value === 'string') {
      return { url: action.value, title: typeof action.title === 'string' ? action.title : 'Open' };
    }
  }
  return undefined;
}

function originAndPath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}

interface Preview {
  readonly title: string;
  readonly subtitle: string;
  readonly image: string | undefined;
}

function previewOf(attachment: Attachment): Preview {
  const source = attachment.preview ?? attachment;
  const content = (
    typeof source.content === 'object' && source.content !== null ? source.content : {}
  ) as Record<string, unknown>;
  if (source.contentType === HERO || source.contentType === THUMBNAIL) {
    const images = Array.isArray(content.images) ? (content.images as { url?: unknown }[]) : [];
    const image = images[0]?.url;
    return {
      title: stringOr(content.title, '(untitled)'),
      subtitle: stringOr(content.subtitle, stringOr(content.text, '')),
      image: typeof image === 'string' ? image : undefined,
    };
  }
  if (source.contentType === ADAPTIVE) {
    const body = Array.isArray(content.body) ? (content.body as Record<string, unknown>[]) : [];
    const texts = body.filter((b) => b.type === 'TextBlock').map((b) => stringOr(b.text, ''));
    return { title: texts[0] ?? '(Adaptive Card)', subtitle: texts[1] ?? '', image: undefined };
  }
  return { title: source.contentType, subtitle: '', image: undefined };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function renderCard(attachment: Attachment, status: HTMLElement): HTMLElement {
  const host = el('div', { class: 'card-host', 'data-content-type': attachment.contentType });
  if (attachment.contentType === ADAPTIVE) {
    const card = new AC.AdaptiveCard();
    card.hostConfig = new AC.HostConfig({
      fontFamily: '"Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif',
      supportsInteractivity: true,
    });
    card.onExecuteAction = (action) => {
      if (action instanceof AC.OpenUrlAction && action.url !== undefined) {
        status.textContent = `Action.OpenUrl → ${action.url}`;
        window.open(action.url, '_blank', 'noopener');
      } else if (action instanceof AC.SubmitActionBase) {
        status.textContent = `${action.getJsonTypeName()} “${action.title ?? ''}” with data ${JSON.stringify(action.data ?? {})} (in Teams this goes to the bot)`;
      } else {
        status.textContent = `${action.getJsonTypeName()} “${action.title ?? ''}”`;
      }
    };
    try {
      card.parse(attachment.content);
      const rendered = card.render();
      if (rendered !== undefined) host.append(rendered);
      host.dataset.rendered = 'adaptive';
    } catch (error) {
      host.append(
        el(
          'p',
          {},
          `The Adaptive Cards renderer rejected the card: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
    return host;
  }
  if (attachment.contentType === HERO || attachment.contentType === THUMBNAIL) {
    const content = (attachment.content ?? {}) as Record<string, unknown>;
    const images = Array.isArray(content.images)
      ? (content.images as { url?: unknown; alt?: unknown }[])
      : [];
    const buttons = Array.isArray(content.buttons)
      ? (content.buttons as { title?: unknown; value?: unknown }[])
      : [];
    const first = images[0];
    if (first !== undefined && typeof first.url === 'string')
      host.append(el('img', { src: first.url, alt: stringOr(first.alt, ''), width: '80' }));
    host.append(
      el('h4', {}, stringOr(content.title, '')),
      el('p', {}, stringOr(content.subtitle, '')),
      el('p', {}, stringOr(content.text, '')),
    );
    for (const b of buttons) host.append(el('button', { type: 'button' }, stringOr(b.title, 'Action')));
    host.dataset.rendered = 'hero';
    return host;
  }
  host.append(el('pre', {}, JSON.stringify(attachment.content, null, 2)));
  return host;
}

main().catch((error: unknown) => {
  const status = document.getElementById('compose-status');
  if (status !== null)
    status.textContent = `The compose box could not start: ${error instanceof Error ? error.message : String(error)}`;
});
