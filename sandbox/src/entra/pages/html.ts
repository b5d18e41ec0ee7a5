import type { SandboxResponse } from '../../shared/http.js';
import { errorDescription, type EntraError, type ErrorContext } from '../errors.js';

/**
 * The sign-in pages' markup: plain server-rendered HTML with real form controls, so the
 * pages work by keyboard, with a screen reader, and without JavaScript.
 */

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Hidden inputs carrying the original request through the page's POST. */
export function hiddenFields(fields: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

export function htmlPage(status: number, title: string, body: string): SandboxResponse {
  const document = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="brand">Microsoft Entra ID <span>sandbox</span></p>
${body}
</main>
</body>
</html>`;
  return { status, body: document, headers: PAGE_HEADERS };
}

/** Entra's own error page, for requests it cannot safely redirect (unknown client or redirect URI). */
export function errorPage(error: EntraError, errors: ErrorContext): SandboxResponse {
  return htmlPage(
    400,
    'Sign in error',
    `<h1>Sorry, but we're having trouble signing you in.</h1>
<div role="alert">
<p class="code">AADSTS${error.code}</p>
<pre>${escapeHtml(errorDescription(error, errors))}</pre>
</div>`,
  );
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};

const STYLE = `
:root { color-scheme: light; font-family: "Segoe UI", system-ui, sans-serif; color: #1b1b1b; background: #f2f2f2; }
body { margin: 0; }
main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 2rem 2.5rem; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
.brand { font-weight: 600; color: #505050; margin: 0 0 1rem; }
.brand span { font-weight: 400; font-size: .85em; border: 1px solid #8a8886; border-radius: 2px; padding: 0 .3em; margin-left: .3em; }
h1 { font-size: 1.5rem; font-weight: 600; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; font-weight: 600; margin: 1.5rem 0 .5rem; }
fieldset { border: 1px solid #c8c6c4; padding: .5rem 1rem; max-height: 22rem; overflow-y: auto; }
legend { font-weight: 600; padding: 0 .25rem; }
.account { display: flex; gap: .6rem; align-items: baseline; padding: .35rem 0; }
.account small { color: #605e5c; }
ul.permissions { padding-left: 1.2rem; }
ul.permissions li { margin: .3rem 0; }
code { font-size: .85em; background: #f3f2f1; padding: 0 .25em; }
.tag { font-size: .8em; color: #a4262c; margin-left: .4em; }
.note { color: #605e5c; font-size: .9em; }
.actions { display: flex; justify-content: flex-end; gap: .75rem; margin-top: 1.5rem; }
button { font: inherit; min-width: 6.5rem; padding: .45rem 1rem; border: 1px solid #8a8886; background: #fff; cursor: pointer; }
button.primary { background: #0067b8; border-color: #0067b8; color: #fff; }
button:focus-visible, input:focus-visible { outline: 2px solid #000; outline-offset: 2px; }
[role="alert"] { border-left: 4px solid #a4262c; padding: .5rem 1rem; background: #fde7e9; }
pre { white-space: pre-wrap; font-size: .85em; }
.code { font-weight: 600; }
`;
