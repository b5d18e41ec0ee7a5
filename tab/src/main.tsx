import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { strings } from './i18n/strings.js';
import { App } from './app/App.js';
import { createTeamsHost } from './app/TeamsHost.js';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html must contain <div id="root">');

// index.html carries an English title for before this script runs; this one is translatable.
document.title = strings.appTitle;

createRoot(container).render(
  <StrictMode>
    <App host={createTeamsHost()} search={window.location.search} />
  </StrictMode>,
);
