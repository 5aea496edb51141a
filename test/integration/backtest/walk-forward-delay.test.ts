// Walk-forward in a backtest: the in-session retraining runs on the simulated clock, and a retrain
// started at t is judged (and, if promoted, scores) at exactly t + the training delay, however fast or
// slow the worker was on this machine, so the same run always trades the same model on the same bar.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../../src/shared/backtest';
import { runBacktest } from '../../../src/main/backtest/run-backtest';
import { backtestBaseConfig, HAVE_SPY, spyHistoryDb } from '../../helpers/backtest';

const DAYS = { from: '2011-01-03', to: '2011-01-07' } as const;

describe.skipIf(!HAVE_SPY)('walk-forward retraining in a backtest waits for the training delay', () => {
  let history: { dir: string; dbPath: string };
  let counter = 0;
  const run = (delay: number): Promise<BacktestResult> =>
    runBacktest(
      { symbols: ['SPY', 'HALF'], ...DAYS, model: { kind: 'walk-forward', trainingDelayBars: delay, retrainEveryMinutes: 120 }, randomRuns: 0 },
      { runId: 'bt-wf', historyDbPath: history.dbPath, workDir: join(tmpdir(), `bt-wf-${process.pid}-${++counter}`), base: backtestBaseConfig(history.dir) },
    );
  let oneBar: BacktestResult;
  let fiveBars: BacktestResult;

  beforeAll(async () => {
    history = spyHistoryDb({ alsoAs: ['HALF'] });
    oneBar = await run(1);
    fiveBars = await run(5);
  }, 240_000);
  afterAll(() => rmSync(history.dir, { recursive: true, force: true }));

  it('retrains on the schedule once enough labelled rows exist', () => {
    // 2 000 labelled rows take about 2.6 sessions of two symbols; then every 120 minutes of session time.
    expect(oneBar.models.length).toBeGreaterThanOrEqual(3);
    expect(fiveBars.models.map((m) => m.trainedAt)).toEqual(oneBar.models.map((m) => m.trainedAt));
  });

  it('judges each retrain exactly its delay after it started, never on the bar it was trained with', () => {
    for (const m of oneBar.models) {
      expect(m.decidedAt - m.trainedAt).toBe(60_000);
      // The newest row the model was fitted on is older than the retrain (no look-ahead).
      expect(m.trainedThrough).toBeLessThan(m.trainedAt);
    }
    for (const m of fiveBars.models) expect(m.decidedAt - m.trainedAt).toBe(5 * 60_000);
  });

  it('is deterministic with retraining: the same delay twice gives the same result', async () => {
    const again = await run(1);
    expect(JSON.stringify({ ...again, runId: '' })).toBe(JSON.stringify({ ...oneBar, runId: '' }));
  }, 120_000);
});
