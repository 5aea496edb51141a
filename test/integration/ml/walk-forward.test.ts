// No leakage, proven: labels shuffled in time leave no out-of-sample edge; a planted signal is found.
// And the real SPY month gets a per-fold report with every metric.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { SeededRandom } from '../../../src/main/engine/random';
import { importHistory } from '../../../src/main/data/import/importer';
import { buildDataset, type Dataset } from '../../../src/main/features/dataset';
import { FEATURE_SPEC } from '../../../src/main/features/spec';
import { walkForward, formatWalkForward } from '../../../src/main/ml/walk-forward';
import { openDatabase } from '../../../src/main/store/database';
import { HistoryStore } from '../../../src/main/store/history-store';
import { readSpy } from '../../helpers/data';

const calendar = new NyseCalendar();
const params = { numRound: 40, maxDepth: 3, eta: 0.1, maxBin: 64, nthread: 1, seed: 3 };

/** A dataset with the engine's shape: random features over 20 sessions of 390 bars, label from `labelOf`. */
function synthetic(labelOf: (features: number[], rng: SeededRandom) => number): Dataset {
  const rng = new SeededRandom(11);
  const days = calendar.tradingDays('2024-01-02', '2024-01-31');
  const F = FEATURE_SPEC.names.length;
  const starts: number[] = [];
  const cols = Array.from({ length: F }, () => [] as number[]);
  const label: number[] = [];
  const fwd: number[] = [];
  for (const d of days) {
    const s = calendar.session(d)!;
    for (let t = s.open; t < s.close; t += 60_000) {
      const f = Array.from({ length: F }, () => rng.normal());
      f.forEach((v, j) => cols[j]!.push(v));
      const y = labelOf(f, rng);
      starts.push(t);
      label.push(y);
      fwd.push((y === 1 ? 1 : -1) * 0.001 + rng.normal() * 0.0005);
    }
  }
  const n = starts.length;
  return {
    meta: { format: 'test', spec: FEATURE_SPEC, labels: ['label_up_1', 'fwd_ret_1'], labelDoc: {}, symbols: ['TEST'], from: days[0]!, to: days.at(-1)!, rows: n, vix: 'proxy', createdBy: 'test' },
    symbol: new Array(n).fill('TEST'),
    start: Float64Array.from(starts),
    features: cols.map((c) => Float32Array.from(c)),
    labels: [Float32Array.from(label), Float32Array.from(fwd)],
  };
}

const options = { label: 'label_up_1', forwardReturn: 'fwd_ret_1', period: 'day' as const, window: 'rolling' as const, trainPeriods: 5, params, cost: 0.0002 };

describe('walk-forward evaluation', () => {
  it('finds a planted signal out of sample', async () => {
    const ds = synthetic((f, rng) => (f[7]! + 0.3 * rng.normal() > 0 ? 1 : 0));
    const r = await walkForward(ds, options);
    expect(r.folds.length).toBeGreaterThanOrEqual(10);
    expect(r.summary.accuracy).toBeGreaterThan(0.85);
    expect(r.summary.logLoss).toBeLessThan(r.summary.priorLogLoss - 0.2);
    expect(r.summary.hitRateLong).toBeGreaterThan(0.9);
  });

  it('shows no edge when the labels are shuffled in time (no leakage through the pipeline)', async () => {
    const planted = synthetic((f, rng) => (f[7]! + 0.3 * rng.normal() > 0 ? 1 : 0));
    const y = planted.labels[0]!;
    const rng = new SeededRandom(99);
    for (let i = y.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [y[i], y[j]] = [y[j]!, y[i]!];
    }
    const r = await walkForward(planted, options);
    expect(Math.abs(r.summary.accuracy - 0.5)).toBeLessThan(0.03);
    // No better than the prior out of sample.
    expect(r.summary.logLoss).toBeGreaterThan(r.summary.priorLogLoss - 0.005);
  });

  it('reports every metric per fold on the real SPY month', async () => {
    const store = new HistoryStore(openDatabase(join(mkdtempSync(join(tmpdir(), 'wf-')), 'h.sqlite')));
    importHistory(store, calendar, { file: 'spy', text: readSpy(), format: 'ninjatrader', symbol: 'SPY' });
    const ds = buildDataset(store, calendar, { symbols: ['SPY'], from: '2011-01-03', to: '2011-01-31' });
    const r = await walkForward(ds, options);
    expect(r.folds.length).toBe(20 - 5);
    for (const fold of r.folds) {
      for (const v of [fold.logLoss, fold.priorLogLoss, fold.accuracy, fold.brier, fold.ece, fold.precisionAt50, fold.topDecileLong.hitRate, fold.topDecileLong.avgReturn]) {
        expect(Number.isFinite(v)).toBe(true);
      }
      expect(fold.classes.precision).toHaveLength(2);
      expect(fold.reliability.length).toBeGreaterThan(0);
      expect(fold.testRows).toBeGreaterThan(300);
    }
    const text = formatWalkForward(r);
    expect(text.split('\n')).toHaveLength(2 + r.folds.length + 1);
  });
});
