import { useEffect, useState } from 'react';
import { themeFromQuery, toTeamsThemeName, type TeamsThemeName } from './theme.js';
import type { TeamsHost } from './TeamsHost.js';

export type ShellStatus =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'ready'; readonly userName: string | undefined; readonly userId?: string }
  | { readonly kind: 'unhosted' }
  | { readonly kind: 'failed' };

export interface HostConnectionState {
  readonly status: ShellStatus;
  readonly theme: TeamsThemeName;
}

/**
 * Connects to Teams once and follows its theme live.
 *
 * `?theme=` (the manifest's contentUrl can carry Teams' `{theme}` placeholder) only sets the
 * theme drawn before Teams answers and, when Teams never answers, the dev fallback: it is how
 * the shell is looked at in dark or high contrast from a plain browser. Once Teams answers, its
 * context and theme-change events are the only source, so the URL can never override the
 * user's Teams setting.
 */
export function useHostConnection(host: TeamsHost, search: string): HostConnectionState {
  const [status, setStatus] = useState<ShellStatus>({ kind: 'connecting' });
  const [theme, setTheme] = useState<TeamsThemeName>(() => themeFromQuery(search) ?? 'default');

  useEffect(() => {
    // Strict mode and fast refresh unmount and remount: a late answer must not touch state
    // of an unmounted tree. `connect()` is shared, so Teams is still initialised only once.
    let active = true;
    host.connect().then(
      (connection) => {
        if (!active) return;
        if (connection.kind === 'unhosted') {
          setStatus({ kind: 'unhosted' });
          return;
        }
        setTheme(toTeamsThemeName(connection.context.theme));
        const { userName, userId } = connection.context;
        setStatus({ kind: 'ready', userName, ...(userId === undefined ? {} : { userId }) });
        host.onThemeChange((next) => {
          if (active) setTheme(toTeamsThemeName(next));
        });
        host.notifyReady();
      },
      () => {
        if (!active) return;
        setStatus({ kind: 'failed' });
        // Teams did initialise; let it drop any loading indicator so our error (which says
        // what to do) is what the user sees.
        host.notifyReady();
      },
    );
    return () => {
      active = false;
    };
  }, [host]);

  return { status, theme };
}
