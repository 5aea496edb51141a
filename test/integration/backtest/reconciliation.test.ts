// The promise: a backtest is the live engine. The same SPY days run twice, once as a paper session (the
// engine in SIMULATED mode on a replay feed, composed from the configuration as the headless host
// composes it, the desk in auto mode) and once as a backtest with the same policy. Same fills, same
// trades, same P&L, to the cent.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FillSettingsSchema, type BacktestResult } from '../../../src/shared/backtest';
import type { CollectedRun } from '../../../src/main/backtest/result-collector';
import { runBacktest } from '../../../src/main/backtest/run-backtest';
import { backtestBaseConfig, HAVE_SPY, runPaperReplay, spyHistoryDb } from '../../helpers/backtest';

const DAYS = { from: '2011-01-03', to: '2011-01-14' } as const;
const FILLS = FillSettingsSchema.parse({ slippage: { kind: 'bps', bps: 1 }, fees: 'alpaca-2024-05' });

describe.skipIf(!HAVE_SPY)('paper session and backtest on the same days', () => {
  let history: { dir: string; dbPath: string };
  let paper: CollectedRun;
  let backtest: CollectedRun;
  let result: BacktestResult;

  beforeAll(async () => {
    history = spyHistoryDb({ alsoAs: ['HALF'] });
    // The paper session writes its orders into its own copy of the trader's database.
    const paperDb = join(history.dir, 'paper.db');
    copyFileSync(history.dbPath, paperDb);
    paper = await runPaperReplay({ dbPath: paperDb, dataDir: history.dir, symbols: ['SPY', 'HALF'], ...DAYS, deps: { simFills: FILLS } }, (engine) => engine.desk.setMode('auto', 0));

    result = await runBacktest(
      { symbols: ['SPY', 'HALF'], ...DAYS, policy: { kind: 'auto', threshold: 0 }, fills: FILLS, randomRuns: 0 },
      { runId: 'bt-reconcile', historyDbPath: history.dbPath, workDir: join(history.dir, 'work'), base: backtestBaseConfig(history.dir), onCollected: (r) => (backtest = r) },
    );
  }, 180_000);
  afterAll(() => rmSync(history.dir, { recursive: true, force: true }));

  it('trades in both (a test of nothing would pass on two empty books)', () => {
    expect(paper.fills.length).toBeGreaterThan(20);
    expect(new Set(paper.fills.map((f) => f.intent))).toEqual(new Set(['entry', 'exit', 'protective-stop', 'flatten']));
  });

  it('the same fills: what each order was for, sides, shares, prices, fees and times, in the same order', () => {
    // Exit and stop ids carry a random part (unique across restarts); the signal-driven entries' ids are the signal's.
    const shape = (f: CollectedRun['fills'][number]) => ({ ...f, clientOrderId: f.intent === 'entry' ? f.clientOrderId : f.intent });
    expect(backtest.fills.map(shape)).toEqual(paper.fills.map(shape));
  });

  it('the same trades and the same P&L to the cent, day by day', () => {
    expect(result.trades).toEqual(paper.trades);
    expect(result.daily.map((d) => [d.date, d.pnl.toFixed(2), d.fees.toFixed(2)])).toEqual(paper.daily.map((d) => [d.date, d.pnl.toFixed(2), d.fees.toFixed(2)]));
    expect(result.metrics.endEquity.toFixed(2)).toBe(paper.endEquity.toFixed(2));
  });
});
