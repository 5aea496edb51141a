// A finished run's numbers, as plain-props components (no hooks): the metrics, the baselines they
// must beat (buy-and-hold SPY, buy-and-hold the symbols, random entries), the warning when random
// entries did as well, and the trade list whose rows open a trade's day.
import { memo } from 'react';
import type { BacktestResult, BacktestTrade, Baselines, Metrics } from '../../../shared/backtest';
import { tradeDate } from '../../store/backtest/commands';
import { formatNyClock } from '../nyTime';
import { formatCount, formatDrawdown, formatMoney, formatPercentile, formatRatio, formatReturn, formatShare } from './format';

/** Trade rows drawn at most; a year of fifty symbols can hold many thousands. */
export const MAX_TRADE_ROWS = 1000;

export interface MetricRow {
  key: keyof Metrics;
  label: string;
  format: (m: Metrics) => string;
  title?: string;
}

export const METRIC_ROWS: readonly MetricRow[] = [
  { key: 'totalReturn', label: 'Total return', format: (m) => formatReturn(m.totalReturn) },
  { key: 'cagr', label: 'CAGR', format: (m) => formatReturn(m.cagr) },
  { key: 'sharpe', label: 'Sharpe', format: (m) => formatRatio(m.sharpe) },
  { key: 'sortino', label: 'Sortino', format: (m) => formatRatio(m.sortino) },
  { key: 'calmar', label: 'Calmar', format: (m) => formatRatio(m.calmar) },
  { key: 'maxDrawdown', label: 'Max drawdown', format: (m) => formatDrawdown(m.maxDrawdown) },
  { key: 'maxDrawdownDays', label: 'Longest drawdown', format: (m) => `${formatCount(m.maxDrawdownDays)} d`, title: 'trading days below a previous equity high' },
  { key: 'winRate', label: 'Win rate', format: (m) => formatShare(m.winRate) },
  { key: 'avgWin', label: 'Average win', format: (m) => formatMoney(m.avgWin, true) },
  { key: 'avgLoss', label: 'Average loss', format: (m) => formatMoney(m.avgLoss, true) },
  { key: 'profitFactor', label: 'Profit factor', format: (m) => formatRatio(m.profitFactor) },
  { key: 'expectancy', label: 'Expectancy / trade', format: (m) => formatMoney(m.expectancy, true) },
  { key: 'exposure', label: 'Exposure', format: (m) => formatShare(m.exposure), title: "share of the session's minutes with a position open" },
  { key: 'trades', label: 'Trades', format: (m) => formatCount(m.trades) },
  { key: 'turnover', label: 'Turnover', format: (m) => `${formatRatio(m.turnover)}×`, title: 'traded notional over the starting equity' },
  { key: 'fees', label: 'Fees', format: (m) => formatMoney(m.fees) },
  { key: 'startEquity', label: 'Start equity', format: (m) => formatMoney(m.startEquity) },
  { key: 'endEquity', label: 'End equity', format: (m) => formatMoney(m.endEquity) },
];

