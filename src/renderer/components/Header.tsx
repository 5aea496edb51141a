// The header: the SIMULATED banner when the data is not real, the kill switch, and Resume when
// trading is halted. Both buttons ask the trader first; a refusal shows up as a notice. A lost or
// refused connection is said here too, since every other panel would just look frozen. "Import…"
// opens the same dialog as File → Import history…, for the headless browser, which has no menu.
import { useState } from 'react';
import { useCockpit, useSession, useUi } from '../store/context';
import { RECONNECT_EVENT } from '../api';
import { sessionSelectors } from '../store/session/selectors';

const KILL_REASON = 'kill switch (cockpit button)';

export function Header() {
  const { engine, stores } = useCockpit();
  const simulated = useSession(sessionSelectors.isSimulated);
  const mode = useSession(sessionSelectors.mode);
  const halted = useSession(sessionSelectors.isHalted);
  const reducing = useSession(sessionSelectors.isReducing);
  const liveBroker = useSession(sessionSelectors.isLiveBroker);
  const liveUnconfirmed = useSession(sessionSelectors.liveUnconfirmed);
  const brokerLabel = useSession(sessionSelectors.brokerLabel);
  const [confirming, setConfirming] = useState(false);
  const [phrase, setPhrase] = useState('');
  const [confirmError, setConfirmError] = useState('');
  const connection = useSession(sessionSelectors.connection);
  const transport = useSession(sessionSelectors.transport);
  const connectionDetail = useSession(sessionSelectors.connectionDetail);
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

  const confirmLive = async (): Promise<void> => {
    setBusy(true);
    const result = await engine.call('trading.confirmLive', { phrase });
    setBusy(false);
    if (result.ok) {
      stores.session.getState().liveConfirmed(result.data);
      setConfirming(false);
      setPhrase('');
      setConfirmError('');
    } else {
      setConfirmError(result.error.message);
    }
  };

  return (
    <header className="app-header">
      {liveBroker && (
        <div className="live-banner" role="alert" data-testid="live-banner">
          LIVE: real money at {brokerLabel}
          {liveUnconfirmed && (
            <>
              {' '}— entries are off until you confirm.{' '}
              <button type="button" data-testid="confirm-live-open" onClick={() => setConfirming(true)}>
                Confirm live trading…
              </button>
            </>
          )}
        </div>
      )}
      {confirming && (
        <div className="modal-backdrop" role="dialog" aria-modal="true" aria-labelledby="confirm-live-title" data-testid="confirm-live-dialog">
          <form
            className="modal"
            onSubmit={(e) => {
              e.preventDefault();
              void confirmLive();
            }}
          >
            <h2 id="confirm-live-title">Trade with real money?</h2>
            <p>
              Orders from approved signals will go to <strong>{brokerLabel}</strong>, a live account. The risk limits still apply. Type <code>LIVE</code> to confirm for this session.
            </p>
            <input data-testid="confirm-live-phrase" autoFocus value={phrase} onChange={(e) => setPhrase(e.target.value)} aria-label="Type LIVE to confirm" />
            {confirmError && <p className="form-error" role="alert">{confirmError}</p>}
            <div className="modal-actions">
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
              <button type="submit" className="danger" data-testid="confirm-live-submit" disabled={busy || phrase !== 'LIVE'}>
                Confirm live trading
              </button>
            </div>
          </form>
        </div>
      )}
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
      {connection === 'lagged' && (
        <div className="conn-banner" role="alert" data-testid="connection-banner">
          {connectionDetail}{' '}
          <button type="button" data-testid="reconnect" onClick={() => window.dispatchEvent(new Event(RECONNECT_EVENT))}>
            Reconnect
          </button>
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
        {(halted || (reducing && !liveUnconfirmed)) && (
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
