// The nightly daily-context model: after each session's close, rebuild a dataset from every stored
// daily bar (the 9 pre-open daily-context values → did the day close above the prior close), train
// a shallow GBDT, judge it on the newest held-out days, and promote it only on a real improvement.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { NyseCalendar } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import type { Clock } from '../engine/clock';
import { SessionJob } from '../engine/session-scheduler';
import type { FeatureSpecId } from '../features/spec';
import { dailyContext, type DailyBar } from '../features/streaming';
import type { HistoryStore } from '../store/history-store';
import { startWorker } from '../workers/launch';
import type { TrainJob, TrainWorkerMessage } from '../workers/train-worker';
import { trainGbdt, type GbdtParams } from './gbdt/trainer';
import { loadModel } from './inference/model-loader';
import { sidecarFor, writeModelDir } from './inference/sidecar';
import { logLoss } from './metrics';
import { exportTreeEnsemble } from './onnx/export-trees';
import type { ModelRegistry } from './registry/registry';
import { meanAbsShap, treeShap } from './shap/tree-shap';
import { predictProba, type TreeEnsemble } from './tree-model';

export const DAILY_PURPOSE = 'daily-context';

/** In the order dailyContext writes them. */
export const DAILY_FEATURE_NAMES = [
  'd_ret_1',
  'd_mom_5',
  'd_mom_10',
  'd_mom_20',
  'd_atr_14_pct',
  'd_sma_20_dist',
  'd_sma_50_dist',
  'd_dollar_vol_5',
  'd_dollar_vol_20',
] as const;
export const DAILY_FEATURE_COUNT = DAILY_FEATURE_NAMES.length;
export const DAILY_FEATURE_SPEC: FeatureSpecId = Object.freeze({ version: 'daily-1.0.0', names: DAILY_FEATURE_NAMES, warmup: 0 });

/** Prior days a row needs: d_mom_20 is the longest look-back that must be defined (SMA 50 may be NaN). */
export const DEFAULT_MIN_PRIOR_DAYS = 21;

// ---------------------------------------------------------------- dataset

/** 1 when the day closed above the prior close, 0 below, NaN when unchanged (no direction to learn). */
export function dailyDirection(prevClose: number, close: number): number {
  return close > prevClose ? 1 : close < prevClose ? 0 : Number.NaN;
}

export interface DailyDataset {
  /** Row-major n × 9 daily-context values (float32, NaN missing), oldest day first. */
  x: Float32Array;
  /** 0/1 direction of the row's day; rows with an unchanged close are left out. */
  y: Float32Array;
  n: number;
  /** Session date of each row (the day whose direction is the label). */
  dates: string[];
  symbols: string[];
}

/** A symbol's stored daily bars as the features read them, oldest first. */
export function storedDays(store: HistoryStore, symbol: string): DailyBar[] {
  return store.loadBars(symbol, '1d').map((b) => ({ date: nyDateKey(b.start), open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));
}

/**
 * One row per day d with `minPriorDays` days before it: the context as a trader sees it before d's
 * open (dailyContext reads only days strictly before d) and the label d's close vs d−1's close.
 */
export function dailyRows(days: readonly DailyBar[], minPriorDays = DEFAULT_MIN_PRIOR_DAYS): { x: number[]; y: number[]; dates: string[] } {
  const x: number[] = [];
  const y: number[] = [];
  const dates: string[] = [];
  const ctx = new Float64Array(DAILY_FEATURE_COUNT);
  for (let i = Math.max(1, minPriorDays); i < days.length; i++) {
    const label = dailyDirection(days[i - 1]!.close, days[i]!.close);
    if (Number.isNaN(label)) continue;
    dailyContext(days, days[i]!.date, ctx, 0);
    for (let f = 0; f < DAILY_FEATURE_COUNT; f++) x.push(Number.isFinite(ctx[f]!) ? ctx[f]! : Number.NaN);
    y.push(label);
    dates.push(days[i]!.date);
  }
  return { x, y, dates };
}

/** Rows of every symbol, ordered by date (then symbol), so a split by date never mixes past and future. */
export function buildDailyDataset(store: HistoryStore, options: { symbols?: readonly string[]; minPriorDays?: number } = {}): DailyDataset {
  const symbols = [...(options.symbols ?? store.symbols('1d'))];
  const rows: Array<{ date: string; s: number; x: number[]; y: number }> = [];
  symbols.forEach((symbol, s) => {
    const r = dailyRows(storedDays(store, symbol), options.minPriorDays);
    for (let i = 0; i < r.y.length; i++) rows.push({ date: r.dates[i]!, s, x: r.x.slice(i * DAILY_FEATURE_COUNT, (i + 1) * DAILY_FEATURE_COUNT), y: r.y[i]! });
  });
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.s - b.s));
  const n = rows.length;
  const x = new Float32Array(n * DAILY_FEATURE_COUNT);
  const y = new Float32Array(n);
  rows.forEach((r, i) => {
    x.set(r.x, i * DAILY_FEATURE_COUNT);
    y[i] = r.y;
  });
  return { x, y, n, dates: rows.map((r) => r.date), symbols };
}

