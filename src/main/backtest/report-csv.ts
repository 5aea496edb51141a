// A backtest result as four CSV files (trades, equity, daily P&L, metrics) for a spreadsheet: RFC 4180
// quoting, UTC ISO-8601 times beside epoch ms, plain decimals, and text that a spreadsheet cannot run.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BacktestResult, BacktestTrade, DailyPnl, EquityPoint } from '../../shared/backtest';

export const CSV_FILES = ['trades.csv', 'equity.csv', 'daily.csv', 'metrics.csv'] as const;
export type CsvFileName = (typeof CSV_FILES)[number];

/** A cell before quoting: text (user-given or not, guarded against formulas) or a number already formatted. */
type Cell = { text: string } | { number: string };

const PRICE_DP = 4;
const MONEY_DP = 2;
/** Fractions (returns, drawdowns, rates) and ratios (Sharpe, profit factor). */
const RATIO_DP = 6;

/** Joins a trade's sources and its reasons inside one cell. */
const LIST_SEPARATOR = '; ';

export function reportCsv(result: BacktestResult): Record<CsvFileName, string> {
  return {
    'trades.csv': tradesCsv(result.trades),
    'equity.csv': equityCsv(result.equity),
    'daily.csv': dailyCsv(result.daily),
    'metrics.csv': metricsCsv(result),
  };
}

/** Writes the four files into dir (created with its parents when missing); answers their paths in CSV_FILES order. */
export async function writeCsvDir(dir: string, result: BacktestResult): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = reportCsv(result);
  const paths: string[] = [];
  for (const name of CSV_FILES) {
    const path = join(dir, name);
    await writeFile(path, files[name], 'utf8');
    paths.push(path);
  }
  return paths;
}

function tradesCsv(trades: readonly BacktestTrade[]): string {
  const header = ['n', 'symbol', 'side', 'qty', 'entry_time', 'entry_time_ms', 'entry_price', 'exit_time', 'exit_time_ms', 'exit_price', 'exit_rule', 'pnl', 'fees', 'mfe', 'mae', 'bars_held', 'sources', 'reasons'];
  const rows = trades.map((t): Cell[] => [
    int(t.n),
    text(t.symbol),
    text(t.side),
    int(t.qty),
    text(isoUtc(t.entryTime)),
    int(t.entryTime),
    dec(t.entryPrice, PRICE_DP),
    text(isoUtc(t.exitTime)),
    int(t.exitTime),
    dec(t.exitPrice, PRICE_DP),
    text(t.exitRule),
    dec(t.pnl, MONEY_DP),
    dec(t.fees, MONEY_DP),
    dec(t.mfe, PRICE_DP),
    dec(t.mae, PRICE_DP),
    int(t.barsHeld),
    text(t.sources.join(LIST_SEPARATOR)),
    text(t.reasons.join(LIST_SEPARATOR)),
  ]);
  return csv(header, rows);
}

function equityCsv(points: readonly EquityPoint[]): string {
  const rows = points.map((p): Cell[] => [text(isoUtc(p.t)), int(p.t), dec(p.equity, MONEY_DP), dec(p.drawdown, RATIO_DP)]);
  return csv(['time', 'time_ms', 'equity', 'drawdown'], rows);
}

function dailyCsv(days: readonly DailyPnl[]): string {
  const rows = days.map((d): Cell[] => [text(d.date), dec(d.pnl, MONEY_DP), dec(d.fees, MONEY_DP), int(d.trades), dec(d.equity, MONEY_DP)]);
  return csv(['date', 'pnl', 'fees', 'trades', 'equity'], rows);
}

