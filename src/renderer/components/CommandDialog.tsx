// The dialog a menu command opens (`ui.command`): backtest, import. Backtest has a small form that
// calls `backtest.run`; the answer (a run id) or the error (code and message) is shown here. Import
// has its own form and follows its job (ImportDialog). Models is a panel, not a dialog (ModelsPanel).
import { useEffect, useState, type FormEvent } from 'react';
import type { AppError } from '../../shared/contract';
import { useCockpit, useUi } from '../store/context';
import type { DialogCommand } from '../store/ui/initialState';
import { uiSelectors } from '../store/ui/selectors';
import { ImportForm } from './ImportDialog';
import { nyDate } from './nyTime';

const DAY_MS = 86_400_000;

type Outcome = { kind: 'ok'; text: string } | { kind: 'error'; error: AppError } | null;

function OutcomeLine({ outcome, testId }: { outcome: Outcome; testId: string }) {
  if (!outcome) return null;
  if (outcome.kind === 'ok') {
    return (
      <p className="dialog-result" data-testid={`${testId}-result`}>
        {outcome.text}
      </p>
    );
  }
  return (
    <p className="dialog-error" data-testid={`${testId}-error`} data-code={outcome.error.code}>
      {outcome.error.code}: {outcome.error.message}
    </p>
  );
}

function BacktestForm() {
  const { engine, stores } = useCockpit();
  // Defaults are read once: the form should not change under the trader's hands.
  const [symbols, setSymbols] = useState(() => {
    const m = stores.market.getState();
    return m.selected ?? m.symbols[0] ?? '';
  });
  const [to, setTo] = useState(() => nyDate(stores.session.getState().now ?? Date.now()));
  const [from, setFrom] = useState(() => nyDate((stores.session.getState().now ?? Date.now()) - 7 * DAY_MS));
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setRunning(true);
    setOutcome(null);
    // The engine validates; a bad symbol or date comes back as BAD_REQUEST and is shown as is.
    const list = symbols
      .split(/[\s,]+/)
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s.length > 0);
    const result = await engine.call('backtest.run', { symbols: list, from, to });
    setOutcome(result.ok ? { kind: 'ok', text: `Backtest started: run ${result.data.runId}` } : { kind: 'error', error: result.error });
    setRunning(false);
  };

  return (
    <form className="dialog-form" onSubmit={(e) => void submit(e)}>
      <label>
        Symbols
        <input data-testid="backtest-symbols" value={symbols} onChange={(e) => setSymbols(e.target.value)} placeholder="AAPL, MSFT" />
      </label>
      <label>
        From
        <input data-testid="backtest-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To
        <input data-testid="backtest-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit" data-testid="backtest-run" disabled={running}>
        {running ? 'Starting…' : 'Run backtest'}
      </button>
      <OutcomeLine outcome={outcome} testId="backtest" />
    </form>
  );
}

const TITLES: Record<DialogCommand, string> = {
  'backtest.open': 'Run a backtest',
  'import.open': 'Import history',
};

function DialogBody({ command }: { command: DialogCommand }) {
  switch (command) {
    case 'backtest.open':
      return (
        <>
          <p>
            Replays the chosen days through the same strategy, risk and execution code with a simulated clock and broker,
            in a worker thread. Starting a run answers with its id.
          </p>
          <BacktestForm />
        </>
      );
    case 'import.open':
      return (
        <>
          <p>
            Reads a file of 1-minute bars on the engine's machine into the history store, in a worker thread. Bars already
            stored are kept; rows that cannot be bars (bad numbers, closed market, duplicates) are counted by reason, never
            stored.
          </p>
          <ImportForm />
        </>
      );
  }
}

export function CommandDialog() {
  const dialog = useUi(uiSelectors.dialog);
  const close = useUi((s) => s.dialogClosed);

  useEffect(() => {
    if (!dialog) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dialog, close]);

  if (!dialog) return null;
  return (
    <div className="modal-backdrop" onClick={close}>
      <div
        className={`modal modal-${dialog.replace('.', '-')}`}
        role="dialog"
        aria-modal="true"
        aria-label={TITLES[dialog]}
        data-testid="command-dialog"
        data-command={dialog}
        onClick={(e) => e.stopPropagation()}
      >
        <div className="modal-header">
          <h2>{TITLES[dialog]}</h2>
          <button type="button" className="modal-close" data-testid="dialog-close" aria-label="Close" onClick={close}>
            ×
          </button>
        </div>
        {/* Keyed by command so a new command starts with a fresh form. */}
        <div className="modal-body" key={dialog}>
          <DialogBody command={dialog} />
        </div>
      </div>
    </div>
  );
}
