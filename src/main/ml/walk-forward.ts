// Walk-forward evaluation a trader can trust: purged and embargoed folds in time order, a model
// trained on each fold's past only, calibrated on the end of that past, and every metric measured on
// the fold's unseen future: log loss against the prior, accuracy, precision/recall per class,
// precision@k, hit rate, profit factor and average return of the top-decile signals after costs,
// and the reliability curve.
import type { Dataset } from '../features/dataset';
import { applyCalibration, chooseCalibration, type CalibrationParams } from './calibration';
import { trainGbdt, type GbdtParams } from './gbdt/trainer';
import {
  accuracy,
  brierScore,
  classificationReport,
  expectedCalibrationError,
  logLoss,
  precisionAtK,
  reliabilityCurve,
  topSignalStats,
  type ClassificationReport,
  type ReliabilityBin,
  type SignalStats,
} from './metrics';
import { walkForwardSplits, type FoldPeriod } from './splits';
import { predictProba, type TreeEnsemble } from './tree-model';

export interface WalkForwardOptions {
  /** Binary label column of the dataset (1 = up). */
  label: string;
  /** Forward-return column used for the trading statistics of the top signals. */
  forwardReturn: string;
  period: FoldPeriod;
  window: 'rolling' | 'expanding';
  trainPeriods: number;
  /** Embargo between the training window's end and the test fold, in bars. */
  embargoBars?: number;
  /** Label horizon in bars (how far the label looks ahead), for purging. */
  horizonBars?: number;
  params: GbdtParams;
  /** Round-trip cost per trade in return units (e.g. 0.0002 = 2 bps). */
  cost: number;
  /** Calibrate on the last share of each training window when it helps (default 0.2; 0 = never). */
  calibrationShare?: number;
  /** Told after each fold (progress bars). */
  onFold?: (done: number, total: number) => void;
}

export interface FoldReport {
  index: number;
  testPeriods: string[];
  trainRows: number;
  testRows: number;
  purged: number;
  embargoed: number;
  logLoss: number;
  /** Log loss of always predicting the training base rate: the bar to beat. */
  priorLogLoss: number;
  accuracy: number;
  brier: number;
  ece: number;
  classes: ClassificationReport;
  precisionAt50: number;
  topDecileLong: SignalStats;
  topDecileShort: SignalStats;
  reliability: ReliabilityBin[];
  calibration: CalibrationParams['kind'];
  trees: number;
}

export interface WalkForwardReport {
  label: string;
  rows: number;
  folds: FoldReport[];
  /** Row-weighted means over the folds. */
  summary: { logLoss: number; priorLogLoss: number; accuracy: number; hitRateLong: number; profitFactorLong: number; avgReturnLong: number };
  lastModel: TreeEnsemble | null;
}

function column(ds: Dataset, name: string): Float32Array {
  const fi = ds.meta.spec.names.indexOf(name);
  if (fi >= 0) return ds.features[fi]!;
  const li = ds.meta.labels.indexOf(name);
  if (li >= 0) return ds.labels[li]!;
  throw new Error(`the dataset has no column ${name}`);
}

function gather(ds: Dataset, rows: ArrayLike<number>, y: Float32Array): { x: Float32Array; y: Float32Array; n: number } {
  const f = ds.features.length;
  const n = rows.length;
  const x = new Float32Array(n * f);
  const yy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    for (let j = 0; j < f; j++) x[i * f + j] = ds.features[j]![r]!;
    yy[i] = y[r]!;
  }
  return { x, y: yy, n };
}

