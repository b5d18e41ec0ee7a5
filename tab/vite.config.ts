import { defineConfig } from 'vite';

/**
 * Builds the personal tab into tab/dist, served by the bot under /tab/
 * (bot/src/http/tab-static.ts). No inline scripts are emitted, which is what lets that route's
 * CSP say `script-src 'self'`.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/tab/',
  // Vite's built-in Oxc transform compiles TSX; the automatic runtime means no React import
  // per file, matching tsconfig's `jsx: react-jsx`. No React plugin: we don't need Fast Refresh
  // badly enough to carry one more dependency.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Fluent v9 + teams-js make one ~550 KB minified (~160 KB gzip) entry; the budget that matters
    // is gzip before first paint (250 KB), which `npm run bench -- tab-bundle` reports.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      onLog(level, log, handler) {
        // Fluent marks every module 'use client' for React Server Components; in a client-only
        // bundle the directive means nothing, and ~900 copies of the warning bury real ones.
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
});
