// The Backtest panel: the form of a new run; the shown run's state and progress (Cancel while it
// runs); once it is done, the report: the warning when random entries did as well, the metrics beside
// the baselines, equity over drawdown, the trade list, and the day of the trade clicked with its entry
// and exit on the candles; the past runs, and two to four of them compared. The menu's
// Backtest command (`ui.command` backtest.open) brings this panel to the front.
import { useEffect, useMemo } from 'react';
import type { BacktestResult, BacktestTrade } from '../../shared/backtest';
import { BacktestForm } from '../components/backtest/BacktestForm';
import { DayChart, EquityChart } from '../components/backtest/BacktestCharts';
import { formatMoney } from '../components/backtest/format';
import { CompareSection, PastRuns } from '../components/backtest/PastRuns';
import { BaselinesTable, MetricsTable, RandomWarning, RunFacts, TradesTable } from '../components/backtest/ResultTables';
import { RunProgressView } from '../components/backtest/RunStatus';
import { cancelBacktest, loadBacktestResult, openTradeDay } from '../store/backtest/commands';
import { runViewOf } from '../store/backtest/runState';
import { backtestSelectors } from '../store/backtest/selectors';
import { useBacktest, useCockpit, useJobs } from '../store/context';
import { jobsSelectors } from '../store/jobs/selectors';

function TradeDayHeading({ runId }: { runId: string }) {
  const day = useBacktest(backtestSelectors.tradeDay);
  const mine = day !== null && day.runId === runId ? day : null;
  if (!mine) return <p className="bt-hint">Click a trade to see its day on the candles, with its entry and exit.</p>;
  const t = mine.trade;
  return (
    <p className="bt-day-heading" data-testid="backtest-day-heading">
      <strong>
        {mine.symbol} {mine.date}
      </strong>{' '}
      · trade #{t.n}: {t.side} {t.qty} at {formatMoney(t.entryPrice)} → {formatMoney(t.exitPrice)} ({t.exitRule}), P&amp;L {formatMoney(t.pnl, true)}
      {mine.bars === null && mine.error === null && <span className="bt-hint"> · loading the day…</span>}
      {mine.error && (
        <span className="dialog-error" data-testid="backtest-day-error" data-code={mine.error.code}>
          {' '}
          {mine.error.code}: {mine.error.message}
        </span>
      )}
    </p>
  );
}

function ResultReport({ runId, result }: { runId: string; result: BacktestResult }) {
  const { engine, stores } = useCockpit();
  const picked = useBacktest(useMemo(() => backtestSelectors.pickedTradeOf(runId), [runId]));
  const onPick = useMemo(() => (trade: BacktestTrade) => void openTradeDay(engine, stores, runId, trade), [engine, stores, runId]);
  return (
    <div className="bt-report" data-testid="backtest-report" data-run-id={runId}>
      <RandomWarning metrics={result.metrics} baselines={result.baselines} />
      <RunFacts result={result} />
      <div className="bt-numbers">
        <MetricsTable metrics={result.metrics} />
        <BaselinesTable metrics={result.metrics} baselines={result.baselines} />
      </div>
      <EquityChart runId={runId} equity={result.equity} />
      <h3 className="panel-heading">Trades</h3>
      <TradesTable trades={result.trades} picked={picked} onPick={onPick} />
      <h3 className="panel-heading">Day of the trade</h3>
      <TradeDayHeading runId={runId} />
      <DayChart runId={runId} />
    </div>
  );
}

function ShownRun({ runId }: { runId: string }) {
  const { engine, stores } = useCockpit();
  const jobId = useBacktest(useMemo(() => backtestSelectors.jobIdOf(runId), [runId]));
  const job = useJobs(useMemo(() => jobsSelectors.jobOf(jobId), [jobId]));
  const progress = useBacktest(useMemo(() => backtestSelectors.progressOf(runId), [runId]));
  const summary = useBacktest(useMemo(() => backtestSelectors.summaryOf(runId), [runId]));
  const answer = useBacktest(useMemo(() => backtestSelectors.resultOf(runId), [runId]));
  const cancel = useBacktest(useMemo(() => backtestSelectors.cancelOf(runId), [runId]));
  const view = useMemo(() => runViewOf({ job, progress, summary }), [job, progress, summary]);

  // Done, but the report is not here: the job's 'done' was missed (the connection was down, or another
  // window started the run), or it was read while the run was still running. Read it now, once.
  const stale = answer === undefined || (answer.kind === 'loaded' && answer.result === null && answer.summary.state === 'running');
  useEffect(() => {
    if (view.state === 'done' && stale) void loadBacktestResult(engine, stores, runId);
  }, [view.state, stale, engine, stores, runId]);

  return (
    <section className="bt-section bt-shown" data-testid="backtest-run" data-run-id={runId} data-state={view.state}>
      <RunProgressView runId={runId} view={view} cancel={cancel} onCancel={() => void cancelBacktest(engine, stores, runId)} />
      {answer?.kind === 'loading' && <div className="panel-empty">Fetching the report…</div>}
      {answer?.kind === 'refused' && (
        <p className="dialog-error" data-testid="backtest-result-error" data-code={answer.error.code}>
          {answer.error.code}: {answer.error.message}
        </p>
      )}
      {answer?.kind === 'loaded' &&
        (answer.result ? (
          // Keyed by run: a new report starts with no trade picked and fresh charts.
          <ResultReport key={runId} runId={runId} result={answer.result} />
        ) : (
          view.state === 'done' && <div className="panel-empty">The engine holds no report for this run{answer.summary.message ? `: ${answer.summary.message}` : '.'}</div>
        ))}
    </section>
  );
}

export function BacktestPanel() {
  const shownRunId = useBacktest(backtestSelectors.shownRunId);
  return (
    <div className="panel backtest" data-testid="backtest-panel">
      <div className="bt-layout">
        <aside className="bt-side">
          <h3 className="panel-heading">New run</h3>
          <BacktestForm />
        </aside>
        <div className="bt-main">
          {shownRunId === null ? (
            <div className="panel-empty" data-testid="backtest-none">
              Replays stored days through the same strategy, risk and execution code with a simulated clock and broker, in a worker
              thread. Start a run, or open a past one.
            </div>
          ) : (
            <ShownRun key={shownRunId} runId={shownRunId} />
          )}
          <CompareSection />
          <PastRuns />
        </div>
      </div>
    </div>
  );
}
