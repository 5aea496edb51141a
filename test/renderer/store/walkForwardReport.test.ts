// Reading a walk-forward job's result, which the contract leaves unknown and which crossed JSON
// (NaN and Infinity arrive as null): what the trader sees in the report table.
import { describe, expect, it } from 'vitest';
import { readWalkForwardReport } from '../../../src/renderer/store/models/walkForwardReport';
import { walkForwardFold, walkForwardResult } from '../fakes';

describe('readWalkForwardReport', () => {
  it('when the engine sends a full report then every fold metric and the summary are read', () => {
    const report = readWalkForwardReport(walkForwardResult());
    expect(report).not.toBeNull();
    expect(report?.label).toBe('label_up_1');
    expect(report?.rows).toBe(780);
    expect(report?.unreadableFolds).toBe(0);
    expect(report?.folds.map((f) => f.index)).toEqual([0, 1]);
    const fold = report!.folds[1]!;
    expect(fold).toMatchObject({
      testPeriods: ['2011-01-11'],
      trainRows: 1_900,
      testRows: 390,
      purged: 1,
      embargoed: 5,
      logLoss: 0.6905,
      priorLogLoss: 0.6931,
      accuracy: 0.53,
      brier: 0.2486,
      ece: 0.021,
      precisionAt50: 0.56,
      topDecileLong: { count: 39, hitRate: 0.54, avgReturn: 0.00012, profitFactor: 1.18 },
      topDecileShort: { count: 39, hitRate: 0.49, avgReturn: -0.00003, profitFactor: 0.93 },
      calibration: 'platt',
      trees: 100,
    });
    expect(fold.classes.precision).toEqual([0.518, 0.543]);
    expect(fold.classes.recall).toEqual([0.526, 0.535]);
    expect(fold.classes.f1).toEqual([0.522, 0.539]);
    expect(fold.classes.support).toEqual([190, 200]);
    expect(fold.reliability).toHaveLength(10);
    expect(fold.reliability[5]).toEqual({ lower: 0.5, upper: 0.6, count: 195, meanPredicted: 0.53, observed: 0.55 });
    expect(report?.summary).toEqual({ logLoss: 0.6905, priorLogLoss: 0.6931, accuracy: 0.53, hitRateLong: 0.54, profitFactorLong: 1.18, avgReturnLong: 0.00012 });
  });

  it('when a metric could not be measured (null after JSON) then it reads as NaN, never as 0', () => {
    const report = readWalkForwardReport(
      walkForwardResult({
        folds: [walkForwardFold(0, { precisionAt50: null, topDecileLong: { count: 0, hitRate: null, avgReturn: null, profitFactor: null } })],
        summary: { logLoss: 0.69, priorLogLoss: 0.693, accuracy: 0.5, hitRateLong: null, profitFactorLong: null, avgReturnLong: null },
      }),
    );
    const fold = report!.folds[0]!;
    expect(fold.precisionAt50).toBeNaN();
    expect(fold.topDecileLong.count).toBe(0);
    expect(fold.topDecileLong.hitRate).toBeNaN();
    expect(fold.topDecileLong.profitFactor).toBeNaN();
    expect(fold.reliability[0]).toMatchObject({ count: 0, meanPredicted: NaN, observed: NaN });
    expect(report?.summary.profitFactorLong).toBeNaN();
  });

  it('when a fold has no index then it is left out and counted, and the others still show', () => {
    const report = readWalkForwardReport(walkForwardResult({ folds: [walkForwardFold(0), { logLoss: 0.7 }, 'junk', walkForwardFold(2)] }));
    expect(report?.folds.map((f) => f.index)).toEqual([0, 2]);
    expect(report?.unreadableFolds).toBe(2);
  });

  it('when optional parts are malformed then they read as empty or not measured', () => {
    const report = readWalkForwardReport(
      walkForwardResult({ rows: undefined, summary: 'x', folds: [walkForwardFold(0, { classes: 'x', reliability: {}, testPeriods: [1, '2011-01-10'], calibration: 3 })] }),
    );
    const fold = report!.folds[0]!;
    expect(fold.classes).toEqual({ precision: [], recall: [], f1: [], support: [] });
    expect(fold.reliability).toEqual([]);
    expect(fold.testPeriods).toEqual(['2011-01-10']);
    expect(fold.calibration).toBe('');
    // Rows fall back to the folds' test rows.
    expect(report?.rows).toBe(390);
    expect(report?.summary.logLoss).toBeNaN();
  });

  it('when no fold had enough rows then the report is empty, not missing', () => {
    const report = readWalkForwardReport(walkForwardResult({ rows: 0, folds: [] }));
    expect(report?.folds).toEqual([]);
    expect(report?.rows).toBe(0);
  });

  it('when the result is not a report then null is returned instead of throwing', () => {
    for (const bad of [undefined, null, 42, 'done', [], {}, { folds: 'x' }, { folds: {} }]) {
      expect(readWalkForwardReport(bad)).toBeNull();
    }
  });
});
