// A backtest result as one self-contained HTML page: verdict against random entries first, then metrics,
// baselines, inline-SVG charts, settings, P&L by group, daily P&L and every trade. Nothing in it loads
// from anywhere (no scripts, links, fonts or images, and a CSP that forbids them), every text is escaped,
// and the same result gives the same bytes.
import { nyParts } from '../calendar/ny-time';
import type { BacktestResult, BacktestSpec, BacktestTrade, Baselines, DailyPnl, EquityPoint, Metrics } from '../../shared/backtest';
import { dailyReturns, PROFIT_FACTOR_CAP, type GroupPnl } from './metrics';

/** Equity and drawdown curves keep at most this many points (min and max per bucket), so a year stays small. */
export const MAX_CHART_POINTS = 2000;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const CHART = { width: 960, height: 220, left: 90, right: 10, top: 10, bottom: 24 } as const;

/** A table cell: its text (escaped when rendered) and how it is shown. */
interface Cell {
  text: string;
  /** Right-aligned figures; sign colours a P&L green or red. */
  num?: boolean;
  sign?: number;
  /** Keeps line breaks (a trade's several reasons). */
  lines?: boolean;
}

type NyFormat = (ms: number) => string;

export function reportHtml(result: BacktestResult): string {
  const ny = nyTimeFormatter();
  return [
    '<!doctype html>',
    '<html lang="en">',
    head(result),
    '<body>',
    verdictBanner(result.metrics, result.baselines),
    `<h1>${escapeHtml(reportTitle(result))}</h1>`,
    runSummary(result),
    metricsAndBaselines(result.metrics, result.baselines),
    chartsSection(result.equity, result.daily, ny),
    settingsSection(result.spec),
    groupSection('P&L by signal source', 'Source', result.bySource),
    groupSection('P&L by exit rule', 'Exit rule', result.byExitRule),
    dailySection(result.metrics.startEquity, result.daily),
    tradesSection(result.trades, ny),
    modelsSection(result.models, ny),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Escapes the five characters that matter in HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}
const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Indices (ascending) of the values to draw: all of them when they fit in maxPoints, else the lowest and
 * the highest of each of maxPoints / 2 equal buckets, so every spike and every drawdown stays visible.
 */
export function downsampleMinMax(values: readonly number[], maxPoints: number): number[] {
  const n = values.length;
  if (n <= maxPoints) return values.map((_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const kept: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const [lo, hi] = extremesIn(values, Math.floor((b * n) / buckets), Math.floor(((b + 1) * n) / buckets));
    kept.push(...(lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)]));
  }
  return kept;
}

/** The verdict a trader reads first: did the strategy beat random entries with the same sizing and exits? */
export function verdictText(metrics: Metrics, baselines: Baselines): string {
  const r = baselines.random;
  const ranking =
    r.runs === 0
      ? `its total return of ${pct(metrics.totalReturn)} has no random-entry runs to rank against`
      : `its total return of ${pct(metrics.totalReturn)} ranks at percentile ${r.strategyPercentile.toFixed(1)} of ${r.runs} random-entry runs ` +
        `(random median ${pct(r.medianReturn)}, 5th to 95th percentile ${pct(r.p5Return)} to ${pct(r.p95Return)})`;
  if (baselines.beatenByRandom) return `This strategy did not beat random entries: ${ranking}.`;
  if (r.runs === 0) return `No random-entry baseline was run: ${ranking}.`;
  return `This strategy beat the median random entry: ${ranking}.`;
}

function head(result: BacktestResult): string {
  return [
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(reportTitle(result))}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
  ].join('\n');
}

function reportTitle(result: BacktestResult): string {
  const { symbols, from, to, label } = result.spec;
  const base = `Backtest ${symbols.join(', ')}, ${from} to ${to}`;
  return label ? `${base}: ${label}` : base;
}

function verdictBanner(metrics: Metrics, baselines: Baselines): string {
  const cls = baselines.beatenByRandom ? 'verdict bad' : baselines.random.runs === 0 ? 'verdict none' : 'verdict good';
  return `<section class="${cls}" role="status"><strong>${escapeHtml(verdictText(metrics, baselines))}</strong></section>`;
}

