// The backtest host on the real SPY month: the books add up to the cent, the same run gives the same
// bytes, missing history is refused with what to import, and the baselines are there.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacktestResultSchema, type BacktestResult, type BacktestSpecInput } from '../../../src/shared/backtest';
import { BacktestCanceled, BacktestInputError } from '../../../src/main/backtest/errors';
import { reportCsv } from '../../../src/main/backtest/report-csv';
import { reportHtml } from '../../../src/main/backtest/report-html';
import { runBacktest } from '../../../src/main/backtest/run-backtest';
import { backtestBaseConfig, HAVE_SPY, SPY_MONTH, spyHistoryDb } from '../../helpers/backtest';

describe.skipIf(!HAVE_SPY)('backtest on the SPY month (real minute data)', () => {
  let history: { dir: string; dbPath: string };
  let first: BacktestResult;
  let counter = 0;
  const run = (spec: BacktestSpecInput, extra: { shouldStop?: () => boolean; runId?: string } = {}): Promise<BacktestResult> =>
    runBacktest(spec, {
      runId: extra.runId ?? 'bt-test',
      historyDbPath: history.dbPath,
      workDir: join(tmpdir(), `bt-work-${process.pid}-${++counter}`),
      base: backtestBaseConfig(history.dir),
      ...(extra.shouldStop ? { shouldStop: extra.shouldStop } : {}),
    });

  beforeAll(async () => {
    history = spyHistoryDb();
    first = await run({ symbols: ['SPY'], ...SPY_MONTH, randomRuns: 100 });
  }, 120_000);
  afterAll(() => rmSync(history.dir, { recursive: true, force: true }));

  it('replays every session of the month and trades', () => {
    expect(BacktestResultSchema.parse(first)).toBeTruthy();
    expect(first.sessions).toBe(20);
    expect(first.bars).toBe(20 * 390);
    expect(first.trades.length).toBeGreaterThan(0);
    expect(first.signals.proposed).toBeGreaterThanOrEqual(first.signals.approved);
  });

  it("adds up to the cent: the trades' P&L is the equity curve's change, and the days' P&L too", () => {
    const tradePnl = first.trades.reduce((s, t) => s + t.pnl, 0);
    const change = first.equity.at(-1)!.equity - first.metrics.startEquity;
    expect(Math.abs(tradePnl - change)).toBeLessThan(0.005);
    const dayPnl = first.daily.reduce((s, d) => s + d.pnl, 0);
    expect(Math.abs(dayPnl - change)).toBeLessThan(0.005);
    expect(first.metrics.endEquity).toBeCloseTo(first.equity.at(-1)!.equity, 6);
    const fees = first.trades.reduce((s, t) => s + t.fees, 0);
    expect(fees).toBeGreaterThan(0); // Alpaca's regulatory fees on sells are the default
    expect(Math.abs(fees - first.metrics.fees)).toBeLessThan(0.005);
  });

  it('every trade is flat by the close: entries and exits inside the regular session, exits before 16:00 New York', () => {
    for (const t of first.trades) {
      expect(t.exitTime).toBeGreaterThanOrEqual(t.entryTime);
      const ny = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hour12: false }).format(t.exitTime);
      expect(ny < '16:00').toBe(true);
      expect(t.exitRule).not.toBe('openAtEnd');
      expect(t.mfe).toBeGreaterThanOrEqual(0);
      expect(t.mae).toBeGreaterThanOrEqual(0);
    }
    // The trades name the signal they came from.
    expect(first.trades.every((t) => t.sources.length > 0)).toBe(true);
  });

  it('reports the baselines on the same days: buy-and-hold SPY and random entries with a percentile', () => {
    const b = first.baselines;
    expect(b.buyHoldSpy).not.toBeNull();
    // SPY closed January 2011 higher than it opened (126.7 → 128.7 on these bars).
    expect(b.buyHoldSpy!.totalReturn).toBeGreaterThan(0);
    expect(b.buyHoldSymbols!.totalReturn).toBeCloseTo(b.buyHoldSpy!.totalReturn, 10);
    expect(b.random.runs).toBe(100);
    expect(b.random.p5Return).toBeLessThanOrEqual(b.random.medianReturn);
    expect(b.random.medianReturn).toBeLessThanOrEqual(b.random.p95Return);
    expect(b.beatenByRandom).toBe(first.metrics.totalReturn <= b.random.medianReturn);
  });

  it('is deterministic: the same settings twice give byte-identical results and reports', async () => {
    const again = await run({ symbols: ['SPY'], ...SPY_MONTH, randomRuns: 100 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(reportHtml(again)).toBe(reportHtml(first));
    expect(reportCsv(again)).toEqual(reportCsv(first));
  }, 120_000);

  it('another seed moves only the random baseline; a policy that approves nothing trades nothing', async () => {
    const seeded = await run({ symbols: ['SPY'], ...SPY_MONTH, randomRuns: 100, seed: 7 });
    expect(seeded.trades).toEqual(first.trades);
    expect(seeded.baselines.random).not.toEqual(first.baselines.random);
    const none = await run({ symbols: ['SPY'], ...SPY_MONTH, randomRuns: 0, policy: { kind: 'auto', threshold: 1 } });
    expect(none.trades).toHaveLength(0);
    expect(none.metrics.totalReturn).toBe(0);
    expect(none.signals.vetoed).toBe(none.signals.proposed);
  }, 120_000);

  it('refuses missing history by name, with the command that imports it', async () => {
    const error = await run({ symbols: ['SPY', 'QQQ'], from: '2011-01-03', to: '2011-02-04' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BacktestInputError);
    const message = (error as Error).message;
    expect(message).toMatch(/QQQ: no stored bars from 2011-01-03 to 2011-02-04/);
    expect(message).toMatch(/SPY: 4 of 24 sessions missing \(2011-02-01, 2011-02-02, 2011-02-03, 2011-02-04\)/);
    expect(message).toMatch(/npm run cli -- import FILE --format ninjatrader --symbol SYMBOL/);
  });

  it('stops when told to, with nothing left behind', async () => {
    let polls = 0;
    const error = await run({ symbols: ['SPY'], ...SPY_MONTH, randomRuns: 0 }, { shouldStop: () => ++polls > 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BacktestCanceled);
  });
});
