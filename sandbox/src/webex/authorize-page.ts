import type { DirectoryEntry } from './directory.js';

/**
 * The consent page `GET /v1/authorize` shows: pick a demo person (pre-selected by
 * `login_hint`/`email`), see the requested scopes, Accept or Decline. Plain HTML with labels and
 * landmarks so keyboard and screen-reader users (and Playwright) can drive it.
 */

export interface AuthorizePageModel {
  readonly integrationName: string;
  readonly scopes: readonly string[];
  readonly people: readonly DirectoryEntry[];
  readonly selectedPersonId: string | undefined;
  /** Authorization parameters carried through the form. */
  readonly hidden: Readonly<Record<string, string | undefined>>;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1b1c1e;margin:0}
main{max-width:32rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin-top:0}
label{display:block;font-weight:600;margin:1.25rem 0 .4rem}
select{width:100%;padding:.5rem;font-size:1rem}
ul{padding-left:1.2rem}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
button{font-size:1rem;padding:.6rem 1.4rem;border-radius:20px;border:1px solid #0a5c9e;cursor:pointer}
button[value=accept]{background:#0a5c9e;color:#fff}
button[value=decline]{background:#fff;color:#0a5c9e}
button:focus-visible,select:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.note{color:#555;font-size:.9rem}`;

export function renderAuthorizePage(model: AuthorizePageModel): string {
  const options = model.people
    .map((p) => {
      const selected = p.personId === model.selectedPersonId ? ' selected' : '';
      return `<option value="${escapeHtml(p.personId)}"${selected}>${escapeHtml(p.user.displayName)} (${escapeHtml(p.email)})</option>`;
    })
    .join('');
  const hidden = Object.entries(model.hidden)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const scopes = model.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
  const name = escapeHtml(model.integrationName);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Webex sandbox – authorize ${name}</title><style>${STYLE}</style></head>
<body><main>
<h1>Authorize ${name}</h1>
<p>${name} is asking for access to your Webex account with these permissions:</p>
<ul aria-label="Requested permissions">${scopes}</ul>
<form method="post" action="/v1/authorize">${hidden}
<label for="person">Sign in as</label>
<select id="person" name="person" required>${options}</select>
<div class="actions"><button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="decline">Decline</button></div>
</form>
<p class="note">Sandbox stand-in for Webex sign-in: no password is asked.</p>
</main></body></html>`;
}

export function renderAuthorizeError(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Webex sandbox – authorization error</title><style>${STYLE}</style></head>
<body><main><h1>Authorization error</h1><p role="alert">${escapeHtml(message)}</p></main></body></html>`;
}