function runSummary(result: BacktestResult): string {
  const s = result.signals;
  return table(
    ['Run', 'Bars', 'Sessions', 'Signals proposed', 'Approved', 'Vetoed', 'Refused'],
    [[{ text: result.runId }, int(result.bars), int(result.sessions), int(s.proposed), int(s.approved), int(s.vetoed), int(s.refused)]],
  );
}

function metricsAndBaselines(m: Metrics, b: Baselines): string {
  return ['<div class="side-by-side">', section('Metrics', metricsTable(m)), section('Baselines', baselinesTable(m, b)), '</div>'].join('\n');
}

function metricsTable(m: Metrics): string {
  const pf = m.profitFactor >= PROFIT_FACTOR_CAP ? `${ratio(m.profitFactor)} (cap: no losses to speak of)` : ratio(m.profitFactor);
  const rows: [string, Cell][] = [
    ['Start equity', money(m.startEquity)],
    ['End equity', money(m.endEquity)],
    ['Total return', pctCell(m.totalReturn)],
    ['CAGR (252 trading days)', pctCell(m.cagr)],
    ['Sharpe (daily, annualised)', num(ratio(m.sharpe))],
    ['Sortino (daily, annualised)', num(ratio(m.sortino))],
    ['Calmar', num(ratio(m.calmar))],
    ['Max drawdown', num(pct(m.maxDrawdown))],
    ['Longest drawdown (trading days)', int(m.maxDrawdownDays)],
    ['Trades', int(m.trades)],
    ['Win rate', num(pct(m.winRate))],
    ['Average win', pnl(m.avgWin)],
    ['Average loss', pnl(m.avgLoss)],
    ['Profit factor', num(pf)],
    ['Expectancy per trade', pnl(m.expectancy)],
    ['Exposure (session minutes in a position)', num(pct(m.exposure))],
    ['Turnover (notional / start equity)', num(`${ratio(m.turnover)}×`)],
    ['Fees', money(m.fees)],
  ];
  return table(['Metric', 'Value'], rows.map(([label, value]) => [{ text: label }, value]));
}

function baselinesTable(m: Metrics, b: Baselines): string {
  const notStored = (): Cell[] => [{ text: 'not stored for these days' }, { text: '' }];
  const pair = (x: { totalReturn: number; maxDrawdown: number } | null): Cell[] => (x ? [pctCell(x.totalReturn), num(pct(x.maxDrawdown))] : notStored());
  const r = b.random;
  const rows: Cell[][] = [
    [{ text: 'This strategy' }, pctCell(m.totalReturn), num(pct(m.maxDrawdown))],
    [{ text: 'Buy and hold SPY' }, ...pair(b.buyHoldSpy)],
    [{ text: 'Buy and hold the symbols (equal split)' }, ...pair(b.buyHoldSymbols)],
    [{ text: `Random entries: median of ${r.runs} runs` }, pctCell(r.medianReturn), { text: '' }],
    [{ text: 'Random entries: 5th percentile' }, pctCell(r.p5Return), { text: '' }],
    [{ text: 'Random entries: 95th percentile' }, pctCell(r.p95Return), { text: '' }],
    [{ text: 'Strategy percentile among random runs' }, num(r.strategyPercentile.toFixed(1)), { text: '' }],
  ];
  return table(['Baseline', 'Total return', 'Max drawdown'], rows);
}

function chartsSection(equity: readonly EquityPoint[], daily: readonly DailyPnl[], ny: NyFormat): string {
  const times = equity.map((p) => p.t);
  return section(
    'Charts',
    [
      lineChart('Equity', equity.map((p) => p.equity), times, (v) => usd(v), ny),
      lineChart('Drawdown', equity.map((p) => -p.drawdown), times, (v) => pct(v), ny),
      dailyBarChart(daily),
    ].join('\n'),
  );
}

function lineChart(title: string, values: readonly number[], times: readonly number[], label: (v: number) => string, ny: NyFormat): string {
  if (values.length === 0) return `<h3>${escapeHtml(title)}</h3><p>No equity points.</p>`;
  const kept = downsampleMinMax(values, MAX_CHART_POINTS);
  const { min, max } = rangeOf(kept.map((i) => values[i]!));
  const x = xScale(values.length);
  const y = yScale(min, max);
  const points = kept.map((i) => `${coord(x(i))},${coord(y(values[i]!))}`).join(' ');
  const first = ny(times[0]!).slice(0, 10);
  const last = ny(times.at(-1)!).slice(0, 10);
  return svgChart(title, [
    `<polyline class="line" points="${points}"/>`,
    axisLabels(label(max), label(min), first, last),
  ]);
}

