// Past runs from `backtest.list` (read again whenever a backtest ends): open one to see its report,
// tick two to four to compare them side by side, their metrics in columns and their equity curves
// overlaid as returns.
import { memo, useMemo } from 'react';
import type { BacktestRunSummary } from '../../../shared/backtest';
import { loadBacktestRuns, showPastRun, toggleCompared } from '../../store/backtest/commands';
import { MAX_COMPARED, type RunResult } from '../../store/backtest/initialState';
import { backtestSelectors } from '../../store/backtest/selectors';
import { useBacktest, useCockpit } from '../../store/context';
import { formatNyClock } from '../nyTime';
import { CompareChart } from './BacktestCharts';
import { COMPARE_COLORS, type ComparedCurve } from './equityChart';
import { formatCount, formatDrawdown, formatMoney, formatPercentile, formatRatio, formatReturn, formatShare } from './format';

export interface RunsTableProps {
  runs: readonly BacktestRunSummary[];
  compare: readonly string[];
  shownRunId: string | null;
  onOpen: (runId: string) => void;
  onToggleCompare: (runId: string) => void;
}

const RunRow = memo(function RunRow({
  run,
  compared,
  compareFull,
  shown,
  onOpen,
  onToggleCompare,
}: {
  run: BacktestRunSummary;
  compared: boolean;
  compareFull: boolean;
  shown: boolean;
  onOpen: (runId: string) => void;
  onToggleCompare: (runId: string) => void;
}) {
  const comparable = run.state === 'done';
  return (
    <tr className={shown ? 'bt-run-row selected' : 'bt-run-row'} data-testid={`backtest-run-${run.runId}`} data-state={run.state} aria-selected={shown}>
      <td>
        <input
          type="checkbox"
          data-testid={`backtest-compare-${run.runId}`}
          aria-label={`Compare ${run.label || run.runId}`}
          checked={compared}
          disabled={!compared && (compareFull || !comparable)}
          title={comparable ? `Compare (up to ${MAX_COMPARED})` : 'Only finished runs can be compared'}
          onChange={() => onToggleCompare(run.runId)}
        />
      </td>
      <td>
        <button type="button" className="link-button" data-testid={`backtest-run-open-${run.runId}`} title={run.runId} onClick={() => onOpen(run.runId)}>
          {run.label || run.runId}
        </button>
      </td>
      <td>{run.symbols.join(', ')}</td>
      <td className="date">
        {run.from} → {run.to}
      </td>
      <td className={`bt-run-state bt-state-${run.state}`} title={run.message}>
        {run.state}
      </td>
      <td className="num">{formatReturn(run.totalReturn)}</td>
      <td className="num">{formatRatio(run.sharpe)}</td>
      <td className="num">{formatCount(run.trades)}</td>
      <td className="date">{formatNyClock(run.createdAt)}</td>
    </tr>
  );
});

export function RunsTable({ runs, compare, shownRunId, onOpen, onToggleCompare }: RunsTableProps) {
  if (runs.length === 0) return <div className="panel-empty" data-testid="backtest-runs" data-count={0}>No backtest has been run yet.</div>;
  return (
    <div className="table-scroll">
      <table className="data-table bt-runs" data-testid="backtest-runs" data-count={runs.length}>
        <thead>
          <tr>
            <th title={`Tick two to ${MAX_COMPARED} runs to compare`}>Cmp</th>
            <th>Run</th>
            <th>Symbols</th>
            <th className="date">Days</th>
            <th>State</th>
            <th className="num">Return</th>
            <th className="num">Sharpe</th>
            <th className="num">Trades</th>
            <th className="date">Started (ET)</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <RunRow
              key={r.runId}
              run={r}
              compared={compare.includes(r.runId)}
              compareFull={compare.length >= MAX_COMPARED}
              shown={r.runId === shownRunId}
              onOpen={onOpen}
              onToggleCompare={onToggleCompare}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PastRuns() {
  const { engine, stores } = useCockpit();
  const runs = useBacktest(backtestSelectors.runs);
  const known = useBacktest(backtestSelectors.runsKnown);
  const error = useBacktest(backtestSelectors.runsError);
  const compare = useBacktest(backtestSelectors.compare);
  const shownRunId = useBacktest(backtestSelectors.shownRunId);
  const handlers = useMemo(
    () => ({
      onOpen: (runId: string) => void showPastRun(engine, stores, runId),
      onToggleCompare: (runId: string) => void toggleCompared(engine, stores, runId),
    }),
    [engine, stores],
  );
  return (
    <section className="bt-section" data-testid="backtest-past-runs">
      <div className="bt-section-head">
        <h3 className="panel-heading">Past runs</h3>
        <button type="button" data-testid="backtest-runs-refresh" onClick={() => void loadBacktestRuns(engine, stores)}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="dialog-error" data-testid="backtest-runs-error" data-code={error.code}>
          {error.code}: {error.message}
        </p>
      )}
      {known ? <RunsTable runs={runs} compare={compare} shownRunId={shownRunId} {...handlers} /> : !error && <div className="panel-empty">Asking the engine for its past runs…</div>}
    </section>
  );
}

/** One compared run: its summary (from the list) and its `backtest.get` answer, if any yet. */
export interface ComparedRun {
  runId: string;
  label: string;
  answer: RunResult | undefined;
}

