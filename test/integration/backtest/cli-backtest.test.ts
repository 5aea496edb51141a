// `cockpit backtest` on the SPY month: one JSON object with the metrics and baselines, the HTML report
// and CSV files written, the run kept for the cockpit; bad settings are refused with what to fix.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli';
import { BacktestStore } from '../../../src/main/backtest/backtest-store';
import { openDatabase } from '../../../src/main/store/database';
import { HAVE_SPY, spyHistoryDb } from '../../helpers/backtest';

async function cli(argv: string[], dir: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { env: { TRADING_DATA_DIR: dir }, cwd: dir }, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe.skipIf(!HAVE_SPY)('cockpit backtest', () => {
  let history: { dir: string; dbPath: string };
  let json: { ok: boolean; runId: string; trades: number; metrics: Record<string, number>; baselines: { buyHoldSpy: { totalReturn: number }; random: { runs: number } }; files: string[] };
  const report = (): string => join(history.dir, 'r.html');

  beforeAll(async () => {
    history = spyHistoryDb();
    const r = await cli(['backtest', '--symbols', 'SPY', '--from', '2011-01-03', '--to', '2011-01-31', '--json', '--report', report(), '--csv', join(history.dir, 'csv'), '--db', history.dbPath], history.dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    json = JSON.parse(r.out) as typeof json;
  }, 120_000);
  afterAll(() => rmSync(history.dir, { recursive: true, force: true }));

  it('prints one object with the metrics, the baselines and the trade count', () => {
    expect(json.ok).toBe(true);
    expect(json.trades).toBeGreaterThan(0);
    expect(json.metrics.trades).toBe(json.trades);
    expect(json.baselines.buyHoldSpy.totalReturn).toBeGreaterThan(0);
    expect(json.baselines.random.runs).toBe(100);
  });

  it("writes a self-contained report and CSV files whose trade P&L adds up to the equity curve's change, to the cent", () => {
    const html = readFileSync(report(), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/i);
    expect(html).toMatch(/<svg/);
    const trades = readFileSync(join(history.dir, 'csv', 'trades.csv'), 'utf8').trim().split('\n');
    const header = trades[0]!.split(',');
    const pnl = trades.slice(1).reduce((s, line) => s + Number(line.split(',')[header.indexOf('pnl')]), 0);
    const equity = readFileSync(join(history.dir, 'csv', 'equity.csv'), 'utf8').trim().split('\n');
    const eqCol = equity[0]!.split(',').indexOf('equity');
    const change = Number(equity.at(-1)!.split(',')[eqCol]) - 20_000;
    expect(Math.abs(pnl - change)).toBeLessThan(0.005 * trades.length); // each CSV cell is rounded to the cent
    expect(Math.abs(json.metrics.endEquity! - 20_000 - change)).toBeLessThan(0.006);
  });

  it('keeps the run, so the cockpit lists it with its result', () => {
    const db = openDatabase(history.dbPath);
    try {
      const runs = new BacktestStore(db);
      expect(runs.list(10).map((r) => [r.runId, r.state])).toEqual([[json.runId, 'done']]);
      expect(runs.result(json.runId)!.trades).toHaveLength(json.trades);
    } finally {
      db.close();
    }
  });

  it('refuses missing history with the import command, and a config file that names a broker', async () => {
    const missing = await cli(['backtest', '--symbols', 'QQQ', '--from', '2011-01-03', '--to', '2011-01-07', '--json', '--db', history.dbPath], history.dir);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/QQQ: no stored bars from 2011-01-03 to 2011-01-07.*npm run cli -- import/);
    const file = join(history.dir, 'bt.json');
    writeFileSync(file, JSON.stringify({ symbols: ['SPY'], from: '2011-01-03', to: '2011-01-07', broker: 'alpaca' }));
    const broker = await cli(['backtest', '--config', file, '--db', history.dbPath], history.dir);
    expect(broker.code).toBe(2);
    expect(broker.err).toMatch(/"broker" does not fit a backtest: a backtest always fills through the simulated broker/);
    const bad = await cli(['backtest', '--symbols', 'SPY', '--from', '2011-01-03', '--to', '2011-01-07', '--policy', 'auto:2', '--db', history.dbPath], history.dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--policy takes all, auto:0\.6/);
    expect(existsSync(join(history.dir, 'nothing.html'))).toBe(false);
  });
});