function dailyBarChart(daily: readonly DailyPnl[]): string {
  if (daily.length === 0) return '<h3>Daily P&amp;L</h3><p>No trading days.</p>';
  const { min, max } = rangeOf([0, ...daily.map((d) => d.pnl)]);
  const y = yScale(min, max);
  const plotW = CHART.width - CHART.left - CHART.right;
  const w = plotW / daily.length;
  const zero = y(0);
  const bars = daily.map((d, i) => {
    const top = Math.min(zero, y(d.pnl));
    const h = Math.max(Math.abs(y(d.pnl) - zero), 0.5);
    const cls = d.pnl >= 0 ? 'bar pos' : 'bar neg';
    const tip = `${d.date}: ${usd(d.pnl)}`;
    return `<rect class="${cls}" x="${coord(CHART.left + i * w)}" y="${coord(top)}" width="${coord(Math.max(w * 0.8, 0.5))}" height="${coord(h)}"><title>${escapeHtml(tip)}</title></rect>`;
  });
  const axis = `<line class="zero" x1="${CHART.left}" x2="${CHART.width - CHART.right}" y1="${coord(zero)}" y2="${coord(zero)}"/>`;
  return svgChart('Daily P&L', [...bars, axis, axisLabels(usd(max), usd(min), daily[0]!.date, daily.at(-1)!.date)]);
}

function svgChart(title: string, body: readonly string[]): string {
  return [
    `<h3>${escapeHtml(title)}</h3>`,
    `<svg class="chart" viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<rect class="frame" x="${CHART.left}" y="${CHART.top}" width="${CHART.width - CHART.left - CHART.right}" height="${CHART.height - CHART.top - CHART.bottom}"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function axisLabels(top: string, bottom: string, firstX: string, lastX: string): string {
  const baseY = CHART.height - CHART.bottom;
  return [
    `<text x="${CHART.left - 4}" y="${CHART.top + 10}" text-anchor="end">${escapeHtml(top)}</text>`,
    `<text x="${CHART.left - 4}" y="${baseY}" text-anchor="end">${escapeHtml(bottom)}</text>`,
    `<text x="${CHART.left}" y="${CHART.height - 6}">${escapeHtml(firstX)}</text>`,
    `<text x="${CHART.width - CHART.right}" y="${CHART.height - 6}" text-anchor="end">${escapeHtml(lastX)}</text>`,
  ].join('\n');
}

function xScale(n: number): (i: number) => number {
  const plotW = CHART.width - CHART.left - CHART.right;
  return (i) => CHART.left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
}

function yScale(min: number, max: number): (v: number) => number {
  const plotH = CHART.height - CHART.top - CHART.bottom;
  return (v) => CHART.top + (max === min ? plotH / 2 : ((max - v) / (max - min)) * plotH);
}

function rangeOf(values: readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { min, max };
}

function extremesIn(values: readonly number[], from: number, to: number): [number, number] {
  let lo = from;
  let hi = from;
  for (let i = from + 1; i < to; i++) {
    if (values[i]! < values[lo]!) lo = i;
    if (values[i]! > values[hi]!) hi = i;
  }
  return [lo, hi];
}

function coord(v: number): string {
  return v.toFixed(1);
}

function settingsSection(spec: BacktestSpec): string {
  const f = spec.fills;
  const rows: [string, string][] = [
    ['Symbols', spec.symbols.join(', ')],
    ['Dates', `${spec.from} to ${spec.to}`],
    ['Signal sources', spec.sources ? spec.sources.join(', ') : 'all'],
    ['Decision policy', describePolicy(spec.policy)],
    ['Model', describeModel(spec.model)],
    ['Slippage', describeSlippage(f.slippage)],
    ['Limit fills', f.limitFill === 'through' ? 'only when the price trades through the limit' : 'when the price touches the limit'],
    ['Max participation', f.maxParticipation === null ? 'no cap' : `${pct(f.maxParticipation)} of a bar's volume`],
    ['Latency', `${f.latencyMs} ms`],
    ['Fees', describeFees(f.fees)],
    ['Risk', describeRisk(spec.risk)],
    ['Seed', String(spec.seed)],
    ['Random-entry runs', String(spec.randomRuns)],
  ];
  return section('Settings', table(['Setting', 'Value'], rows.map(([k, v]) => [{ text: k }, { text: v, lines: true }])));
}

