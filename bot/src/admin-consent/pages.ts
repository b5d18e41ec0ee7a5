import { createHash } from 'node:crypto';
import type { Response } from 'restify';
import { REQUIRED_GRAPH_PERMISSIONS } from './required-permissions.js';

/**
 * The admin consent pages: plain HTML with no script, one inline stylesheet allowed by its hash,
 * a strict CSP, no caching and no Referer (the URLs carry the state).
 */

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f5f5;color:#242424}
main{max-width:36rem;margin:3rem auto;background:#fff;border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.3rem;margin-top:0}h2{font-size:1.05rem}code{font-size:.9em}
a.button{display:inline-block;background:#5b5fc7;color:#fff;padding:.5rem 1rem;border-radius:4px;text-decoration:none}`;

const CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const ENTRA_PERMISSIONS_HINT =
  'grant it in the Microsoft Entra admin center > Enterprise applications > CallBridge > Permissions';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface ConsentPage {
  readonly status: number;
  /** `granted`, `partial`, or an error code; also in `data-outcome` for tests and tools. */
  readonly outcome: string;
  readonly title: string;
  /** Paragraphs of text (escaped here). */
  readonly paragraphs: readonly string[];
  /** Items shown as a list under the paragraphs (escaped here). */
  readonly list?: readonly string[];
  /** A link shown as a button. */
  readonly action?: { readonly href: string; readonly label: string };
}

export function sendConsentPage(res: Response, page: ConsentPage): void {
  res.header('Cache-Control', 'no-store');
  res.header('Pragma', 'no-cache');
  res.header('Referrer-Policy', 'no-referrer');
  res.header('X-Content-Type-Options', 'nosniff');
  res.header('Content-Security-Policy', CSP);
  res.header('Content-Type', 'text/html; charset=utf-8');
  const alert = page.status >= 400 || page.outcome === 'partial';
  const list =
    page.list === undefined || page.list.length === 0
      ? ''
      : `<ul>${page.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  const action =
    page.action === undefined
      ? ''
      : `<p><a class="button" href="${escapeHtml(page.action.href)}">${escapeHtml(page.action.label)}</a></p>`;
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>CallBridge – ${escapeHtml(page.title)}</title>
<style>${STYLE}</style></head>
<body data-outcome="${escapeHtml(page.outcome)}"><main>
<h1>${escapeHtml(page.title)}</h1>
${page.paragraphs.map((p, i) => `<p${i === 0 ? (alert ? ' role="alert"' : ' role="status"') : ''}>${escapeHtml(p)}</p>`).join('\n')}
${list}
${action}
</main></body></html>`;
  res.status(page.status);
  res.end(body);
}

/** The permissions the start page lists, delegated and application. */
export function requiredPermissionLines(): string[] {
  return REQUIRED_GRAPH_PERMISSIONS.map(
    (p) =>
      `${p.name} (${p.type === 'Scope' ? 'delegated, for signed-in users' : 'application, without a user'})`,
  );
}