/** First row index of the newest `share` of distinct dates (a cut on a day boundary). */
export function dateCut(dates: readonly string[], from: number, to: number, share: number): number {
  const distinct: string[] = [];
  for (let i = from; i < to; i++) if (distinct[distinct.length - 1] !== dates[i]) distinct.push(dates[i]!);
  const keep = Math.max(1, Math.round(distinct.length * share));
  if (distinct.length <= keep) return from;
  const first = distinct[distinct.length - keep]!;
  let i = from;
  while (i < to && dates[i]! < first) i++;
  return i;
}

// ---------------------------------------------------------------- retrain

export interface DailyRetrainOptions {
  store: HistoryStore;
  registry: ModelRegistry;
  modelsDir: string;
  /** Clock time (epoch ms): model id, created, provenance. */
  now: () => number;
  /** Symbols to learn from; default every symbol with stored daily bars. */
  symbols?: readonly string[];
  minPriorDays?: number;
  /** Newest share of days held out for the promotion decision. Default 0.2. */
  holdoutShare?: number;
  /** Newest share of the remaining days that stops the boosting. Default 0.2. */
  validShare?: number;
  /** Held-out log loss the candidate must gain over both the active model and the prior. Default 0.002. */
  promotionMargin?: number;
  params?: GbdtParams;
  /** Fewer rows than this: nothing is trained. Default 200. */
  minRows?: number;
  /** Train in the train worker from this many rows up (the event loop stays free). Default 20 000. */
  workerRows?: number;
}

export interface DailyRetrainReport {
  rows: number;
  heldOutRows: number;
  heldOutLogLoss: number;
  priorLogLoss: number;
  /** The active daily model on the same held-out rows; null when there is none (or it would not load). */
  activeLogLoss: number | null;
  promoted: boolean;
  /** The registered candidate, or null when nothing was trained. */
  modelId: string | null;
  message: string;
}

export const DEFAULT_DAILY_PARAMS: GbdtParams = Object.freeze({ numRound: 200, maxDepth: 3, eta: 0.05, minChildWeight: 5, maxBin: 64, earlyStoppingRounds: 20, nthread: 1, seed: 1 });