interface CompareRow {
  key: string;
  label: string;
  value: (r: NonNullable<Extract<RunResult, { kind: 'loaded' }>['result']>) => string;
}

const COMPARE_ROWS: readonly CompareRow[] = [
  { key: 'period', label: 'Days', value: (r) => `${r.spec.from} → ${r.spec.to}` },
  { key: 'symbols', label: 'Symbols', value: (r) => r.spec.symbols.join(', ') },
  { key: 'policy', label: 'Policy', value: (r) => (r.spec.policy.kind === 'auto' ? `auto ≥ ${r.spec.policy.threshold}` : r.spec.policy.kind) },
  { key: 'model', label: 'Model', value: (r) => (r.spec.model.kind === 'frozen' ? `frozen ${r.spec.model.modelId}` : r.spec.model.kind) },
  { key: 'totalReturn', label: 'Total return', value: (r) => formatReturn(r.metrics.totalReturn) },
  { key: 'cagr', label: 'CAGR', value: (r) => formatReturn(r.metrics.cagr) },
  { key: 'sharpe', label: 'Sharpe', value: (r) => formatRatio(r.metrics.sharpe) },
  { key: 'sortino', label: 'Sortino', value: (r) => formatRatio(r.metrics.sortino) },
  { key: 'maxDrawdown', label: 'Max drawdown', value: (r) => formatDrawdown(r.metrics.maxDrawdown) },
  { key: 'winRate', label: 'Win rate', value: (r) => formatShare(r.metrics.winRate) },
  { key: 'profitFactor', label: 'Profit factor', value: (r) => formatRatio(r.metrics.profitFactor) },
  { key: 'expectancy', label: 'Expectancy / trade', value: (r) => formatMoney(r.metrics.expectancy, true) },
  { key: 'trades', label: 'Trades', value: (r) => formatCount(r.metrics.trades) },
  { key: 'fees', label: 'Fees', value: (r) => formatMoney(r.metrics.fees) },
  { key: 'buyHoldSpy', label: 'Buy and hold SPY', value: (r) => (r.baselines.buyHoldSpy ? formatReturn(r.baselines.buyHoldSpy.totalReturn) : '—') },
  { key: 'randomMedian', label: 'Random median', value: (r) => formatReturn(r.baselines.random.medianReturn) },
  { key: 'percentile', label: 'Beat random runs', value: (r) => formatPercentile(r.baselines.random.strategyPercentile) },
  { key: 'beatenByRandom', label: 'Beaten by random', value: (r) => (r.baselines.beatenByRandom ? 'yes ⚠' : 'no') },
];

function cellOf(answer: RunResult | undefined, row: CompareRow): string {
  if (answer === undefined || answer.kind === 'loading') return '…';
  if (answer.kind === 'refused') return answer.error.code;
  return answer.result ? row.value(answer.result) : '—';
}

/** Plain props, no hooks: the compared runs' metrics, one column per run in the order picked. */
export function CompareTable({ runs }: { runs: readonly ComparedRun[] }) {
  return (
    <table className="data-table bt-compare-table" data-testid="backtest-compare-table" data-runs={runs.length}>
      <thead>
        <tr>
          <th />
          {runs.map((r, i) => (
            <th key={r.runId} className="num" data-testid={`backtest-compare-col-${r.runId}`} title={r.runId}>
              <span className="overlay-swatch" style={{ backgroundColor: COMPARE_COLORS[i % COMPARE_COLORS.length] }} aria-hidden="true" />
              {r.label || r.runId}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {COMPARE_ROWS.map((row) => (
          <tr key={row.key} data-metric={row.key}>
            <td>{row.label}</td>
            {runs.map((r) => (
              <td key={r.runId} className="num" data-run-id={r.runId}>
                {cellOf(r.answer, row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CompareSection() {
  const compare = useBacktest(backtestSelectors.compare);
  const results = useBacktest((s) => s.results);
  const runs = useBacktest(backtestSelectors.runs);
  const compared = useMemo(
    (): ComparedRun[] =>
      compare.map((runId) => {
        const answer = results[runId];
        const label = (answer?.kind === 'loaded' ? answer.summary.label : runs.find((r) => r.runId === runId)?.label) ?? '';
        return { runId, label, answer };
      }),
    [compare, results, runs],
  );
  const curves = useMemo(
    (): ComparedCurve[] =>
      compared.flatMap((c) =>
        c.answer?.kind === 'loaded' && c.answer.result
          ? [{ runId: c.runId, label: c.label || c.runId, startEquity: c.answer.result.metrics.startEquity, equity: c.answer.result.equity }]
          : [],
      ),
    [compared],
  );
  if (compare.length === 0) return null;
  return (
    <section className="bt-section bt-compare" data-testid="backtest-compare" data-runs={compare.length}>
      <h3 className="panel-heading">Compare</h3>
      {compare.length < 2 ? (
        <div className="panel-empty">Tick one more finished run to compare (up to {MAX_COMPARED}).</div>
      ) : (
        <div className="bt-compare-body">
          <CompareTable runs={compared} />
          <CompareChart curves={curves} />
        </div>
      )}
    </section>
  );
}
