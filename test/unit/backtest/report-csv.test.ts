import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CSV_FILES, reportCsv, writeCsvDir } from '../../../src/main/backtest/report-csv';
import { BacktestResultSchema, type BacktestResult } from '../../../src/shared/backtest';
import { backtestFixture, TRICKY_REASON } from './fixture';

/** A small RFC 4180 reader, to check that what was written reads back field for field. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  return rows;
}

const withLabel = (label: string): BacktestResult => {
  const f = backtestFixture();
  return { ...f, spec: { ...f.spec, label } };
};
const metricValue = (csv: string, name: string): string | undefined => parseCsv(csv).find((r) => r[0] === name)?.[1];

describe('reportCsv', () => {
  it('the fixture is a valid BacktestResult', () => {
    expect(() => BacktestResultSchema.parse(backtestFixture())).not.toThrow();
  });

  it('trades.csv: header, then UTC ISO time beside epoch ms, prices to 4 dp, money to 2 dp', () => {
    const lines = reportCsv(backtestFixture())['trades.csv'].split('\n');
    expect(lines[0]).toBe('n,symbol,side,qty,entry_time,entry_time_ms,entry_price,exit_time,exit_time_ms,exit_price,exit_rule,pnl,fees,mfe,mae,bars_held,sources,reasons');
    // 09:45 New York on 2024-03-04 (EST) is 14:45 UTC = 1,709,563,500,000 ms; the exit at 11:15 is 16:15 UTC.
    expect(lines[1]).toBe('1,AAPL,long,100,2024-03-04T14:45:00.000Z,1709563500000,170.0000,2024-03-04T16:15:00.000Z,1709568900000,180.0050,target,1000.00,0.50,10.2000,0.8000,90,orb,opening range break');
  });

  it('a reason with a comma, a quote and a newline is quoted, its quotes doubled, and reads back unchanged', () => {
    const csv = reportCsv(backtestFixture())['trades.csv'];
    expect(csv).toContain('"stretched, ""far"" above VWAP\nsecond line; ml 0.71"');
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toHaveLength(18);
    expect(rows[2]![17]).toBe(`${TRICKY_REASON}; ml 0.71`);
  });

  it('a negative P&L stays a number (no formula guard on numeric columns)', () => {
    const rows = parseCsv(reportCsv(backtestFixture())['trades.csv']);
    expect(rows[2]![11]).toBe('-2020.00');
    const metrics = reportCsv(backtestFixture())['metrics.csv'];
    expect(metricValue(metrics, 'avg_loss')).toBe('-2020.00');
    expect(metricValue(metrics, 'random_p5_return')).toBe('-0.030000');
  });

  it('a label "=HYPERLINK(...)" is written as text: a leading single quote, then RFC 4180 quoting', () => {
    const metrics = reportCsv(withLabel('=HYPERLINK("http://evil.example","click")'))['metrics.csv'];
    expect(metrics).toContain(`label,"'=HYPERLINK(""http://evil.example"",""click"")"\n`);
    expect(metricValue(metrics, 'label')).toBe(`'=HYPERLINK("http://evil.example","click")`);
  });

  it('text starting with +, - or @ is guarded too (an exit rule, a source)', () => {
    const f = backtestFixture();
    const trades = [{ ...f.trades[0]!, exitRule: '-2+3', sources: ['@SUM(A1)'], reasons: ['+cmd'] }];
    const row = parseCsv(reportCsv({ ...f, trades })['trades.csv'])[1]!;
    expect(row.slice(-8)).toEqual(["'-2+3", '1000.00', '0.50', '10.2000', '0.8000', '90', "'@SUM(A1)", "'+cmd"]);
  });

  it('equity.csv and daily.csv: drawdown as a fraction to 6 dp, closing equity to the cent', () => {
    const files = reportCsv(backtestFixture());
    const equity = files['equity.csv'].split('\n');
    expect(equity[0]).toBe('time,time_ms,equity,drawdown');
    // 12:00 New York on 2024-03-05 = 17:00 UTC; 98,000 is 3,000 under the 101,000 peak = 0.029703.
    expect(equity[5]).toBe(`2024-03-05T17:00:00.000Z,${Date.UTC(2024, 2, 5, 17, 0)},98000.00,0.029703`);
    expect(files['daily.csv']).toBe('date,pnl,fees,trades,equity\n2024-03-04,1000.00,0.50,1,101000.00\n2024-03-05,-2020.00,0.40,1,98980.00\n2024-03-06,2969.40,0.60,1,101949.40\n');
  });

  it('metrics.csv: metric and value, a missing baseline left empty', () => {
    const metrics = reportCsv(backtestFixture())['metrics.csv'];
    expect(metrics.startsWith('metric,value\nrun_id,bt-fixture-1\n')).toBe(true);
    expect(metricValue(metrics, 'total_return')).toBe('0.019494');
    expect(metricValue(metrics, 'max_drawdown_days')).toBe('1');
    expect(metricValue(metrics, 'buy_hold_spy_total_return')).toBe('0.012000');
    expect(metricValue(metrics, 'buy_hold_symbols_total_return')).toBe('');
    expect(metricValue(metrics, 'beaten_by_random')).toBe('false');
  });

  it('a P&L that rounds to zero is written 0.00, not -0.00', () => {
    const f = backtestFixture();
    const row = parseCsv(reportCsv({ ...f, trades: [{ ...f.trades[0]!, pnl: -0.001 }] })['trades.csv'])[1]!;
    expect(row[11]).toBe('0.00');
  });

  it('every line ends with \\n alone; a CR appears only inside a quoted field', () => {
    for (const text of Object.values(reportCsv(backtestFixture()))) {
      expect(text.endsWith('\n')).toBe(true);
      expect(text).not.toContain('\r');
    }
  });

  it('writeCsvDir creates the folder with its parents and writes the four files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bt-csv-'));
    try {
      const dir = join(root, 'runs', 'bt-fixture-1');
      const paths = await writeCsvDir(dir, backtestFixture());
      expect(paths).toEqual(CSV_FILES.map((name) => join(dir, name)));
      const files = reportCsv(backtestFixture());
      for (const name of CSV_FILES) expect(readFileSync(join(dir, name), 'utf8')).toBe(files[name]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
