import { FluentProvider, makeStaticStyles, makeStyles } from '@fluentui/react-components';
import { useEffect, useMemo } from 'react';
import { createApiClient, type ApiClient } from '../api/client.js';
import { SignInGate } from '../features/account/SignInGate.js';
import { useSignIn } from '../features/account/useSignIn.js';
import { WebexAccountCard } from '../features/account/WebexAccountCard.js';
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
}

export function App({ host, search, api: givenApi }: AppProps) {
  usePageStyles();
  const styles = useStyles();
  const { status, theme } = useHostConnection(host, search);
  const api = useMemo(
    () => givenApi ?? createApiClient({ getToken: () => host.getAuthToken() }),
    [givenApi, host],
  );
  // No SSO token exists until Teams has answered; outside Teams there is none at all.
  const signIn = useSignIn(api, host, status.kind === 'ready');
  const signedIn = signIn.state.kind === 'signed_in';

  useEffect(() => {
    // On the root element so the page scrollbar matches too, and so Chromium doesn't paint an
    // opaque backdrop behind the frame when our scheme differs from the Teams page's.
    document.documentElement.style.colorScheme = colorSchemeFor(theme);
  }, [theme]);

  return (
    <FluentProvider theme={fluentThemeFor(theme)} className={styles.provider}>
      <Shell
        status={status}
        {...(signedIn
          ? {}
          : { gate: (className: string) => <SignInGate signIn={signIn} className={className} /> })}
        {...(signedIn && status.kind === 'ready'
          ? {
              account: (className: string) => (
                <WebexAccountCard api={api} host={host} className={className} />
              ),
            }
          : {})}
      />
    </FluentProvider>
  );
}
