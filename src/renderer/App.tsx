// The cockpit's frame: header (banner, kill switch), the dockable panels, the status bar, and the
// dialog menu commands open. The whole frame is outlined in amber while the data is simulated.
import { CommandDialog } from './components/CommandDialog';
import { DockLayout } from './components/DockLayout';
import { Header } from './components/Header';
import { StatusBar } from './components/StatusBar';
import { panelDefinitions } from './panels/registry';
import { useSession } from './store/context';
import { sessionSelectors } from './store/session/selectors';

export function App() {
  const simulated = useSession(sessionSelectors.isSimulated);
  return (
    <div className={simulated ? 'app simulated' : 'app'} data-testid="app" data-simulated={simulated}>
      <Header />
      <main className="app-main">
        <DockLayout panels={panelDefinitions} />
      </main>
      <StatusBar />
      <CommandDialog />
    </div>
  );
}
