// The shown run's line: its state, the progress bar with percent, bars per second and time left, and
// Cancel while it can still stop. The state comes from its job (`job.progress`), how far and how fast
// from `backtest.progress`, and from the engine's summary for a run another window started.
import type { CancelState } from '../../store/backtest/initialState';
import { isEnded, type RunView } from '../../store/backtest/runState';
import { formatBarsPerSecond, formatCount, formatEta, percentDone } from './format';

const STATE_TITLES: Readonly<Record<RunView['state'], string>> = {
  starting: 'asked the engine to start the run',
  queued: 'waiting for the backtest ahead of it',
  running: 'replaying',
  done: 'finished',
  failed: 'the run failed',
  canceled: 'stopped before the end',
};

export interface RunProgressProps {
  runId: string;
  view: RunView;
  cancel: CancelState | undefined;
  onCancel: () => void;
}

/** Plain props, no hooks: what a run's state and progress look like. */
export function RunProgressView({ runId, view, cancel, onCancel }: RunProgressProps) {
  const ended = isEnded(view.state);
  const percent = percentDone(view.fraction, ended);
  const pending = cancel?.kind === 'pending';
  return (
    <div className={`bt-status bt-state-${view.state}`} data-testid="backtest-status" data-run-id={runId} data-state={view.state}>
      <span className="bt-run-id" title="run id">
        {runId}
      </span>
      <span className={`badge bt-state bt-state-${view.state}`} data-testid="backtest-state" data-state={view.state} title={STATE_TITLES[view.state]}>
        {view.state}
      </span>
      {view.state === 'queued' && view.position !== null && <span className="bt-queue">#{view.position} in line</span>}
      <div className="bt-progress" data-testid="backtest-progress" data-state={view.state} data-percent={percent}>
        <progress value={view.fraction} max={1} />
        <span className="bt-progress-percent" data-testid="backtest-progress-percent">
          {percent}%
        </span>
        <span className="bt-progress-rate" data-testid="backtest-progress-rate">
          {formatBarsPerSecond(view.barsPerSecond)}
        </span>
        {/* Once it has ended, the last report's bars and phase would read as where it stopped. */}
        {!ended && (
          <>
            <span className="bt-progress-eta" data-testid="backtest-progress-eta">
              ETA {formatEta(view.etaSeconds)}
            </span>
            {view.bars !== null && view.barsTotal !== null && (
              <span className="bt-progress-bars">
                {formatCount(view.bars)} / {formatCount(view.barsTotal)} bars
              </span>
            )}
            {view.phase !== '' && <span className="bt-progress-phase">{view.phase}</span>}
          </>
        )}
      </div>
      {!ended && (
        <button type="button" className="job-cancel" data-testid="backtest-cancel" disabled={pending} onClick={onCancel}>
          {pending ? 'Canceling…' : 'Cancel'}
        </button>
      )}
      {cancel?.kind === 'refused' && (
        <span className="dialog-error" data-testid="backtest-cancel-error" data-code={cancel.error.code}>
          {cancel.error.code}: {cancel.error.message}
        </span>
      )}
      {cancel?.kind === 'answered' && !cancel.canceled && !ended && (
        <span className="bt-hint" data-testid="backtest-cancel-error">
          The engine had nothing to cancel: the run had already ended.
        </span>
      )}
      {view.state === 'failed' && (
        <p className="dialog-error bt-failure" data-testid="backtest-failure">
          {view.message || 'The run failed; the engine gave no reason.'}
        </p>
      )}
    </div>
  );
}
