// The header: the SIMULATED banner when the data is not real, the kill switch, and Resume when
// trading is halted. Both buttons ask the trader first; a refusal shows up as a notice. A lost or
// refused connection is said here too, since every other panel would just look frozen. "Import…"
// opens the same dialog as File → Import history…, for the headless browser, which has no menu.
import { useState } from 'react';
import { useCockpit, useSession, useUi } from '../store/context';
import { sessionSelectors } from '../store/session/selectors';

const KILL_REASON = 'kill switch (cockpit button)';

export function Header() {
  const { engine, stores } = useCockpit();
  const simulated = useSession(sessionSelectors.isSimulated);
  const mode = useSession(sessionSelectors.mode);
  const halted = useSession(sessionSelectors.isHalted);
  const connection = useSession(sessionSelectors.connection);
  const transport = useSession(sessionSelectors.transport);
  const openDialog = useUi((s) => s.dialogOpened);
  const [busy, setBusy] = useState(false);

  const killSwitch = async (): Promise<void> => {
    if (!window.confirm('Kill switch: halt all trading now? Open orders will be cancelled by the engine.')) return;
    setBusy(true);
    const result = await engine.call('trading.killSwitch', { reason: KILL_REASON });
    // The answer is the new state; apply it now rather than wait for the event.
    if (result.ok) stores.session.getState().tradingStateChanged(result.data);
    setBusy(false);
  };

  const resume = async (): Promise<void> => {
    // The contract asks for the trader's explicit confirmation to leave HALTED.
    if (!window.confirm('Resume trading? The engine will accept new orders again.')) return;
    setBusy(true);
    const result = await engine.call('trading.resume', { confirm: true });
    if (result.ok) stores.session.getState().tradingStateChanged(result.data);
    setBusy(false);
  };

  return (
    <header className="app-header">
      <span className="app-title">Trading Cockpit</span>
      {simulated && (
        <div className="sim-banner" role="status">
          <span data-testid="simulated-banner">SIMULATED</span>
          <span className="sim-banner-detail">
            {mode === 'SIMULATED' ? 'simulated market data and broker: no real orders' : 'simulated market data'}
          </span>
        </div>
      )}
      {connection === 'unauthorized' && (
        <div className="conn-banner" role="alert" data-testid="connection-banner">
          The host refused the access token: open the address the host printed (it ends in #token=…).
        </div>
      )}
      {connection === 'closed' && (
        <div className="conn-banner" role="alert" data-testid="connection-banner">
          Disconnected from the engine{transport === 'socket' ? ': reload once the host is running again' : ''}.
        </div>
      )}
      <div className="header-actions">
        <button type="button" data-testid="open-import" title="Import history (File → Import history…)" onClick={() => openDialog('import.open')}>
          Import…
        </button>
        {halted && (
          <button type="button" className="resume" data-testid="resume-trading" disabled={busy} onClick={() => void resume()}>
            Resume trading
          </button>
        )}
        <button type="button" className="kill-switch" data-testid="kill-switch" disabled={busy} onClick={() => void killSwitch()}>
          Kill switch
        </button>
      </div>
    </header>
  );
}
