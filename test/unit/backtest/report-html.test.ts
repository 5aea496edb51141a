import { describe, expect, it } from 'vitest';
import { downsampleMinMax, escapeHtml, MAX_CHART_POINTS, reportHtml } from '../../../src/main/backtest/report-html';
import { BacktestResultSchema, type BacktestResult, type Baselines, type EquityPoint } from '../../../src/shared/backtest';
import { backtestFixture, SCRIPT_REASON } from './fixture';

const withBaselines = (over: Partial<Baselines>): BacktestResult => {
  const f = backtestFixture();
  return { ...f, baselines: { ...f.baselines, ...over } };
};
const bodyStart = (html: string): string => html.slice(html.indexOf('<body>'), html.indexOf('<h1>'));

describe('reportHtml', () => {
  it('the fixture is a valid BacktestResult', () => {
    expect(() => BacktestResultSchema.parse(backtestFixture())).not.toThrow();
  });

  it('one self-contained page: a CSP that forbids loading anything, no script, link, image or external address', () => {
    const html = reportHtml(backtestFixture());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\b(src|href|xlink:href|action)\s*=/i);
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
    expect(html).not.toMatch(/url\(|@import/i);
  });

  it('when random entries beat it, the first thing on the page says so plainly, with the percentile', () => {
    const html = reportHtml(withBaselines({ beatenByRandom: true, random: { runs: 100, medianReturn: 0.025, p5Return: -0.03, p95Return: 0.06, strategyPercentile: 38 } }));
    expect(bodyStart(html)).toContain('This strategy did not beat random entries: its total return of 1.95 % ranks at percentile 38.0 of 100 random-entry runs (random median 2.50 %, 5th to 95th percentile -3.00 % to 6.00 %).');
  });

  it('when it beat the median random run, the banner says where it ranks and nothing about not beating', () => {
    const html = reportHtml(backtestFixture());
    expect(html).not.toContain('did not beat');
    expect(bodyStart(html)).toContain('This strategy beat the median random entry: its total return of 1.95 % ranks at percentile 72.5 of 100 random-entry runs');
  });

  it('with no random runs the banner says there is nothing to rank against', () => {
    const html = reportHtml(withBaselines({ random: { runs: 0, medianReturn: 0, p5Return: 0, p95Return: 0, strategyPercentile: 0 } }));
    expect(bodyStart(html)).toContain('No random-entry baseline was run: its total return of 1.95 % has no random-entry runs to rank against.');
  });

  it('a reason holding <script> is shown as text: the raw tag never appears', () => {
    const html = reportHtml(backtestFixture());
    expect(html).not.toContain(SCRIPT_REASON);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('a label with quotes, an ampersand and markup is escaped in the title and the heading', () => {
    const f = backtestFixture();
    const html = reportHtml({ ...f, spec: { ...f.spec, label: `Tom's "best" <b>&</b>` } });
    const escaped = 'Tom&#39;s &quot;best&quot; &lt;b&gt;&amp;&lt;/b&gt;';
    expect(html).toContain(`<title>Backtest AAPL, MSFT, 2024-03-04 to 2024-03-06: ${escaped}</title>`);
    expect(html).toContain(`<h1>Backtest AAPL, MSFT, 2024-03-04 to 2024-03-06: ${escaped}</h1>`);
    expect(html).not.toContain('<b>');
  });

  it('escapeHtml covers & < > " \'', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('trade times are New York wall time, EST and EDT alike', () => {
    const f = backtestFixture();
    // 13:30 UTC on 2024-07-01 is 09:30 EDT; 14:45 UTC on 2024-03-04 is 09:45 EST.
    const summer = { ...f.trades[0]!, n: 4, entryTime: Date.UTC(2024, 6, 1, 13, 30), exitTime: Date.UTC(2024, 6, 1, 19, 59) };
    const html = reportHtml({ ...f, trades: [...f.trades, summer] });
    expect(html).toContain('<td>2024-03-04 09:45:00</td>');
    expect(html).toContain('<td>2024-07-01 09:30:00</td>');
    expect(html).toContain('<td>2024-07-01 15:59:00</td>');
  });

  it('the metrics beside the baselines, the settings, P&L by source and exit rule, the daily table and every trade', () => {
    const html = reportHtml(backtestFixture());
    expect(html).toContain('<div class="side-by-side">');
    for (const text of ['Sharpe (daily, annualised)', '<td class="num">4.21</td>', 'Buy and hold SPY', 'not stored for these days', 'Random entries: median of 100 runs']) expect(html).toContain(text);
    for (const text of ['approve every signal the risk manager sizes', 'none (rules only)', '2 bps of the price', 'Alpaca regulatory fees as of 2024-05', 'maxDailyLoss: 2500', '<td class="lines">7</td>']) expect(html).toContain(text);
    expect(html).toContain('<h2>P&amp;L by signal source</h2>');
    expect(html).toContain('<td>vwap_reversion</td><td class="num">1</td><td class="num neg">-$2,020.00</td><td class="num">0.00 %</td>');
    expect(html).toContain('<td>2024-03-06</td><td class="num pos">$2,969.40</td><td class="num pos">3.00 %</td>');
    expect(html).toContain('<h2>Trades (3)</h2>');
    expect(html).toContain('<td>hardStop</td><td class="num neg">-$2,020.00</td><td class="num">$0.40</td><td class="num">1.5000</td><td class="num">40.3920</td>');
  });

  it('the same result gives the same bytes', () => {
    expect(reportHtml(backtestFixture())).toBe(reportHtml(backtestFixture()));
  });

  it('a year of minute marks is drawn with at most 2,000 points and the page stays small', () => {
    const minutes = 252 * 390;
    const equity: EquityPoint[] = Array.from({ length: minutes }, (_, i) => ({ t: Date.UTC(2024, 0, 2, 14, 30) + i * 60_000, equity: 100_000 + 5_000 * Math.sin(i / 500), drawdown: 0 }));
    const html = reportHtml({ ...backtestFixture(), equity });
    const polylines = [...html.matchAll(/<polyline class="line" points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(polylines).toHaveLength(2);
    for (const n of polylines) expect(n).toBeLessThanOrEqual(MAX_CHART_POINTS);
    expect(html.length).toBeLessThan(200_000);
  });
});

describe('downsampleMinMax', () => {
  it('keeps everything that fits', () => {
    expect(downsampleMinMax([3, 1, 2], 10)).toEqual([0, 1, 2]);
  });

  it('keeps each bucket\'s low and high in time order, so the deepest trough and the highest peak survive', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 37) * 100 + (i === 4_321 ? -1_000 : 0) + (i === 8_765 ? 1_000 : 0));
    const kept = downsampleMinMax(values, 2_000);
    expect(kept.length).toBeLessThanOrEqual(2_000);
    expect(kept).toContain(4_321);
    expect(kept).toContain(8_765);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
    expect(new Set(kept).size).toBe(kept.length);
  });
});
