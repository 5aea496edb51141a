// The approval desk: proposed signals with why (reasons, sources, confidence), how much (qty, $ at
// risk) and how long they wait, live from 'signals.update'. Approve (optionally fewer shares) or veto;
// the mode selector sets how the desk treats new signals this session.
import { memo, useMemo, useState } from 'react';
import { formatPrice } from '../components/format';
import { formatNyTime } from '../components/nyTime';
import { sessionSelectors } from '../store/session/selectors';
import { formatCountdown, secondsToExpiry, signalsSelectors } from '../store/signals/selectors';
import type { DeskMode } from '../store/signals/initialState';
import { useCockpit, useSession, useSignals } from '../store/context';

const MODES: ReadonlyArray<{ mode: DeskMode; label: string }> = [
  { mode: 'manual', label: 'Manual: every signal waits' },
  { mode: 'auto', label: 'Auto above threshold' },
  { mode: 'paper-only', label: 'Paper only: never execute' },
];

const Countdown = memo(function Countdown({ expiresAt }: { expiresAt: number }) {
  const now = useSession(sessionSelectors.now);
  const left = secondsToExpiry({ expiresAt }, now);
  return <span data-testid="signal-countdown">{left === null ? '' : formatCountdown(left)}</span>;
});

const SignalRow = memo(function SignalRow({ id }: { id: string }) {
  const { engine } = useCockpit();
  const select = useMemo(() => signalsSelectors.signalOf(id), [id]);
  const s = useSignals(select);
  const [qty, setQty] = useState('');
  const [busy, setBusy] = useState(false);
  if (!s) return null;
  const pending = s.status === 'pending';
  const parsedQty = qty.trim() === '' ? undefined : Number(qty);
  const qtyValid = parsedQty === undefined || (Number.isInteger(parsedQty) && parsedQty > 0 && parsedQty <= s.qty);
  const act = (call: () => Promise<unknown>): void => {
    setBusy(true);
    // A refusal is filed as a notice by the engine client; the row follows the desk's events.
    void call().finally(() => setBusy(false));
  };
  return (
    <tr data-testid={`signal-row-${s.id}`} data-status={s.status} title={s.conflictsWith ? `conflicts with ${s.conflictsWith}` : undefined}>
      <td className="date">{formatNyTime(s.createdAt)}</td>
      <td className="strong">{s.symbol}</td>
      <td className={s.side === 'long' ? 'up' : 'down'}>{s.side}</td>
      <td>{s.sources.join(' + ')}</td>
      <td className="num">{(s.confidence * 100).toFixed(0)}%</td>
      <td className="num">{s.qty}</td>
      <td className="num">{formatPrice(s.dollarsAtRisk)}</td>
      <td className="num">
        {formatPrice(s.entryPrice)} / {formatPrice(s.stopPrice)}
      </td>
      <td className="signal-reasons">{s.reasons.join('; ')}</td>
      <td className="num">{pending ? <Countdown expiresAt={s.expiresAt} /> : ''}</td>
      <td className={`signal-status status-${s.status}`}>{s.status}</td>
      <td>
        {pending && (
          <span className="signal-actions">
            <input
              data-testid={`signal-qty-${s.id}`}
              type="number"
              min={1}
              max={s.qty}
              step={1}
              placeholder={String(s.qty)}
              value={qty}
              aria-label="shares (only fewer than proposed)"
              onChange={(e) => setQty(e.target.value)}
              style={{ width: '5em' }}
            />
            <button
              type="button"
              data-testid={`signal-approve-${s.id}`}
              disabled={busy || !qtyValid}
              onClick={() => act(() => engine.call('signals.approve', parsedQty === undefined ? { id: s.id } : { id: s.id, qty: parsedQty }))}
            >
              Approve
            </button>
            <button type="button" data-testid={`signal-veto-${s.id}`} disabled={busy} onClick={() => act(() => engine.call('signals.veto', { id: s.id, reason: 'vetoed by the trader' }))}>
              Veto
            </button>
          </span>
        )}
      </td>
    </tr>
  );
});

function ModeSelector() {
  const { engine, stores } = useCockpit();
  const mode = useSignals(signalsSelectors.mode);
  const threshold = useSignals(signalsSelectors.threshold);
  const change = (next: DeskMode): void => {
    void engine.call('signals.setMode', { mode: next }).then((r) => {
      if (r.ok) stores.signals.getState().modeChanged(r.data);
    });
  };
  return (
    <label>
      Mode{' '}
      <select data-testid="signals-mode" value={mode} onChange={(e) => change(e.target.value as DeskMode)}>
        {MODES.map((m) => (
          <option key={m.mode} value={m.mode}>
            {m.label}
          </option>
        ))}
      </select>{' '}
      {mode === 'auto' && <span data-testid="signals-threshold">≥ {(threshold * 100).toFixed(0)}%</span>}
    </label>
  );
}

/** The pre-market focus list (09:15 New York): the day's picks with why, and how many were left out. */
function FocusListSection() {
  const focus = useSignals(signalsSelectors.focus);
  return (
    <section className="focus-list" data-testid="focus-list">
      <div className="notices-toolbar">
        <span className="strong">Focus list</span> <span data-testid="focus-list-date">{focus ? `${focus.date} (built ${formatNyTime(focus.createdAt)} ET)` : 'not built yet (09:15 ET on trading days)'}</span>
      </div>
      {focus && focus.picks.length === 0 && (
        <div className="panel-empty" data-testid="focus-list-empty">
          No picks today.
        </div>
      )}
      {focus && focus.picks.length > 0 && (
        <table className="data-table">
          <tbody>
            {focus.picks.map((p, i) => (
              <tr key={p.symbol} data-testid={`focus-pick-${p.symbol}`}>
                <td className="num">{i + 1}</td>
                <td className="strong">{p.symbol}</td>
                <td className="num">{p.score.toFixed(2)}</td>
                <td className="signal-reasons">{p.reasons.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {focus && focus.rejected.length > 0 && (
        <details data-testid="focus-rejected">
          <summary>{focus.rejected.length} not picked</summary>
          <ul>
            {focus.rejected.map((r) => (
              <li key={r.symbol} data-testid={`focus-rejected-${r.symbol}`}>
                <span className="strong">{r.symbol}</span>: {r.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

export function SignalsPanel() {
  const ids = useSignals(signalsSelectors.signalIds);
  const pending = useSignals(signalsSelectors.pendingCount);
  return (
    <div className="panel signals" data-testid="signals">
      <FocusListSection />
      <div className="notices-toolbar">
        <span>{pending} pending</span>
        <ModeSelector />
      </div>
      {ids.length === 0 ? (
        <div className="panel-empty" data-testid="signals-empty">
          No signals yet.
        </div>
      ) : (
        <table className="data-table" data-testid="signals-table">
          <thead>
            <tr>
              <th className="date">Time (ET)</th>
              <th>Symbol</th>
              <th>Side</th>
              <th>Sources</th>
              <th className="num">Conf.</th>
              <th className="num">Qty</th>
              <th className="num">$ at risk</th>
              <th className="num">Entry / stop</th>
              <th>Why</th>
              <th className="num">Expires in</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {ids.map((id) => (
              <SignalRow key={id} id={id} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