/** Retrains the daily-context model on all stored daily history; registers it and promotes it if it earns it. */
export async function retrainDailyModel(o: DailyRetrainOptions): Promise<DailyRetrainReport> {
  const margin = o.promotionMargin ?? 0.002;
  const params = { ...DEFAULT_DAILY_PARAMS, ...o.params };
  const ds = buildDailyDataset(o.store, { ...(o.symbols ? { symbols: o.symbols } : {}), ...(o.minPriorDays !== undefined ? { minPriorDays: o.minPriorDays } : {}) });
  const none = (message: string): DailyRetrainReport => ({ rows: ds.n, heldOutRows: 0, heldOutLogLoss: Number.NaN, priorLogLoss: Number.NaN, activeLogLoss: null, promoted: false, modelId: null, message });
  if (ds.n < (o.minRows ?? 200)) return none(`only ${ds.n} labelled daily rows; the daily model needs ${o.minRows ?? 200}`);

  const F = DAILY_FEATURE_COUNT;
  const cut = dateCut(ds.dates, 0, ds.n, o.holdoutShare ?? 0.2);
  const fitN = params.earlyStoppingRounds !== undefined ? dateCut(ds.dates, 0, cut, o.validShare ?? 0.2) : cut;
  if (cut === 0 || fitN === 0) return none('too few distinct days to hold any out');
  const hn = ds.n - cut;
  const hx = ds.x.subarray(cut * F);
  const hy = ds.y.subarray(cut);

  const job: Extract<TrainJob, { kind: 'train' }> = {
    kind: 'train',
    x: ds.x.slice(0, fitN * F),
    y: ds.y.slice(0, fitN),
    n: fitN,
    f: F,
    featureNames: [...DAILY_FEATURE_NAMES],
    params,
    ...(fitN < cut ? { valid: { x: ds.x.slice(fitN * F, cut * F), y: ds.y.slice(fitN, cut), n: cut - fitN } } : {}),
  };
  const model = ds.n >= (o.workerRows ?? 20_000) ? await trainInWorker(job) : await trainHere(job);

  const candidateP = positive(predictProba(model, hx, hn), hn, 2);
  if (candidateP.some((v) => !Number.isFinite(v))) throw new Error('the daily model gives non-finite probabilities on the held-out days; not registered');
  const heldOutLogLoss = logLoss(hy, candidateP);
  let base = 0;
  for (let i = 0; i < cut; i++) base += ds.y[i]!;
  base = Math.min(1 - 1e-6, Math.max(1e-6, base / cut));
  const priorLogLoss = logLoss(hy, new Float64Array(hn).fill(base));
  const active = o.registry.active(DAILY_PURPOSE);
  const activeLogLoss = active ? await onnxLogLoss(active.dir, hx, hy, hn) : null;

  const sample = Math.min(hn, 300);
  const shap = treeShap(model, hx.subarray(0, sample * F), sample);
  const importance = Object.fromEntries(meanAbsShap(shap, DAILY_FEATURE_NAMES).map((f) => [f.feature, f.meanAbsShap]));

  const id = uniqueId(o.registry, `daily-${new Date(o.now()).toISOString().replace(/[-:]/g, '').slice(0, 15)}`);
  const dir = join(o.modelsDir, id);
  await mkdir(o.modelsDir, { recursive: true });
  const metrics = { heldOutLogLoss, priorLogLoss, activeLogLoss, heldOutRows: hn, trainRows: cut, heldOutFrom: ds.dates[cut]!, heldOutTo: ds.dates[ds.n - 1]!, symbols: ds.symbols.length };
  const dayStart = (d: string): number => Date.parse(`${d}T00:00:00Z`);
  const sidecar = await writeModelDir(
    dir,
    exportTreeEnsemble(model, { metadata: { modelId: id, purpose: DAILY_PURPOSE } }),
    sidecarFor('tree', model, DAILY_FEATURE_SPEC, {
      modelId: id,
      trainingWindow: { from: dayStart(ds.dates[0]!), to: dayStart(ds.dates[cut - 1]!) },
      metrics,
      params: { ...params, rows: cut },
      created: o.now(),
      parentId: active?.id ?? null,
    }),
  );
  o.registry.register({
    id,
    purpose: DAILY_PURPOSE,
    kind: 'tree',
    dir,
    sha256: sidecar.onnxSha256,
    specVersion: DAILY_FEATURE_SPEC.version,
    dataFrom: ds.dates[0]!,
    dataTo: ds.dates[cut - 1]!,
    params: { ...params },
    metrics,
    importance,
    parentId: active?.id ?? null,
    note: 'nightly daily-context retrain',
  });
  // Worse than the constant base rate is no edge, whatever the active model scores.
  const bar = Math.min(activeLogLoss ?? Number.POSITIVE_INFINITY, priorLogLoss);
  const promoted = heldOutLogLoss < bar - margin;
  const fmt = (v: number | null): string => (v !== null && Number.isFinite(v) ? v.toFixed(4) : 'none');
  const versus = `held-out log loss ${fmt(heldOutLogLoss)} on ${hn} rows vs active ${fmt(activeLogLoss)}, prior ${fmt(priorLogLoss)}`;
  if (promoted) o.registry.promote(id, versus);
  return {
    rows: ds.n,
    heldOutRows: hn,
    heldOutLogLoss,
    priorLogLoss,
    activeLogLoss,
    promoted,
    modelId: id,
    message: promoted ? `daily model promoted: ${versus}` : `daily model kept as a candidate: ${versus} (needs ${margin} better than both)`,
  };
}

