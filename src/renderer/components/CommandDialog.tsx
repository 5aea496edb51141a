// The dialog a menu command opens (`ui.command`): import, with its own form that follows its job
// (ImportDialog). Backtest and Models are panels, not dialogs (BacktestPanel, ModelsPanel): their
// commands bring the panel to the front.
import { useEffect } from 'react';
import { useUi } from '../store/context';
import type { DialogCommand } from '../store/ui/initialState';
import { uiSelectors } from '../store/ui/selectors';
import { ImportForm } from './ImportDialog';

const TITLES: Record<DialogCommand, string> = {
  'import.open': 'Import history',
};

function DialogBody({ command }: { command: DialogCommand }) {
  switch (command) {
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