function describePolicy(policy: BacktestSpec['policy']): string {
  switch (policy.kind) {
    case 'all': return 'approve every signal the risk manager sizes';
    case 'auto': return `approve automatically at confidence ${policy.threshold} or above`;
    case 'sources': return `approve only signals from ${policy.sources.join(', ')}`;
    case 'replay': return "replay the trader's own approve and veto decisions";
  }
}

function describeModel(model: BacktestSpec['model']): string {
  switch (model.kind) {
    case 'none': return 'none (rules only)';
    case 'frozen': return `frozen model ${model.modelId}`;
    case 'walk-forward': {
      const delay = model.trainingDelayBars === undefined ? 'default training delay' : `training delay ${model.trainingDelayBars} bars`;
      const every = model.retrainEveryMinutes === undefined ? 'default retrain interval' : `retrain every ${model.retrainEveryMinutes} min`;
      return `walk-forward (${delay}, ${every})`;
    }
  }
}

function describeSlippage(s: BacktestSpec['fills']['slippage']): string {
  switch (s.kind) {
    case 'none': return 'none';
    case 'bps': return `${s.bps} bps of the price`;
    case 'atr': return `${s.fraction} × ATR (${s.fallbackBps} bps without an ATR)`;
  }
}

function describeFees(fees: BacktestSpec['fills']['fees']): string {
  if (typeof fees !== 'string') return `$${fees.perShare} per share + $${fees.perOrder} per order`;
  return fees === 'none' ? 'none' : `Alpaca regulatory fees as of ${fees.slice('alpaca-'.length)}`;
}

function describeRisk(risk: BacktestSpec['risk']): string {
  const set = Object.entries(risk).filter(([, v]) => v !== undefined);
  return set.length === 0 ? 'the risk manager defaults' : set.map(([k, v]) => `${k}: ${String(v)}`).join('\n');
}

function groupSection(title: string, keyLabel: string, groups: readonly GroupPnl[]): string {
  const rows = groups.map((g): Cell[] => [{ text: g.key }, int(g.trades), pnl(g.pnl), num(pct(g.winRate))]);
  return section(title, rows.length === 0 ? '<p>No trades.</p>' : table([keyLabel, 'Trades', 'P&L', 'Win rate'], rows));
}

function dailySection(startEquity: number, daily: readonly DailyPnl[]): string {
  const returns = dailyReturns(startEquity, daily);
  const rows = daily.map((d, i): Cell[] => [{ text: d.date }, pnl(d.pnl), pctCell(returns[i]!), money(d.fees), int(d.trades), money(d.equity)]);
  return section('Daily P&L', rows.length === 0 ? '<p>No trading days.</p>' : table(['Date', 'P&L', 'Return', 'Fees', 'Trades', 'Closing equity'], rows));
}

function tradesSection(trades: readonly BacktestTrade[], ny: NyFormat): string {
  const header = ['#', 'Symbol', 'Side', 'Qty', 'Entry (New York)', 'Entry price', 'Exit (New York)', 'Exit price', 'Exit rule', 'P&L', 'Fees', 'MFE / share', 'MAE / share', 'Bars held', 'Sources', 'Reasons'];
  const rows = trades.map((t): Cell[] => [
    int(t.n),
    { text: t.symbol },
    { text: t.side },
    int(t.qty),
    { text: ny(t.entryTime) },
    num(price(t.entryPrice)),
    { text: ny(t.exitTime) },
    num(price(t.exitPrice)),
    { text: t.exitRule },
    pnl(t.pnl),
    money(t.fees),
    num(price(t.mfe)),
    num(price(t.mae)),
    int(t.barsHeld),
    { text: t.sources.join(', ') },
    { text: t.reasons.join('\n'), lines: true },
  ]);
  return section(`Trades (${trades.length})`, rows.length === 0 ? '<p>No trades.</p>' : table(header, rows));
}

