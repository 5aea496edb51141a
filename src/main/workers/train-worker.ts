// Worker thread that trains one gradient-boosted model (the cockpit's thread never blocks on it) or
// runs a walk-forward evaluation over stored history.
import { parentPort, workerData } from 'node:worker_threads';
import { trainGbdt, type GbdtParams } from '../ml/gbdt/trainer';
import { predictProba, type TreeEnsemble } from '../ml/tree-model';
import { meanAbsShap, treeShap } from '../ml/shap/tree-shap';
import { NyseCalendar } from '../calendar/nyse';
import { buildDataset } from '../features/dataset';
import { openDatabase } from '../store/database';
import { HistoryStore } from '../store/history-store';
import { walkForward, type WalkForwardReport } from '../ml/walk-forward';

export type TrainJob =
  | {
      kind: 'train';
      x: Float32Array;
      y: Float32Array;
      n: number;
      f: number;
      featureNames: string[];
      params: GbdtParams;
      /** Early-stopping rows (the newest part of the training window). */
      valid?: { x: Float32Array; y: Float32Array; n: number };
      /**
       * Held-out rows the trained model is judged on: the worker scores them (P(up) per row) and takes the
       * global importance (mean |SHAP|) on the first `importanceRows`, so the engine's thread does neither.
       */
      holdout?: { x: Float32Array; n: number; importanceRows: number; active?: TreeEnsemble };
    }
  | {
      kind: 'walk-forward';
      dbPath: string;
      nativeBinding?: string;
      symbols: string[];
      from: string;
      to: string;
      period: 'day' | 'week' | 'month';
      trainPeriods: number;
      vix?: Array<{ date: string; close: number }>;
    };

export type TrainWorkerMessage =
  | { type: 'progress'; fraction: number; phase: string }
  | { type: 'trained'; model: TreeEnsemble; seconds: number; holdout?: HoldoutScores }
  | { type: 'report'; report: Omit<WalkForwardReport, 'lastModel'> }
  | { type: 'failed'; message: string };

/** The trained model (and the active one, when sent) on the held-out rows. */
export interface HoldoutScores {
  probUp: Float64Array;
  /** The active model's P(up) on the same rows, when the job carried it. */
  activeProbUp?: Float64Array;
  importance: Record<string, number>;
}

const probUpOf = (model: TreeEnsemble, x: Float32Array, n: number): Float64Array => {
  const p = predictProba(model, x, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = p[i * 2 + 1]!;
  return out;
};

const job = workerData as TrainJob & { __entry?: string };
const post = (m: TrainWorkerMessage): void => parentPort!.postMessage(m);

async function run(): Promise<void> {
  if (job.kind === 'train') {
    post({ type: 'progress', fraction: 0.05, phase: `training on ${job.n} rows` });
    const result = await trainGbdt(
      { x: job.x, y: job.y, n: job.n, f: job.f, featureNames: job.featureNames },
      job.params,
      job.valid ? { x: job.valid.x, y: job.valid.y, n: job.valid.n, f: job.f } : undefined,
    );
    if (!job.holdout) {
      post({ type: 'trained', model: result.model, seconds: result.seconds });
      return;
    }
    const { x, n, importanceRows, active } = job.holdout;
    post({ type: 'progress', fraction: 0.9, phase: `scoring ${n} held-out rows` });
    const sample = Math.min(n, importanceRows);
    const shap = treeShap(result.model, x.subarray(0, sample * job.f), sample);
    const holdout: HoldoutScores = {
      probUp: probUpOf(result.model, x, n),
      importance: Object.fromEntries(meanAbsShap(shap, job.featureNames).map((f) => [f.feature, f.meanAbsShap])),
    };
    if (active) holdout.activeProbUp = probUpOf(active, x, n);
    post({ type: 'trained', model: result.model, seconds: result.seconds, holdout });
    return;
  }
  const db = openDatabase(job.dbPath, job.nativeBinding ? { nativeBinding: job.nativeBinding, readonly: true } : { readonly: true });
  try {
    post({ type: 'progress', fraction: 0.05, phase: 'building the dataset' });
    const ds = buildDataset(new HistoryStore(db), new NyseCalendar(), { symbols: job.symbols, from: job.from, to: job.to, ...(job.vix ? { vix: job.vix } : {}) });
    const report = await walkForward(ds, {
      label: 'label_up_1',
      forwardReturn: 'fwd_ret_1',
      period: job.period,
      window: 'rolling',
      trainPeriods: job.trainPeriods,
      params: { numRound: 100, maxDepth: 4, eta: 0.05, maxBin: 128, nthread: 1, seed: 1 },
      cost: 0.0002,
      onFold: (done, total) => post({ type: 'progress', fraction: 0.1 + (0.9 * done) / Math.max(1, total), phase: `fold ${done} of ${total}` }),
    });
    const { lastModel: _unused, ...plain } = report;
    post({ type: 'report', report: plain });
  } finally {
    db.close();
  }
}

run().catch((error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