export function MetricsTable({ metrics }: { metrics: Metrics }) {
  return (
    <table className="data-table bt-metrics" data-testid="backtest-metrics">
      <thead>
        <tr>
          <th>Metric</th>
          <th className="num">Strategy</th>
        </tr>
      </thead>
      <tbody>
        {METRIC_ROWS.map((row) => (
          <tr key={row.key} data-metric={row.key}>
            <td title={row.title}>{row.label}</td>
            <td className="num" data-testid={`backtest-metric-${row.key}`}>
              {row.format(metrics)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BaselineRow({ id, label, totalReturn, maxDrawdown, note }: { id: string; label: string; totalReturn: string; maxDrawdown: string; note?: string }) {
  return (
    <tr data-testid={`backtest-baseline-${id}`} data-baseline={id}>
      <td>{label}</td>
      <td className="num">{totalReturn}</td>
      <td className="num">{maxDrawdown}</td>
      <td className="bt-baseline-note">{note ?? ''}</td>
    </tr>
  );
}

export function BaselinesTable({ metrics, baselines }: { metrics: Metrics; baselines: Baselines }) {
  const { buyHoldSpy, buyHoldSymbols, random } = baselines;
  return (
    <table className="data-table bt-baselines" data-testid="backtest-baselines" data-beaten-by-random={baselines.beatenByRandom}>
      <thead>
        <tr>
          <th>Against</th>
          <th className="num">Return</th>
          <th className="num">Max DD</th>
          <th />
        </tr>
      </thead>
      <tbody>
        <BaselineRow id="strategy" label="This strategy" totalReturn={formatReturn(metrics.totalReturn)} maxDrawdown={formatDrawdown(metrics.maxDrawdown)} />
        <BaselineRow
          id="spy"
          label="Buy and hold SPY"
          totalReturn={buyHoldSpy ? formatReturn(buyHoldSpy.totalReturn) : '—'}
          maxDrawdown={buyHoldSpy ? formatDrawdown(buyHoldSpy.maxDrawdown) : '—'}
          {...(buyHoldSpy ? {} : { note: 'SPY is not stored for these days' })}
        />
        <BaselineRow
          id="symbols"
          label="Buy and hold the symbols"
          totalReturn={buyHoldSymbols ? formatReturn(buyHoldSymbols.totalReturn) : '—'}
          maxDrawdown={buyHoldSymbols ? formatDrawdown(buyHoldSymbols.maxDrawdown) : '—'}
          note="bankroll split equally"
        />
        <BaselineRow id="random-median" label="Random entries, median" totalReturn={formatReturn(random.medianReturn)} maxDrawdown="" note={`${formatCount(random.runs)} runs`} />
        <BaselineRow id="random-p5" label="Random entries, 5th pct" totalReturn={formatReturn(random.p5Return)} maxDrawdown="" />
        <BaselineRow id="random-p95" label="Random entries, 95th pct" totalReturn={formatReturn(random.p95Return)} maxDrawdown="" />
      </tbody>
      <tfoot>
        <tr data-testid="backtest-baseline-percentile">
          <td colSpan={4}>
            The strategy beat <strong>{formatPercentile(random.strategyPercentile)}</strong> of {formatCount(random.runs)} random-entry runs
            (same sizing and exits, random entry minutes).
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

/** The line the report puts first when random entries did as well as the strategy. */
export function RandomWarning({ metrics, baselines }: { metrics: Metrics; baselines: Baselines }) {
  if (!baselines.beatenByRandom) return null;
  const { random } = baselines;
  return (
    <p className="bt-random-warning" role="alert" data-testid="backtest-random-warning">
      ⚠ Not better than random entries: the strategy returned {formatReturn(metrics.totalReturn)}, the median of{' '}
      {formatCount(random.runs)} random-entry runs returned {formatReturn(random.medianReturn)}; it beat only{' '}
      {formatPercentile(random.strategyPercentile)} of them. Its edge is not shown by this test.
    </p>
  );
}

/** One line on what was run: symbols, days, bars, sessions, and what the policy did with the signals. */
export function RunFacts({ result }: { result: BacktestResult }) {
  const { spec, signals } = result;
  return (
    <p className="bt-facts" data-testid="backtest-facts">
      {spec.label ? <strong>{spec.label}: </strong> : null}
      {spec.symbols.join(', ')} · {spec.from} → {spec.to} · {formatCount(result.sessions)} sessions, {formatCount(result.bars)} bars · policy{' '}
      {spec.policy.kind}
      {spec.policy.kind === 'auto' ? ` ≥ ${spec.policy.threshold}` : ''} · model {spec.model.kind} · signals {formatCount(signals.proposed)} proposed,{' '}
      {formatCount(signals.approved)} approved, {formatCount(signals.vetoed)} vetoed, {formatCount(signals.refused)} refused
    </p>
  );
}

const TradeRow = memo(function TradeRow({ trade, picked, onPick }: { trade: BacktestTrade; picked: boolean; onPick: (trade: BacktestTrade) => void }) {
  const direction = trade.pnl > 0 ? 'up' : trade.pnl < 0 ? 'down' : 'flat';
  return (
    <tr
      className={picked ? 'bt-trade selected' : 'bt-trade'}
      data-testid={`backtest-trade-${trade.n}`}
      data-symbol={trade.symbol}
      data-date={tradeDate(trade)}
      data-side={trade.side}
      data-direction={direction}
      aria-selected={picked}
      onClick={() => onPick(trade)}
    >
      <td className="num">{trade.n}</td>
      <td className="strong">{trade.symbol}</td>
      <td>{trade.side}</td>
      <td className="num">{formatCount(trade.qty)}</td>
      <td className="date">{formatNyClock(trade.entryTime)}</td>
      <td className="num">{formatMoney(trade.entryPrice)}</td>
      <td className="date">{formatNyClock(trade.exitTime)}</td>
      <td className="num">{formatMoney(trade.exitPrice)}</td>
      <td>{trade.exitRule}</td>
      <td className={`num bt-pnl-${direction}`}>{formatMoney(trade.pnl, true)}</td>
      <td className="num">{formatMoney(trade.fees)}</td>
      <td className="num" title="largest open gain per share">
        {formatMoney(trade.mfe)}
      </td>
      <td className="num" title="largest open loss per share">
        {formatMoney(trade.mae)}
      </td>
      <td className="num">{formatCount(trade.barsHeld)}</td>
      <td title={trade.reasons.join('; ')}>{trade.sources.join(' + ')}</td>
    </tr>
  );
});

export function TradesTable({ trades, picked, onPick }: { trades: readonly BacktestTrade[]; picked: number | null; onPick: (trade: BacktestTrade) => void }) {
  if (trades.length === 0) {
    return (
      <div className="panel-empty" data-testid="backtest-trades" data-count={0}>
        No trades: no signal was taken in these days.
      </div>
    );
  }
  const shown = trades.slice(0, MAX_TRADE_ROWS);
  return (
    <div className="table-scroll bt-trades-scroll">
      <table className="data-table bt-trades" data-testid="backtest-trades" data-count={trades.length}>
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Symbol</th>
            <th>Side</th>
            <th className="num">Qty</th>
            <th className="date">Entry (ET)</th>
            <th className="num">Price</th>
            <th className="date">Exit (ET)</th>
            <th className="num">Price</th>
            <th>Exit rule</th>
            <th className="num">P&amp;L</th>
            <th className="num">Fees</th>
            <th className="num">MFE</th>
            <th className="num">MAE</th>
            <th className="num">Bars</th>
            <th>Sources</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => (
            <TradeRow key={t.n} trade={t} picked={t.n === picked} onPick={onPick} />
          ))}
        </tbody>
      </table>
      {trades.length > shown.length && (
        <p className="bt-hint">
          Showing the first {formatCount(shown.length)} of {formatCount(trades.length)} trades.
        </p>
      )}
    </div>
  );
}
