/**
 * One stylesheet for the sandbox pages (dev host, compose box, console), served as a file so
 * the pages' CSP needs no inline styles of their own. Colours are CSS variables: light by
 * default, dark under `prefers-color-scheme: dark`, and the dev host sets `data-theme` to the
 * Teams theme the user picked (default / dark / contrast), like Teams' own chrome follows it.
 */
export const SANDBOX_CSS = `
:root {
  color-scheme: light;
  --bg: #f5f5f5; --surface: #ffffff; --surface-2: #ebebeb; --fg: #242424; --muted: #5c5c5c;
  --border: #c7c7c7; --accent: #4f52b2; --accent-fg: #ffffff; --accent-soft: #e8ebfa;
  --danger: #b10e1c; --ok: #0e700e; --warn: #8a3707; --focus: #1a1a1a; --code-bg: #f0f0f0;
  font-family: "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root:not([data-theme]) {
    color-scheme: dark;
    --bg: #1b1b1b; --surface: #292929; --surface-2: #333333; --fg: #f0f0f0; --muted: #c2c2c2;
    --border: #5c5c5c; --accent: #9ea2ff; --accent-fg: #111111; --accent-soft: #34365c;
    --danger: #ff99a4; --ok: #85e085; --warn: #ffc27a; --focus: #ffffff; --code-bg: #1f1f1f;
  }
}
:root[data-theme="dark"] {
  color-scheme: dark;
  --bg: #1f1f1f; --surface: #292929; --surface-2: #333333; --fg: #f0f0f0; --muted: #c2c2c2;
  --border: #5c5c5c; --accent: #9ea2ff; --accent-fg: #111111; --accent-soft: #34365c;
  --danger: #ff99a4; --ok: #85e085; --warn: #ffc27a; --focus: #ffffff; --code-bg: #1f1f1f;
}
:root[data-theme="contrast"] {
  color-scheme: dark;
  --bg: #000000; --surface: #000000; --surface-2: #000000; --fg: #ffffff; --muted: #ffffff;
  --border: #ffffff; --accent: #ffff00; --accent-fg: #000000; --accent-soft: #000000;
  --danger: #ff6e6e; --ok: #3ff23f; --warn: #ffff00; --focus: #00ffff; --code-bg: #000000;
}
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
h1, h2, h3 { margin: 0; line-height: 1.25; }
h1 { font-size: 1.25rem; } h2 { font-size: 1.1rem; } h3 { font-size: 1rem; }
button, select, input, textarea { font: inherit; color: inherit; }
button {
  background: var(--surface); border: 1px solid var(--border); border-radius: 4px;
  padding: 4px 10px; cursor: pointer; min-height: 32px;
}
button:hover { background: var(--surface-2); }
button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); font-weight: 600; }
button.danger { color: var(--danger); border-color: var(--danger); }
button:disabled { opacity: 0.55; cursor: not-allowed; }
select, input[type="text"], input[type="search"], textarea {
  background: var(--surface); border: 1px solid var(--border); border-radius: 4px; padding: 4px 8px; min-height: 32px;
}
label { display: inline-flex; gap: 6px; align-items: center; }
label.stack { display: flex; flex-direction: column; align-items: stretch; gap: 4px; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.skip-link { position: absolute; left: 8px; top: -40px; background: var(--surface); padding: 6px 10px; z-index: 10; }
.skip-link:focus { top: 8px; }
.topbar {
  display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; padding: 8px 16px;
  background: var(--surface); border-bottom: 1px solid var(--border);
}
.topbar .brand { font-weight: 600; margin-right: auto; }
.topbar nav a { margin-left: 12px; }
.muted { color: var(--muted); }
.badge {
  display: inline-block; border: 1px solid var(--border); border-radius: 10px; padding: 0 8px;
  font-size: 12px; background: var(--surface-2); white-space: nowrap;
}
.badge.ok { color: var(--ok); border-color: var(--ok); }
.badge.warn { color: var(--warn); border-color: var(--warn); }
.badge.danger { color: var(--danger); border-color: var(--danger); }
.notice { border: 1px solid var(--border); border-left: 4px solid var(--accent); background: var(--surface); padding: 8px 12px; border-radius: 4px; }
.notice.error { border-left-color: var(--danger); }
.notice.warn { border-left-color: var(--warn); }
pre, code { font-family: ui-monospace, "Cascadia Code", Consolas, monospace; font-size: 12px; }
pre { background: var(--code-bg); border: 1px solid var(--border); padding: 8px; overflow: auto; border-radius: 4px; max-height: 320px; }

/* Dev host */
body.host { display: flex; flex-direction: column; height: 100vh; }
.host-main { display: flex; flex: 1; min-height: 0; }
.rail { width: 72px; background: var(--surface-2); border-right: 1px solid var(--border); padding: 8px 4px; display: flex; flex-direction: column; gap: 4px; align-items: stretch; }
.rail a { text-decoration: none; color: var(--fg); text-align: center; font-size: 12px; padding: 8px 2px; border-radius: 4px; }
.rail a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); font-weight: 600; box-shadow: inset 3px 0 0 var(--accent); }
.stage { flex: 1; display: flex; flex-direction: column; min-width: 0; }
.stage-header { display: flex; gap: 12px; align-items: center; padding: 6px 16px; border-bottom: 1px solid var(--border); background: var(--surface); flex-wrap: wrap; }
.stage iframe { flex: 1; width: 100%; border: 0; background: transparent; min-height: 0; }
.log-panel { width: 360px; border-left: 1px solid var(--border); background: var(--surface); overflow: auto; padding: 8px 12px; }
.log-panel ol { list-style: none; padding: 0; margin: 8px 0 0; font-family: ui-monospace, Consolas, monospace; font-size: 12px; }
.log-panel li { padding: 3px 0; border-bottom: 1px solid var(--surface-2); overflow-wrap: anywhere; }
@media (max-width: 900px) { .log-panel { display: none; } }

/* Compose box and console */
.page > p { margin: 0; }
.page { max-width: 1100px; margin: 0 auto; padding: 16px; display: flex; flex-direction: column; gap: 16px; }
.panel { background: var(--surface); border: 1px solid var(--border); border-radius: 6px; padding: 12px 16px; }
.row { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: center; }
.stack { display: flex; flex-direction: column; gap: 8px; }
.compose-input { flex: 1; min-width: 240px; }
.results { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: 6px; }
.result-item { width: 100%; display: flex; gap: 10px; align-items: center; text-align: left; padding: 8px; }
.result-item[aria-pressed="true"] { border-color: var(--accent); box-shadow: inset 3px 0 0 var(--accent); }
.result-item img { width: 40px; height: 40px; border-radius: 50%; object-fit: cover; flex: none; background: var(--surface-2); }
.result-text { display: flex; flex-direction: column; min-width: 0; }
.result-text span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.card-host { background: #ffffff; color: #242424; border-radius: 6px; padding: 4px; border: 1px solid var(--border); max-width: 480px; }
.grid-2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
@media (max-width: 800px) { .grid-2 { grid-template-columns: minmax(0, 1fr); } }
.console-layout { display: grid; grid-template-columns: 300px minmax(0, 1fr); gap: 16px; align-items: start; }
@media (max-width: 800px) { .console-layout { grid-template-columns: minmax(0, 1fr); } }
.user-list { list-style: none; margin: 8px 0 0; padding: 0; max-height: 70vh; overflow: auto; }
.user-list button { width: 100%; text-align: left; border: 0; border-radius: 4px; display: flex; flex-direction: column; align-items: flex-start; padding: 6px 8px; }
.user-list button[aria-current="true"] { background: var(--accent-soft); box-shadow: inset 3px 0 0 var(--accent); }
#user-detail > section { border-top: 1px solid var(--border); padding-top: 12px; }
.kv { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 12px; margin: 0; }
.kv dt { color: var(--muted); } .kv dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--border); vertical-align: top; }
fieldset { border: 1px solid var(--border); border-radius: 6px; padding: 8px 12px; margin: 0; }
legend { padding: 0 4px; font-weight: 600; }
`;