function modelsSection(models: BacktestResult['models'], ny: NyFormat): string {
  if (models.length === 0) return '';
  const rows = models.map((m): Cell[] => [{ text: m.modelId }, { text: ny(m.trainedAt) }, { text: ny(m.trainedThrough) }, { text: ny(m.decidedAt) }, { text: m.promoted ? 'promoted: scored from the next bar' : 'kept as a candidate' }]);
  return section('Models retrained in the run', table(['Model', 'Retrain started (New York)', 'Fitted through (New York)', 'Judged at (New York)', 'Verdict'], rows));
}

function section(title: string, body: string): string {
  return `<section>\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map(renderCell).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function renderCell(cell: Cell): string {
  const classes = [cell.num ? 'num' : '', cell.sign === undefined || cell.sign === 0 ? '' : cell.sign > 0 ? 'pos' : 'neg', cell.lines ? 'lines' : ''].filter(Boolean);
  const cls = classes.length === 0 ? '' : ` class="${classes.join(' ')}"`;
  return `<td${cls}>${escapeHtml(cell.text)}</td>`;
}

function num(text: string): Cell {
  return { text, num: true };
}

function int(value: number): Cell {
  return num(String(value));
}

function money(value: number): Cell {
  return num(usd(value));
}

/** Dollars coloured by sign (a P&L, not a balance or a fee). */
function pnl(value: number): Cell {
  return { text: usd(value), num: true, sign: roundedSign(value, 2) };
}

function pctCell(fraction: number): Cell {
  return { text: pct(fraction), num: true, sign: roundedSign(fraction * 100, 2) };
}

/** Locale-free formats, so the page is the same bytes on every machine. */
function usd(value: number): string {
  const fixed = Math.abs(value).toFixed(2);
  const [whole = '0', cents = '00'] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${roundedSign(value, 2) < 0 ? '-' : ''}$${grouped}.${cents}`;
}

function pct(fraction: number): string {
  return `${unsignedZero((fraction * 100).toFixed(2))} %`;
}

function ratio(value: number): string {
  return unsignedZero(value.toFixed(2));
}

function price(value: number): string {
  return unsignedZero(value.toFixed(4));
}

function unsignedZero(s: string): string {
  return /^-[0.]+$/.test(s) ? s.slice(1) : s;
}

function roundedSign(value: number, dp: number): number {
  return Math.sign(Number(value.toFixed(dp)));
}

/** "YYYY-MM-DD HH:MM:SS" in New York time, from the engine's own New York clock parts (not a locale's layout). */
function nyTimeFormatter(): NyFormat {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (ms) => {
    const p = nyParts(ms);
    return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
  };
}

const STYLE = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px 24px;color:#1b1f24;background:#fff;font-size:14px}',
  'h1{font-size:20px;margin:12px 0}h2{font-size:16px;margin:20px 0 8px}h3{font-size:14px;margin:12px 0 4px}',
  '.verdict{padding:12px 16px;border-radius:6px;font-size:16px;border:2px solid}',
  '.verdict.bad{background:#fdecea;border-color:#c62828;color:#8e1b1b}',
  '.verdict.good{background:#e8f5e9;border-color:#2e7d32;color:#1b5e20}',
  '.verdict.none{background:#f3f4f6;border-color:#6b7280}',
  '.side-by-side{display:flex;flex-wrap:wrap;gap:32px;align-items:flex-start}',
  'table{border-collapse:collapse;margin:4px 0}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}',
  'th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}td.lines{white-space:pre-line}',
  'td.pos{color:#1b5e20}td.neg{color:#b71c1c}',
  'svg.chart{width:100%;max-width:960px;height:auto;display:block}',
  '.frame{fill:none;stroke:#d0d7de}.line{fill:none;stroke:#1f6feb;stroke-width:1}',
  '.bar.pos{fill:#2e7d32}.bar.neg{fill:#c62828}.zero{stroke:#6b7280}',
  'svg text{font-size:11px;fill:#57606a}',
].join('\n');
