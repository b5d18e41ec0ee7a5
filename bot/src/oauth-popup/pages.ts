import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Response } from 'restify';
import type { Route } from '../http/route.js';

/**
 * The small HTML pages a popup flow shows in the `authentication.authenticate` window, and the
 * three assets they load (teams-js's UMD build, our completion script and a stylesheet), served
 * from our own origin so the pages' CSP can stay `script-src 'self'` with no inline script. The
 * completion script hands the outcome to the tab: `notifySuccess(outcome)` for a success page,
 * `notifyFailure(outcome)` otherwise.
 */

/** `data-outcome` tells the script what to hand back to the tab. */
export interface ResultPage {
  readonly status: number;
  /** A success word (e.g. `linked`) or an error code the tab can show a message for. */
  readonly outcome: string;
  readonly title: string;
  readonly message: string;
  /** Reported with `notifySuccess` (default: failure). */
  readonly success?: boolean;
}

/** What every popup page tells the user to do after a failure: the tab starts every flow. */
export const START_AGAIN = 'Start again from the Call tab.';

export function failPage(status: number, outcome: string, title: string, message: string): ResultPage {
  return { status, outcome, title, message };
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // teams-js fetches its list of valid host origins from this CDN (see tab-static.ts).
  'connect-src https://res.cdn.office.net',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Headers every flow response carries: the URLs hold codes and state, so no caching, no Referer. */
export function noStore(res: Response): void {
  res.header('Cache-Control', 'no-store');
  res.header('Pragma', 'no-cache');
  res.header('Referrer-Policy', 'no-referrer');
  res.header('X-Content-Type-Options', 'nosniff');
}

/** Sends a result page whose scripts and stylesheet come from `assetPath` (see {@link popupAssetRoutes}). */
export function sendResultPage(res: Response, page: ResultPage, assetPath: string): void {
  noStore(res);
  res.header('Content-Security-Policy', CSP);
  res.header('Content-Type', 'text/html; charset=utf-8');
  const success = page.success === true;
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>CallBridge – ${escapeHtml(page.title)}</title>
<link rel="stylesheet" href="${assetPath}/page.css">
<script src="${assetPath}/teams.js" defer></script>
<script src="${assetPath}/complete.js" defer></script></head>
<body data-outcome="${escapeHtml(page.outcome)}" data-success="${success ? 'true' : 'false'}"><main>
<h1>${escapeHtml(page.title)}</h1>
<p ${success ? 'role="status"' : 'role="alert"'}>${escapeHtml(page.message)}</p>
<p>You can close this window.</p>
</main></body></html>`;
  res.status(page.status);
  res.end(body);
}

const COMPLETE_JS = `'use strict';
(function () {
  var outcome = document.body.getAttribute('data-outcome') || 'failed';
  var success = document.body.getAttribute('data-success') === 'true';
  var teams = window.microsoftTeams;
  if (!teams) return; // teams-js did not load: the page text is enough
  teams.app.initialize().then(function () {
    if (success) teams.authentication.notifySuccess(outcome);
    else teams.authentication.notifyFailure(outcome);
  }).catch(function () { /* not in a Teams popup: the page text says what happened */ });
})();
`;

const PAGE_CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f5f5;color:#242424}
main{max-width:30rem;margin:3rem auto;background:#fff;border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.3rem;margin-top:0}
`;

/** `GET {assetPath}/{teams.js,complete.js,page.css}`. */
export function popupAssetRoutes(assetPath: string): Route[] {
  const require = createRequire(import.meta.url);
  let teamsJs: Promise<Buffer> | undefined;
  const serve = (res: Response, type: string, body: string | Buffer): void => {
    res.header('Content-Type', type);
    res.header('Cache-Control', 'public, max-age=3600');
    res.header('X-Content-Type-Options', 'nosniff');
    res.status(200);
    res.end(body);
  };
  return [
    {
      method: 'get',
      path: `${assetPath}/teams.js`,
      handler: async (_req, res) => {
        teamsJs ??= readFile(require.resolve('@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js'));
        serve(res, 'text/javascript; charset=utf-8', await teamsJs);
      },
    },
    {
      method: 'get',
      path: `${assetPath}/complete.js`,
      handler: (_req, res) => {
        serve(res, 'text/javascript; charset=utf-8', COMPLETE_JS);
        return Promise.resolve();
      },
    },
    {
      method: 'get',
      path: `${assetPath}/page.css`,
      handler: (_req, res) => {
        serve(res, 'text/css; charset=utf-8', PAGE_CSS);
        return Promise.resolve();
      },
    },
  ];
}