function positive(p: ArrayLike<number>, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = p[i * k + (k - 1)]!;
  return out;
}

function uniqueId(registry: ModelRegistry, base: string): string {
  let id = base;
  for (let i = 2; registry.get(id); i++) id = `${base}-${i}`;
  return id;
}

/** The active model judged through onnxruntime, as it would score live; null when it will not load. */
async function onnxLogLoss(dir: string, hx: Float32Array, hy: Float32Array, hn: number): Promise<number | null> {
  const loaded = await loadModel(dir, DAILY_FEATURE_SPEC, { providers: ['cpu'], intraOpThreads: 1 });
  if (!loaded.ok) return null;
  const m = loaded.model;
  try {
    const out = await m.session.run({ [m.inputName]: new ort.Tensor('float32', Float32Array.from(hx), [hn, DAILY_FEATURE_COUNT]) }, [m.probabilitiesName]);
    const p = out[m.probabilitiesName]!.data as Float32Array;
    const loss = logLoss(hy, positive(p, hn, m.numClasses));
    return Number.isFinite(loss) ? loss : null;
  } catch {
    return null;
  } finally {
    await m.session.release().catch(() => undefined);
  }
}

async function trainHere(job: Extract<TrainJob, { kind: 'train' }>): Promise<TreeEnsemble> {
  const r = await trainGbdt(
    { x: job.x, y: job.y, n: job.n, f: job.f, featureNames: job.featureNames },
    job.params,
    job.valid ? { x: job.valid.x, y: job.valid.y, n: job.valid.n, f: job.f } : undefined,
  );
  return r.model;
}

/** The same 'train' job the intraday retrain runs, in the train worker. */
export function trainInWorker(job: Extract<TrainJob, { kind: 'train' }>): Promise<TreeEnsemble> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('train-worker', job);
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (m: TrainWorkerMessage) => {
      if (m.type === 'trained') finish(() => resolve(m.model));
      else if (m.type === 'failed') finish(() => reject(new Error(m.message)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the training worker stopped (exit ${code})`))));
  });
}

// ---------------------------------------------------------------- schedule

export interface NightlyOptions {
  /** Time after each regular close (13:00 on early closes) to run. Default 30 minutes. */
  afterCloseMs?: number;
  /** Called when a run throws, or when a waiting session is superseded by a newer one. */
  onError?: (sessionDate: string, error: unknown) => void;
}

/**
 * Runs `run(sessionDate)` once after each trading session's close, calendar-aware (holidays and
 * early closes). One timer at a time: it re-arms for the next session as it fires, so a session is
 * never run twice; a session that comes due while a run is still going runs after it (only the
 * newest such session: the retrain reads all history, so an older waiting one adds nothing).
 */
export class NightlyJob extends SessionJob {
  constructor(clock: Clock, calendar: NyseCalendar, run: (sessionDate: string) => Promise<void>, options: NightlyOptions = {}) {
    const afterCloseMs = options.afterCloseMs ?? 30 * 60_000;
    if (!(afterCloseMs >= 0 && afterCloseMs < 4 * 3_600_000)) throw new RangeError(`afterCloseMs must be in [0, 4 h), got ${afterCloseMs}`);
    super(clock, calendar, {
      moment: { anchor: 'close', offsetMs: afterCloseMs },
      run,
      serial: true,
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }
}

/** Starts a NightlyJob; returns its cancel. */
export function scheduleNightly(clock: Clock, calendar: NyseCalendar, run: (sessionDate: string) => Promise<void>, options: NightlyOptions = {}): () => void {
  const job = new NightlyJob(clock, calendar, run, options);
  job.start();
  return () => job.stop();
}
