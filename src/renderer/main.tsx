// The renderer's entry: connect to the engine once, build this window's stores around that
// connection, wire events to them and render the cockpit.
// The preamble import lets React Fast Refresh start in dev without the inline script the strict CSP
// blocks; in a production build it is empty.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectCockpit } from './api';
import { App } from './App';
import { createCockpitStores } from './store';
import { CockpitProvider, type Cockpit } from './store/context';
import { createEngineClient } from './store/engine';
import { startCockpit } from './store/wiring';
import './styles.css';

/** The page's localStorage, or null where the origin may not use it (access throws there). */
function pageStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const connection = connectCockpit();
const stores = createCockpitStores({ storage: pageStorage() });
const cockpit: Cockpit = {
  api: connection.api,
  engine: createEngineClient(connection.api, stores.notices),
  stores,
};
startCockpit(connection, stores, cockpit.engine);

const root = document.getElementById('root');
// Without the root element the page itself is broken; failing loudly is the only useful answer.
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <CockpitProvider cockpit={cockpit}>
      <App />
    </CockpitProvider>
  </StrictMode>,
);
