// Reads a walk-forward job's `result`. The contract types it as unknown, and it crossed JSON on the
// way (NaN and ±Infinity arrive as null), so it is narrowed field by field: a metric that is not a
// finite number reads as NaN ("not measured"), a fold without an index is left out and counted, and
// anything that is not a report at all gives null.

export interface SignalStatsView {
  /** Signals taken (the top decile of scored rows). */
  count: number;
  hitRate: number;
  /** Mean trade return after costs, in return units (0.0001 = 1 bp). */
  avgReturn: number;
  /** NaN when unknown: the engine's Infinity (no losing trade) also arrives as null. */
  profitFactor: number;
}

/** Per class (0 = down, 1 = up for `label_up_1`); NaN where the class was never predicted or never true. */
export interface ClassMetricsView {
  precision: readonly number[];
  recall: readonly number[];
  f1: readonly number[];
  support: readonly number[];
}

export interface ReliabilityBinView {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observed: number;
}

export interface WalkForwardFold {
  index: number;
  testPeriods: readonly string[];
  trainRows: number;
  testRows: number;
  purged: number;
  embargoed: number;
  logLoss: number;
  priorLogLoss: number;
  accuracy: number;
  brier: number;
  ece: number;
  classes: ClassMetricsView;
  precisionAt50: number;
  topDecileLong: SignalStatsView;
  topDecileShort: SignalStatsView;
  reliability: readonly ReliabilityBinView[];
  /** 'none', 'platt' or 'isotonic' as the engine names it; '' when not said. */
  calibration: string;
  trees: number;
}

export interface WalkForwardSummary {
  logLoss: number;
  priorLogLoss: number;
  accuracy: number;
  hitRateLong: number;
  profitFactorLong: number;
  avgReturnLong: number;
}

export interface WalkForwardReport {
  label: string;
  /** Out-of-sample rows over all folds. */
  rows: number;
  folds: readonly WalkForwardFold[];
  summary: WalkForwardSummary;
  /** Folds the engine sent that could not be read (no index): said, never silently dropped. */
  unreadableFolds: number;
}

type Fields = Record<string, unknown>;

const isFields = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const metric = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const metrics = (v: unknown): number[] => (Array.isArray(v) ? v.map(metric) : []);
const fieldsOf = (v: unknown): Fields => (isFields(v) ? v : {});

function signalStats(v: unknown): SignalStatsView {
  const s = fieldsOf(v);
  return { count: metric(s.count), hitRate: metric(s.hitRate), avgReturn: metric(s.avgReturn), profitFactor: metric(s.profitFactor) };
}

function classMetrics(v: unknown): ClassMetricsView {
  const c = fieldsOf(v);
  return { precision: metrics(c.precision), recall: metrics(c.recall), f1: metrics(c.f1), support: metrics(c.support) };
}

function reliability(v: unknown): ReliabilityBinView[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isFields).map((b) => ({
    lower: metric(b.lower),
    upper: metric(b.upper),
    // An empty bin has count 0 and NaN means; a missing count is read as empty too.
    count: Number.isFinite(metric(b.count)) ? metric(b.count) : 0,
    meanPredicted: metric(b.meanPredicted),
    observed: metric(b.observed),
  }));
}

function readFold(v: unknown): WalkForwardFold | null {
  if (!isFields(v)) return null;
  const index = metric(v.index);
  if (!Number.isInteger(index)) return null;
  return {
    index,
    testPeriods: Array.isArray(v.testPeriods) ? v.testPeriods.filter((p): p is string => typeof p === 'string') : [],
    trainRows: metric(v.trainRows),
    testRows: metric(v.testRows),
    purged: metric(v.purged),
    embargoed: metric(v.embargoed),
    logLoss: metric(v.logLoss),
    priorLogLoss: metric(v.priorLogLoss),
    accuracy: metric(v.accuracy),
    brier: metric(v.brier),
    ece: metric(v.ece),
    classes: classMetrics(v.classes),
    precisionAt50: metric(v.precisionAt50),
    topDecileLong: signalStats(v.topDecileLong),
    topDecileShort: signalStats(v.topDecileShort),
    reliability: reliability(v.reliability),
    calibration: text(v.calibration),
    trees: metric(v.trees),
  };
}

export function readWalkForwardReport(result: unknown): WalkForwardReport | null {
  if (!isFields(result) || !Array.isArray(result.folds)) return null;
  const folds: WalkForwardFold[] = [];
  let unreadableFolds = 0;
  for (const raw of result.folds) {
    const fold = readFold(raw);
    if (fold) folds.push(fold);
    else unreadableFolds++;
  }
  const s = fieldsOf(result.summary);
  const rows = metric(result.rows);
  return {
    label: text(result.label),
    rows: Number.isFinite(rows) ? rows : folds.reduce((sum, f) => sum + (Number.isFinite(f.testRows) ? f.testRows : 0), 0),
    folds,
    summary: {
      logLoss: metric(s.logLoss),
      priorLogLoss: metric(s.priorLogLoss),
      accuracy: metric(s.accuracy),
      hitRateLong: metric(s.hitRateLong),
      profitFactorLong: metric(s.profitFactorLong),
      avgReturnLong: metric(s.avgReturnLong),
    },
    unreadableFolds,
  };
}