export async function walkForward(ds: Dataset, options: WalkForwardOptions): Promise<WalkForwardReport> {
  const yAll = column(ds, options.label);
  const fwd = column(ds, options.forwardReturn);
  // Only rows with a label take part (a session's last bar has none).
  const usable: number[] = [];
  for (let i = 0; i < ds.meta.rows; i++) if (!Number.isNaN(yAll[i]!)) usable.push(i);
  const starts = usable.map((i) => ds.start[i]!);
  const folds = walkForwardSplits(starts, {
    period: options.period,
    window: options.window,
    trainPeriods: options.trainPeriods,
    horizonMs: (options.horizonBars ?? 1) * 60_000,
    ...(options.embargoBars !== undefined ? { embargoBars: options.embargoBars } : {}),
  });
  const reports: FoldReport[] = [];
  let lastModel: TreeEnsemble | null = null;
  const f = ds.features.length;
  for (const fold of folds) {
    const trainRows = Array.from(fold.train, (k) => usable[k]!);
    const testRows = Array.from(fold.test, (k) => usable[k]!);
    if (trainRows.length < 50 || testRows.length === 0) continue;
    // The end of the training window calibrates; the model never sees it while fitting.
    const share = options.calibrationShare ?? 0.2;
    const cut = share > 0 ? Math.floor(trainRows.length * (1 - share)) : trainRows.length;
    const fit = gather(ds, trainRows.slice(0, cut), yAll);
    const result = await trainGbdt({ x: fit.x, y: fit.y, n: fit.n, f, featureNames: [...ds.meta.spec.names] }, { objective: 'binary', ...options.params });
    const model = result.model;
    lastModel = model;
    let calibration: CalibrationParams = { kind: 'none' };
    if (cut < trainRows.length) {
      const cal = gather(ds, trainRows.slice(cut), yAll);
      const p = predictProba(model, cal.x, cal.n);
      const pos = new Float64Array(cal.n);
      for (let i = 0; i < cal.n; i++) pos[i] = p[i * 2 + 1]!;
      calibration = chooseCalibration({ values: pos, y: cal.y }).params;
    }
    const test = gather(ds, testRows, yAll);
    const raw = predictProba(model, test.x, test.n);
    const pRaw = new Float64Array(test.n);
    for (let i = 0; i < test.n; i++) pRaw[i] = raw[i * 2 + 1]!;
    const p = calibration.kind === 'none' ? pRaw : applyCalibration(calibration, pRaw);
    let base = 0;
    for (let i = 0; i < fit.n; i++) base += fit.y[i]!;
    base = Math.min(1 - 1e-6, Math.max(1e-6, base / fit.n));
    const prior = new Float64Array(test.n).fill(base);
    const ret = Float64Array.from(testRows, (r) => fwd[r]!);
    reports.push({
      index: fold.index,
      testPeriods: fold.testPeriods,
      trainRows: trainRows.length,
      testRows: testRows.length,
      purged: fold.purged,
      embargoed: fold.embargoed,
      logLoss: logLoss(test.y, p),
      priorLogLoss: logLoss(test.y, prior),
      accuracy: accuracy(test.y, p),
      brier: brierScore(test.y, p),
      ece: expectedCalibrationError(test.y, p),
      classes: classificationReport(test.y, p),
      precisionAt50: precisionAtK(test.y, p, Math.min(50, test.n)),
      topDecileLong: topSignalStats(p, ret, { fraction: 0.1, cost: options.cost, direction: 1 }),
      topDecileShort: topSignalStats(p.map((v) => 1 - v), ret, { fraction: 0.1, cost: options.cost, direction: -1 }),
      reliability: reliabilityCurve(test.y, p, 10),
      calibration: calibration.kind,
      trees: model.trees.length,
    });
    options.onFold?.(reports.length, folds.length);
  }
  const total = reports.reduce((s, r) => s + r.testRows, 0);
  const wmean = (get: (r: FoldReport) => number): number => {
    let s = 0;
    let w = 0;
    for (const r of reports) {
      const v = get(r);
      if (Number.isFinite(v)) {
        s += v * r.testRows;
        w += r.testRows;
      }
    }
    return w > 0 ? s / w : Number.NaN;
  };
  return {
    label: options.label,
    rows: total,
    folds: reports,
    summary: {
      logLoss: wmean((r) => r.logLoss),
      priorLogLoss: wmean((r) => r.priorLogLoss),
      accuracy: wmean((r) => r.accuracy),
      hitRateLong: wmean((r) => r.topDecileLong.hitRate),
      profitFactorLong: wmean((r) => r.topDecileLong.profitFactor),
      avgReturnLong: wmean((r) => r.topDecileLong.avgReturn),
    },
    lastModel,
  };
}

/** A plain-text table of the report, one line per fold. */
export function formatWalkForward(r: WalkForwardReport): string {
  const f = (v: number, d = 4): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));
  const lines = [
    `Walk-forward on ${r.label}: ${r.folds.length} folds, ${r.rows} test rows (all out of sample)`,
    'fold  test          rows  logloss  prior    acc     brier   ece     prec0/rec0   prec1/rec1   p@50    top10% long: hit  avgRet     PF      calib',
  ];
  for (const x of r.folds) {
    const c = x.classes;
    lines.push(
      [
        String(x.index).padEnd(5),
        (x.testPeriods[0] ?? '').padEnd(13),
        String(x.testRows).padStart(5),
        f(x.logLoss).padStart(8),
        f(x.priorLogLoss).padStart(8),
        f(x.accuracy, 3).padStart(7),
        f(x.brier).padStart(7),
        f(x.ece, 3).padStart(7),
        `${f(c.precision[0] ?? NaN, 2)}/${f(c.recall[0] ?? NaN, 2)}`.padStart(12),
        `${f(c.precision[1] ?? NaN, 2)}/${f(c.recall[1] ?? NaN, 2)}`.padStart(12),
        f(x.precisionAt50, 2).padStart(7),
        f(x.topDecileLong.hitRate, 3).padStart(20),
        f(x.topDecileLong.avgReturn, 6).padStart(10),
        f(x.topDecileLong.profitFactor, 2).padStart(7),
        x.calibration.padStart(9),
      ].join(' '),
    );
  }
  lines.push(
    `mean: logloss ${f(r.summary.logLoss)} vs prior ${f(r.summary.priorLogLoss)}, accuracy ${f(r.summary.accuracy, 3)}, top-decile long hit ${f(r.summary.hitRateLong, 3)}, avg return ${f(r.summary.avgReturnLong, 6)}, PF ${f(r.summary.profitFactorLong, 2)}`,
  );
  return lines.join('\n');
}
