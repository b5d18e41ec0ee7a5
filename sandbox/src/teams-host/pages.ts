/**
 * HTML shells of the dev host pages. Their scripts (client/*.ts) fill them in; no inline
 * script or style, so the pages run under a strict CSP.
 */

function shell(options: {
  title: string;
  bodyClass: string;
  script: string;
  body: string;
  theme?: boolean;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title}</title>
<link rel="stylesheet" href="/_host/assets/sandbox.css">
<script type="module" src="/_host/assets/${options.script}.js"></script>
</head>
<body class="${options.bodyClass}">
${options.body}
</body>
</html>`;
}

const NAV = (current: 'host' | 'compose' | 'console'): string => {
  const link = (href: string, label: string, key: typeof current): string =>
    `<a href="${href}"${key === current ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<nav aria-label="Sandbox pages">${link('/', 'Teams (Call tab)', 'host')}${link('/compose', 'Compose box', 'compose')}${link('/console', 'Console', 'console')}</nav>`;
};

export function hostPage(): string {
  return shell({
    title: 'CallBridge · Teams dev host',
    bodyClass: 'host',
    script: 'host-page',
    body: `<a class="skip-link" href="#tab-frame">Skip to the Call tab</a>
<header class="topbar">
  <span class="brand">CallBridge · Teams dev host <span class="badge">sandbox</span></span>
  <label>Signed in as <select id="user-picker" aria-describedby="user-hint"></select></label>
  <span id="user-hint" class="visually-hidden">Changing the user reloads the tab with that user's identity.</span>
  <label>Theme <select id="theme-picker">
    <option value="default">Default (light)</option>
    <option value="dark">Dark</option>
    <option value="contrast">High contrast</option>
  </select></label>
</header>
<div class="host-main">
  <nav class="rail" aria-label="Sandbox pages"><a href="/" aria-current="page">Call</a><a href="/compose">Compose box</a><a href="/console">Console</a></nav>
  <main class="stage" aria-labelledby="stage-title">
    <div class="stage-header">
      <h1 id="stage-title">Call</h1>
      <span id="tab-status" class="badge" role="status" aria-live="polite">Loading the tab…</span>
      <span id="tab-notice" class="muted"></span>
    </div>
    <div id="frame-slot" class="stage"></div>
  </main>
  <aside class="log-panel" aria-labelledby="log-title" tabindex="0">
    <h2 id="log-title">Host protocol log</h2>
    <p class="muted">teams-js messages between the tab and this host. Tokens are never shown.</p>
    <ol id="protocol-log"></ol>
  </aside>
</div>`,
  });
}

export function composePage(): string {
  return shell({
    title: 'CallBridge · Compose box (messaging extension)',
    bodyClass: 'compose',
    script: 'compose-page',
    body: `<header class="topbar"><span class="brand">CallBridge · Compose box <span class="badge">sandbox</span></span>${NAV('compose')}</header>
<main class="page" id="main">
  <h1>Search messaging extension</h1>
  <p class="muted">Sends a <code>composeExtension/query</code> invoke to the bot through the Bot Framework channel stand-in, as Teams does when you type in the compose box.</p>
  <form id="compose-form" class="panel stack" novalidate>
    <div class="row">
      <label>User <select id="compose-user" name="user"></select></label>
      <label>Conversation <select id="compose-context" name="context"></select></label>
      <label><input type="checkbox" id="compose-sso" name="sso" checked> SSO token (as Teams sends after <code>silentAuth</code>)</label>
    </div>
    <div class="row">
      <label class="compose-input">Search <input type="search" id="compose-query" name="query" class="compose-input" placeholder="Name, email or number" autocomplete="off"></label>
      <button type="submit" class="primary" id="compose-send">Search</button>
      <button type="button" id="compose-initial">Open (initial run)</button>
    </div>
  </form>
  <section class="panel stack" aria-labelledby="response-title">
    <h2 id="response-title">Response</h2>
    <div id="compose-status" role="status" aria-live="polite" class="muted">No query sent yet.</div>
    <div class="grid-2">
      <div class="stack">
        <h3 id="results-title">Results</h3>
        <ul id="compose-results" class="results" aria-labelledby="results-title"></ul>
      </div>
      <div class="stack">
        <h3 id="card-title">Card</h3>
        <div id="compose-card" aria-labelledby="card-title"><p class="muted">Pick a result to see the card it would insert.</p></div>
      </div>
    </div>
    <details><summary>Raw invoke response</summary><pre id="compose-raw"></pre></details>
  </section>
</main>`,
  });
}

export function consolePage(): string {
  return shell({
    title: 'CallBridge · Sandbox console',
    bodyClass: 'console',
    script: 'console-page',
    body: `<header class="topbar"><span class="brand">CallBridge · Sandbox console <span class="badge">sandbox</span></span>${NAV('console')}</header>
<main class="page" id="main">
  <h1>Sandbox console</h1>
  <div id="console-status" role="status" aria-live="polite" class="muted">Loading…</div>
  <section class="panel" aria-labelledby="services-title">
    <h2 id="services-title">Services</h2>
    <div id="services" class="row"></div>
  </section>
  <div class="console-layout">
    <section class="panel" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <label class="stack"><span>Search users</span><input type="search" id="user-search" placeholder="Name, email, department" autocomplete="off"></label>
      <ul id="user-list" class="user-list" aria-labelledby="users-title"></ul>
    </section>
    <section class="panel stack" id="user-detail" aria-labelledby="detail-title" tabindex="-1">
      <h2 id="detail-title">Pick a user</h2>
    </section>
  </div>
</main>`,
  });
}

/** CSP for the sandbox's own pages (not the tab: the service sets the tab's). */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Adaptive Cards and the dev host set element styles from script.
  "style-src 'self' 'unsafe-inline'",
  // Cards can show images from anywhere, as in Teams.
  "img-src 'self' data: https: http:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
