import { FluentProvider, makeStaticStyles, makeStyles } from '@fluentui/react-components';
import { useEffect, useMemo, useRef } from 'react';
import { createApiClient, type ApiClient } from '../api/client.js';
import { SignInGate } from '../features/account/SignInGate.js';
import { useSignIn } from '../features/account/useSignIn.js';
import { browserStorage, createBootstrapCache, type BootstrapCache } from '../features/bootstrap/cache.js';
import { useBootstrap } from '../features/bootstrap/useBootstrap.js';
import { CallTab } from '../features/CallTab.js';
import { Shell } from './Shell.js';
import { colorSchemeFor, fluentThemeFor } from './theme.js';
import type { TeamsHost } from './TeamsHost.js';
import { useHostConnection } from './useHostConnection.js';

const usePageStyles = makeStaticStyles({
  // The tab fills the Teams frame edge to edge; the provider below paints the background.
  'html, body': { margin: 0, padding: 0 },
});

const useStyles = makeStyles({
  provider: {
    // dvh so mobile webviews with collapsing toolbars don't leave a strip of unpainted page.
    minHeight: ['100vh', '100dvh'],
  },
});

export interface AppProps {
  readonly host: TeamsHost;
  /** `window.location.search`, passed in so the app doesn't read globals it could be given. */
  readonly search: string;
  /** Our API; built on the host's SSO token unless given (tests). */
  readonly api?: ApiClient;
  /** Where the last bootstrap is kept; localStorage unless given (tests). */
  readonly cache?: BootstrapCache;
}

export function App({ host, search, api: givenApi, cache: givenCache }: AppProps) {
  usePageStyles();
  const styles = useStyles();
  const { status, theme } = useHostConnection(host, search);
  const api = useMemo(
    () => givenApi ?? createApiClient({ getToken: () => host.getAuthToken() }),
    [givenApi, host],
  );
  const cache = useMemo(() => givenCache ?? createBootstrapCache(browserStorage()), [givenCache]);
  // No SSO token exists until Teams has answered; outside Teams there is none at all.
  const ready = status.kind === 'ready';
  const signIn = useSignIn(api, host, ready);
  const signedIn = signIn.state.kind === 'signed_in';
  // The bootstrap runs alongside the sign-in check, so a returning user waits for one round
  // trip, not two; what was cached for them shows while both are in flight.
  const bootstrap = useBootstrap(api, cache, ready ? status.userId : undefined, ready);
  const showTab = signedIn || (signIn.state.kind === 'checking' && bootstrap.data !== undefined);

  // A first-time user's bootstrap can race their sign-in (no Graph session yet): once signed
  // in, ask again if it failed or came back with holes.
  const { reload, error, data, loading } = bootstrap;
  const retried = useRef(false);
  useEffect(() => {
    if (!signedIn || loading || retried.current) return;
    if (error !== undefined || (data?.problems.length ?? 0) > 0) {
      retried.current = true;
      reload();
    }
  }, [signedIn, loading, error, data, reload]);

  useEffect(() => {
    // On the root element so the page scrollbar matches too, and so Chromium doesn't paint an
    // opaque backdrop behind the frame when our scheme differs from the Teams page's.
    document.documentElement.style.colorScheme = colorSchemeFor(theme);
  }, [theme]);

  return (
    <FluentProvider theme={fluentThemeFor(theme)} className={styles.provider}>
      <Shell
        status={status}
        {...(showTab
          ? {
              content: (fullRow: string) => (
                <CallTab api={api} host={host} bootstrap={bootstrap} fullRow={fullRow} />
              ),
            }
          : { gate: (className: string) => <SignInGate signIn={signIn} className={className} /> })}
      />
    </FluentProvider>
  );
}