/** Two columns, metric and value: the run's identity, its metrics, then its baselines (empty when not available). */
function metricsCsv(result: BacktestResult): string {
  const { spec, metrics: m, baselines: b } = result;
  const rows: [string, Cell][] = [
    ['run_id', text(result.runId)],
    ['label', text(spec.label ?? '')],
    ['symbols', text(spec.symbols.join(LIST_SEPARATOR))],
    ['from', text(spec.from)],
    ['to', text(spec.to)],
    ['seed', int(spec.seed)],
    ['bars', int(result.bars)],
    ['sessions', int(result.sessions)],
    ['start_equity', dec(m.startEquity, MONEY_DP)],
    ['end_equity', dec(m.endEquity, MONEY_DP)],
    ['total_return', dec(m.totalReturn, RATIO_DP)],
    ['cagr', dec(m.cagr, RATIO_DP)],
    ['sharpe', dec(m.sharpe, RATIO_DP)],
    ['sortino', dec(m.sortino, RATIO_DP)],
    ['calmar', dec(m.calmar, RATIO_DP)],
    ['max_drawdown', dec(m.maxDrawdown, RATIO_DP)],
    ['max_drawdown_days', int(m.maxDrawdownDays)],
    ['win_rate', dec(m.winRate, RATIO_DP)],
    ['avg_win', dec(m.avgWin, MONEY_DP)],
    ['avg_loss', dec(m.avgLoss, MONEY_DP)],
    ['profit_factor', dec(m.profitFactor, RATIO_DP)],
    ['expectancy', dec(m.expectancy, MONEY_DP)],
    ['exposure', dec(m.exposure, RATIO_DP)],
    ['trades', int(m.trades)],
    ['turnover', dec(m.turnover, RATIO_DP)],
    ['fees', dec(m.fees, MONEY_DP)],
    ['buy_hold_spy_total_return', optionalDec(b.buyHoldSpy?.totalReturn, RATIO_DP)],
    ['buy_hold_spy_max_drawdown', optionalDec(b.buyHoldSpy?.maxDrawdown, RATIO_DP)],
    ['buy_hold_symbols_total_return', optionalDec(b.buyHoldSymbols?.totalReturn, RATIO_DP)],
    ['buy_hold_symbols_max_drawdown', optionalDec(b.buyHoldSymbols?.maxDrawdown, RATIO_DP)],
    ['random_runs', int(b.random.runs)],
    ['random_median_return', dec(b.random.medianReturn, RATIO_DP)],
    ['random_p5_return', dec(b.random.p5Return, RATIO_DP)],
    ['random_p95_return', dec(b.random.p95Return, RATIO_DP)],
    ['strategy_percentile', dec(b.random.strategyPercentile, RATIO_DP)],
    ['beaten_by_random', text(String(b.beatenByRandom))],
  ];
  return csv(['metric', 'value'], rows.map(([name, value]) => [text(name), value]));
}

function csv(header: readonly string[], rows: readonly Cell[][]): string {
  const lines = [header.map(quote).join(','), ...rows.map((cells) => cells.map(renderCell).join(','))];
  return lines.map((line) => `${line}\n`).join('');
}

function renderCell(cell: Cell): string {
  return 'text' in cell ? quote(guardFormula(cell.text)) : cell.number;
}

/** RFC 4180: a field with a comma, a double quote, CR or LF is quoted, its quotes doubled. */
export function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/**
 * A text cell a spreadsheet would read as a formula (=, +, -, @, and tab or CR, which some also accept)
 * gets a leading single quote, so "=HYPERLINK(…)" in a label shows as text. Numbers never pass here, so a
 * negative P&L stays a number.
 */
export function guardFormula(field: string): string {
  return /^[=+\-@\t\r]/.test(field) ? `'${field}` : field;
}

function text(value: string): Cell {
  return { text: value };
}

function int(value: number): Cell {
  return { number: plainDecimal(value, 0) };
}

function dec(value: number, dp: number): Cell {
  return { number: plainDecimal(value, dp) };
}

function optionalDec(value: number | undefined, dp: number): Cell {
  return value === undefined ? { number: '' } : dec(value, dp);
}

/** Fixed decimals, no exponent (the schema's magnitudes stay under 1e21), and no "-0.00". */
export function plainDecimal(value: number, dp: number): string {
  if (!Number.isFinite(value)) throw new Error(`a CSV number must be finite, got ${String(value)}`);
  const s = value.toFixed(dp);
  return /^-[0.]+$/.test(s) ? s.slice(1) : s;
}

function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}
