// Continuous learning during the session: every feature row waits for its label (the next bar of the
// same symbol in the same session), labelled rows collect in a rolling window, and on a schedule a
// new model trains in a worker thread. It is promoted only if it beats the active model on the most
// recent out-of-sample rows by the configured margin; otherwise it stays a candidate. Promotions,
// refusals and drift are events the cockpit shows. The active model scores every minute's rows in one
// batched call: through the compiled tree predictor when every ensemble member has one (synchronous,
// checked against onnxruntime when the model was activated), else through onnxruntime.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventPayload, ResponseOf } from '../../shared/contract';
import type { Clock, CancelTimer } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import type { EngineBus } from '../engine/topics';
import type { FeatureRow } from '../features/feature-engine';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SPEC, FEATURES } from '../features/spec';
import type { Logger } from '../logging/logger';
import { startWorker } from '../workers/launch';
import type { HoldoutScores, TrainJob, TrainWorkerMessage } from '../workers/train-worker';
import { buildDriftReference, driftedFeatures, featureDrift, type DriftReference } from './drift';
import { averageProbabilities, ensembleWeights } from './ensemble';
import type { GbdtParams } from './gbdt/trainer';
import { sidecarFor, writeModelDir } from './inference/sidecar';
import type { InferenceService } from './inference/inference-service';
import { logLoss } from './metrics';
import { exportTreeEnsemble } from './onnx/export-trees';
import { DEFAULT_KEEP_RECENT, type ModelRecord, type ModelRegistry } from './registry/registry';
import { topContributors, treeShap } from './shap/tree-shap';
import type { TreeEnsemble } from './tree-model';
import type { Scores } from '../../shared/messages';
export type { Scores } from '../../shared/messages';

export const INTRADAY_PURPOSE = 'intraday-direction';

export interface LearningOptions {
  modelsDir: string;
  retrainEveryMinutes: number;
  /** Log-loss improvement on the latest out-of-sample rows needed for a promotion. */
  promotionMargin: number;
  minRows: number;
  maxRows: number;
  /** Share of the newest labelled rows held out to compare candidate and active models. */
  holdoutShare: number;
  params: GbdtParams;
  /** Models per purpose the registry keeps besides the active one and its rollback target (default 20). */
  keepModels?: number;
  /** Models something else still needs (e.g. a backtest run): never pruned. Default: none. */
  isReferenced?: (modelId: string) => boolean;
  /** Retrain on the schedule (default true); false scores with the active (or frozen) model only. */
  retrain?: boolean;
  /**
   * A backtest's training delay: a retrain started at t is judged and may become active only at
   * t + activationDelayMs of clock time, whenever the worker finished, so runs are deterministic. The
   * clock's driver waits at that time for the worker (see `barrier`). Unset (live): as soon as trained.
   */
  activationDelayMs?: number;
  /** Score with this model from the start instead of the registry's active one (a backtest's frozen model). */
  frozenModel?: { id: string; dir: string };
}

/** A retrained model's verdict: promoted (it scores from `decidedAt`) or kept as a candidate. */
export interface ModelVerdict {
  modelId: string;
  /** Clock time the retrain started. */
  trainedAt: number;
  /** Start of the newest bar it was fitted on. */
  trainedThrough: number;
  /** Clock time of the verdict (with a training delay: trainedAt + the delay, exactly). */
  decidedAt: number;
  promoted: boolean;
}

/** Work the simulated clock must wait for: it may not reach `until` before `ready` settles (a backtest's driver awaits it). */
export interface ClockBarrier {
  until: number;
  ready: Promise<void>;
}

export const DEFAULT_LEARNING: Omit<LearningOptions, 'modelsDir'> = {
  retrainEveryMinutes: 30,
  promotionMargin: 0.001,
  minRows: 2_000,
  maxRows: 40_000,
  holdoutShare: 0.2,
  // Conservative for a few thousand noisy rows: shallow trees, big leaves, and early stopping on the
  // newest part of the training window decide how many rounds the data can carry.
  params: {
    objective: 'binary',
    numRound: 300,
    maxDepth: 3,
    eta: 0.05,
    minChildWeight: 20,
    lambda: 5,
    maxBin: 64,
    nthread: 1,
    seed: 1,
    subsample: 0.8,
    colsampleByTree: 0.6,
    earlyStoppingRounds: 20,
  },
};

interface Pending {
  values: Float32Array;
  start: number;
  session: number;
}

const RET_1 = FEATURE_NAMES.indexOf('ret_1');
/** Held-out rows the global importance (mean |SHAP|) of a retrained model is taken on. */
const IMPORTANCE_ROWS = 300;
const SESSION_FEATURES = new Set(FEATURES.filter((f) => f.group === 'session').map((f) => f.name));

export class LearningService extends BaseComponent {
  private readonly pending = new Map<string, Pending>();
  private readonly x: Float32Array;
  private readonly y: Float32Array;
  private readonly t: Float64Array;
  private count = 0; // labelled rows ever added (ring index = count % maxRows)
  private training: { jobId: string } | null = null;
  private cancelSchedule: CancelTimer | null = null;
  private nextRetrainAt: number | null = null;
  private activeModel: TreeEnsemble | null = null;
  private activeId: string | null = null;
  private driftRef: DriftReference | null = null;
  private readonly events: Array<EventPayload<'models.event'>> = [];
  private readonly unsubscribe: Array<() => void> = [];
  private batch: FeatureRow[] = [];
  private batchScheduled = false;
  private jobCounter = 0;
  private rowsAtLastTraining = -1;
  /** Models whose probabilities are averaged: the active one (primary slot) first, then its predecessors. */
  private members: Array<{ id: string; slot: string; weight: number }> = [];
  private nextEnsembleSlot = 0;
  /** A delayed retrain's decision time and what must finish before it (activationDelayMs). */
  private gate: ClockBarrier | null = null;
  private scoring: Promise<void> | null = null;
  /** Every retrain's verdict, with the clock time it was taken (a backtest reports them). */
  private readonly verdicts: ModelVerdict[] = [];

  constructor(
    private readonly bus: EngineBus,
    private readonly clock: Clock,
    private readonly registry: ModelRegistry,
    private readonly inference: InferenceService,
    private readonly log: Logger,
    private readonly options: LearningOptions,
    onStatus: StatusListener,
  ) {
    super('learning', onStatus);
    this.x = new Float32Array(options.maxRows * FEATURE_COUNT);
    this.y = new Float32Array(options.maxRows);
    this.t = new Float64Array(options.maxRows);
  }

  get labelledRows(): number {
    return Math.min(this.count, this.options.maxRows);
  }

  get isTraining(): boolean {
    return this.training !== null;
  }

  protected async onStart(): Promise<void> {
    this.unsubscribe.push(this.bus.subscribe('features.row', (row) => this.onRow(row), 'models'));
    this.pruneModels(true); // no training runs yet: orphan folders are swept too
    // Resume with the model the registry says is active (or the run's frozen one), if its files still load.
    const frozen = this.options.frozenModel;
    const active = frozen ? { id: frozen.id, dir: frozen.dir } : this.registry.active(INTRADAY_PURPOSE);
    if (active) {
      const result = await this.inference.activate(active.dir);
      if (result.ok) {
        this.activeId = active.id;
        this.members = [{ id: active.id, slot: 'primary', weight: 1 }];
      }
      else this.emit('refused', active.id, `the active model ${active.id} did not load: ${result.error.message}; running on rule signals only`);
    }
    if (this.options.retrain === false) return;
    const period = this.options.retrainEveryMinutes * 60_000;
    this.nextRetrainAt = this.clock.now() + period;
    this.cancelSchedule = this.clock.every(period, () => {
      this.nextRetrainAt = this.clock.now() + period;
      // Nothing new since the last retrain (market closed): another model of the same rows is noise.
      if (this.labelledRows >= this.options.minRows && this.count !== this.rowsAtLastTraining) this.retrain('schedule');
    });
  }

  protected onStop(): void {
    this.cancelSchedule?.();
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** What the simulated clock must wait for before it passes `at`: a delayed retrain, a minute's scoring. */
  barrier(): ClockBarrier | null {
    // A minute's scoring finishes before the clock moves past that minute, retrain pending or not: the
    // nearer of the two holds the clock first.
    const scoring = this.scoring ? { until: this.clock.now() + 1, ready: this.scoring } : null;
    if (scoring && this.gate) return scoring.until <= this.gate.until ? scoring : this.gate;
    return scoring ?? this.gate;
  }

  /** The verdict on every model trained this run: when its retrain started, when it was judged, whether it trades. */
  verdictLog(): readonly ModelVerdict[] {
    return this.verdicts;
  }

  recentEvents(): Array<EventPayload<'models.event'>> {
    return [...this.events];
  }

  schedule(): ResponseOf<'models.list'>['learning'] {
    return {
      labelledRows: this.labelledRows,
      retrainEveryMinutes: this.options.retrainEveryMinutes,
      training: this.isTraining,
      nextRetrainAt: this.nextRetrainAt,
      ensemble: this.members.map((m) => ({ modelId: m.id, weight: m.weight })),
    };
  }

  /** The registry's retention policy: ensemble members and referenced models are kept, the rest past the newest N go. */
  private pruneModels(sweepOrphans: boolean): void {
    try {
      const r = this.registry.prune({
        keepRecent: this.options.keepModels ?? DEFAULT_KEEP_RECENT,
        isReferenced: (id) => this.members.some((m) => m.id === id) || this.activeId === id || (this.options.isReferenced?.(id) ?? false),
        modelsDir: this.options.modelsDir,
        sweepOrphans,
      });
      if (r.deleted.length > 0 || r.removedFolders.length > 0) this.log.info('model registry pruned', { deleted: r.deleted.length, folders: r.removedFolders.length });
      if (r.failedFolders.length > 0) this.log.warn('model folders not removed (swept at a later start)', { failed: r.failedFolders });
    } catch (error) {
      this.log.warn('model registry prune failed', { error });
    }
  }

  private emit(kind: EventPayload<'models.event'>['kind'], modelId: string | null, message: string): void {
    const e = { kind, modelId, message, at: this.clock.now() };
    this.events.push(e);
    if (this.events.length > 200) this.events.splice(0, this.events.length - 200);
    this.log.info(`model ${kind}: ${message}`, { modelId });
    this.bus.publish('models.event', e);
  }

  private onRow(row: FeatureRow): void {
    // Regular-session bars (13:30–21:00 UTC) all fall on one UTC day when shifted back 4 hours.
    const session = Math.floor((row.start - 4 * 3_600_000) / 86_400_000);
    const prev = this.pending.get(row.symbol);
    // The label of the previous row of this symbol is now known: did this bar close higher?
    const ret1 = row.values[RET_1]!; // ln(close_t / close_{t-1})
    if (prev && prev.session === session && !Number.isNaN(ret1) && ret1 !== 0) this.addLabelled(prev.values, ret1 > 0 ? 1 : 0, prev.start);
    this.pending.set(row.symbol, { values: Float32Array.from(row.values), start: row.start, session });
    if (this.activeId !== null) {
      // One scoring call per minute: a row of a new minute closes the previous minute's batch.
      if (this.batch.length > 0 && this.batch[0]!.start !== row.start) this.trackScoring(this.scoreBatch());
      this.batch.push({ symbol: row.symbol, start: row.start, values: Float64Array.from(row.values), overlays: new Float64Array(0) });
      if (!this.batchScheduled) {
        this.batchScheduled = true;
        // All bars of a minute arrive together: score them after the current group.
        queueMicrotask(() => {
          this.batchScheduled = false;
          this.trackScoring(this.scoreBatch());
        });
      }
    }
  }

  private trackScoring(run: Promise<void>): void {
    const tracked: Promise<void> = run.finally(() => {
      if (this.scoring === tracked) this.scoring = null;
    });
    this.scoring = tracked;
  }

  private addLabelled(values: Float32Array, label: number, start: number): void {
    const i = this.count % this.options.maxRows;
    this.x.set(values, i * FEATURE_COUNT);
    this.y[i] = label;
    this.t[i] = start;
    this.count++;
  }

  private async scoreBatch(): Promise<void> {
    const rows = this.batch;
    this.batch = [];
    if (rows.length === 0 || !this.inference.hasModel()) return;
    const x = new Float32Array(rows.length * FEATURE_COUNT);
    rows.forEach((r, i) => x.set(r.values, i * FEATURE_COUNT));
    try {
      const n = rows.length;
      // One batched call per member for the whole minute; averaged with the members' weights. When
      // every member has the compiled tree predictor, the minute is scored and published in this
      // turn (no await before the publish); otherwise all of them go through onnxruntime.
      const members = this.members.length > 0 ? this.members : [{ id: this.activeId ?? '', slot: 'primary', weight: 1 }];
      const now: Float32Array[] = [];
      for (const m of members) {
        const scored = this.inference.scoreNow(x, n, m.slot);
        if (!scored) break;
        now.push(scored);
      }
      const outputs = now.length === members.length ? now : await Promise.all(members.map((m) => this.inference.score(x, n, m.slot)));
      const k = outputs[0]!.length / n;
      const p = outputs.length === 1 ? outputs[0]! : averageProbabilities(outputs, members.map((m) => m.weight), n, k);
      const probUp = new Float32Array(n);
      for (let i = 0; i < n; i++) probUp[i] = p[i * k + (k - 1)]!;
      this.bus.publish('models.scores', { start: rows[0]!.start, symbols: rows.map((r) => r.symbol), probUp, modelId: this.activeId ?? '' });
    } catch (error) {
      this.degrade(`scoring failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The labelled window in time order: [oldest … newest]. */
  private window(): { x: Float32Array; y: Float32Array; t: Float64Array; n: number } {
    const n = this.labelledRows;
    const first = this.count > this.options.maxRows ? this.count % this.options.maxRows : 0;
    const x = new Float32Array(n * FEATURE_COUNT);
    const y = new Float32Array(n);
    const t = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const i = (first + j) % this.options.maxRows;
      x.set(this.x.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), j * FEATURE_COUNT);
      y[j] = this.y[i]!;
      t[j] = this.t[i]!;
    }
    return { x, y, t, n };
  }

  /** Starts a retrain in a worker; returns the job id (the running one if a retrain is under way). */
  retrain(reason: string): { jobId: string } {
    if (this.training) return this.training;
    const w = this.window();
    if (w.n < this.options.minRows) {
      throw new Error(`only ${w.n} labelled rows this session; training needs ${this.options.minRows}`);
    }
    const jobId = `train-${++this.jobCounter}`;
    const startedAt = this.clock.now();
    this.training = { jobId };
    this.rowsAtLastTraining = this.count;
    const cut = Math.floor(w.n * (1 - this.options.holdoutShare));
    const progress = (state: 'running' | 'done' | 'failed', fraction: number, phase: string, message: string): void =>
      this.bus.publish('job.progress', { jobId, kind: 'train', state, fraction, phase, message });
    this.emit('training', null, `retraining on ${cut} rows (${reason}); the newest ${w.n - cut} rows are held out`);
    progress('running', 0, 'starting', `retraining the intraday model on ${cut} rows`);
    // Within the training window: the older 80% fit, the newest 20% stop the boosting.
    const fitN = Math.floor(cut * 0.8);
    const early = this.options.params.earlyStoppingRounds !== undefined;
    const job: TrainJob = {
      kind: 'train',
      x: w.x.slice(0, (early ? fitN : cut) * FEATURE_COUNT),
      y: w.y.slice(0, early ? fitN : cut),
      n: early ? fitN : cut,
      f: FEATURE_COUNT,
      featureNames: [...FEATURE_NAMES],
      params: this.options.params,
      ...(early ? { valid: { x: w.x.slice(fitN * FEATURE_COUNT, cut * FEATURE_COUNT), y: w.y.slice(fitN, cut), n: cut - fitN } } : {}),
      holdout: { x: w.x.slice(cut * FEATURE_COUNT, w.n * FEATURE_COUNT), n: w.n - cut, importanceRows: IMPORTANCE_ROWS, ...(this.activeModel ? { active: this.activeModel } : {}) },
    };
    const judgedActive = this.activeModel;
    const worker = startWorker('train-worker', job);
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      this.training = null;
      delayed?.trained(null);
      progress('failed', 1, 'failed', `retrain failed: ${message}`);
      this.emit('failed', null, `retrain failed: ${message}`);
    };
    worker.on('message', (m: TrainWorkerMessage) => {
      if (m.type === 'progress') progress('running', m.fraction * 0.8, m.phase, m.phase);
      else if (m.type === 'failed') fail(m.message);
      else if (m.type === 'trained') {
        if (!m.holdout) {
          fail('the training worker did not score the held-out rows');
          void worker.terminate();
          return;
        }
        settled = true;
        const judge = (): Promise<void> => {
          // The active model changed meanwhile (a promotion by hand): it is scored again, through onnxruntime.
          const scored: HoldoutScores = this.activeModel === judgedActive ? m.holdout! : { probUp: m.holdout!.probUp, importance: m.holdout!.importance };
          return this.decide(m.model, m.seconds, scored, w, cut, reason, jobId, startedAt)
            .then(() => progress('done', 1, 'done', 'retrain finished'))
            .catch((error: unknown) => {
              progress('failed', 1, 'failed', `retrain failed: ${error instanceof Error ? error.message : String(error)}`);
              this.emit('failed', null, `retrain failed: ${error instanceof Error ? error.message : String(error)}`);
            })
            .finally(() => {
              this.training = null;
              void worker.terminate();
            });
        };
        if (delayed) delayed.trained(judge);
        else void judge();
      }
    });
    worker.on('error', (e) => fail(e.message));
    worker.on('exit', (code) => {
      if (!settled) fail(`the training worker stopped (exit ${code})`);
    });
    const delayed = this.options.activationDelayMs !== undefined ? this.delayDecision(startedAt + this.options.activationDelayMs) : null;
    return { jobId };
  }

  /**
   * A backtest's training delay: the retrain's verdict is taken at `at` on the clock, never earlier
   * (however fast the worker was) and never later (the clock's driver waits at `at` for the worker,
   * then for the verdict), so the same run always activates the same model on the same bar.
   */
  private delayDecision(at: number): { trained: (judge: (() => Promise<void>) | null) => void } {
    let judgeFn: (() => Promise<void>) | null = null;
    let markTrained: () => void = () => {};
    const trained = new Promise<void>((resolve) => (markTrained = resolve));
    // The worker must have finished before the clock reaches `at`; the verdict before it passes `at`.
    const waiting: ClockBarrier = { until: at, ready: trained };
    this.gate = waiting;
    const release = (mine: ClockBarrier): void => {
      if (this.gate === mine) this.gate = null;
    };
    this.clock.at(at, () => {
      if (!judgeFn) return; // the retrain failed: nothing to judge
      const judging: ClockBarrier = { until: at + 1, ready: judgeFn().finally(() => release(judging)) };
      this.gate = judging;
    });
    return {
      trained: (judge) => {
        judgeFn = judge;
        // A failed retrain holds nothing back; a trained one holds the clock until its verdict at `at`.
        if (!judge) release(waiting);
        else waiting.until = at + 1;
        markTrained();
      },
    };
  }

  /** Candidate vs active on the same newest held-out rows; promote only on a real improvement. */
  private async decide(
    model: TreeEnsemble,
    seconds: number,
    scored: HoldoutScores,
    w: { x: Float32Array; y: Float32Array; t: Float64Array; n: number },
    cut: number,
    reason: string,
    jobId: string,
    startedAt: number,
  ): Promise<void> {
    const hx = w.x.subarray(cut * FEATURE_COUNT, w.n * FEATURE_COUNT);
    const hy = w.y.subarray(cut, w.n);
    const hn = w.n - cut;
    // Scored in the training worker: predicting and explaining the held-out rows is as heavy as a
    // small training, and this thread serves the bus and the cockpit.
    const candidateP = scored.probUp;
    if (candidateP.length !== hn) throw new Error(`the training worker scored ${candidateP.length} held-out rows, not ${hn}; not registered`);
    if (candidateP.some((v) => !Number.isFinite(v))) throw new Error('the trained model gives non-finite probabilities on the held-out rows; not registered');
    const candidateLoss = logLoss(hy, candidateP);
    // The active model is judged through the same onnxruntime session that trades with it, so a
    // model loaded from disk (or promoted by hand) is compared just like one trained this session.
    const activeLoss = await this.activeHoldoutLoss(scored, hx, hy, hn);
    let base = 0;
    for (let i = 0; i < cut; i++) base += w.y[i]!;
    base = Math.min(1 - 1e-6, Math.max(1e-6, base / cut));
    const priorLoss = logLoss(hy, new Float64Array(hn).fill(base));

    // Global importance: mean |SHAP| on a sample of the held-out rows (computed in the worker).
    const importance = scored.importance;

    const id = `intraday-${new Date(this.clock.now()).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${jobId}`;
    const dir = join(this.options.modelsDir, id);
    await mkdir(this.options.modelsDir, { recursive: true });
    const sidecar = await writeModelDir(
      dir,
      exportTreeEnsemble(model),
      sidecarFor('tree', model, FEATURE_SPEC, {
        modelId: id,
        trainingWindow: { from: w.t[0]!, to: w.t[cut - 1]! },
        metrics: { holdoutLogLoss: candidateLoss, activeHoldoutLogLoss: Number.isFinite(activeLoss) ? activeLoss : null, priorLogLoss: priorLoss, holdoutRows: hn, trainSeconds: seconds },
        params: { ...this.options.params, rows: cut },
        created: this.clock.now(),
        parentId: this.activeId,
      }),
    );
    // A model must beat both the active one and the constant base rate: worse than the prior is no edge.
    const bar = Math.min(activeLoss, priorLoss);
    const beats = candidateLoss < bar - this.options.promotionMargin;
    const record: ModelRecord = this.registry.register({
      id,
      purpose: INTRADAY_PURPOSE,
      kind: 'tree',
      dir,
      sha256: sidecar.onnxSha256,
      specVersion: FEATURE_SPEC.version,
      dataFrom: new Date(w.t[0]!).toISOString().slice(0, 10),
      dataTo: new Date(w.t[cut - 1]!).toISOString().slice(0, 10),
      params: { ...this.options.params },
      metrics: { holdoutLogLoss: candidateLoss, activeHoldoutLogLoss: Number.isFinite(activeLoss) ? activeLoss : null, priorLogLoss: priorLoss, holdoutRows: hn, reason },
      importance,
      parentId: this.activeId,
      note: '',
    });
    const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : 'none');
    const verdict = { modelId: record.id, trainedAt: startedAt, trainedThrough: w.t[cut - 1]!, decidedAt: this.clock.now() };
    if (!beats) {
      this.verdicts.push({ ...verdict, promoted: false });
      // The members' weights still follow the newest out-of-sample rows.
      await this.reweight(hx, hy, hn);
      this.emit('candidate', record.id, `kept as a candidate: held-out log loss ${fmt(candidateLoss)} vs active ${fmt(activeLoss)}, prior ${fmt(priorLoss)} (needs ${this.options.promotionMargin} better than both)`);
      this.pruneModels(false);
      return;
    }
    // The model being replaced keeps voting in the ensemble, in its own slot (at most 3 members).
    const previous = this.activeId ? this.registry.get(this.activeId) : null;
    const activation = await this.inference.activate(dir);
    if (!activation.ok) {
      this.verdicts.push({ ...verdict, promoted: false });
      this.emit('refused', record.id, `trained but refused by the inference service: ${activation.error.message}`);
      this.pruneModels(false);
      return;
    }
    const kept = this.members.filter((m) => m.slot !== 'primary').slice(0, 1);
    if (previous) {
      const slot = `ensemble-${this.nextEnsembleSlot++ % 2}`;
      const loaded = await this.inference.activate(previous.dir, slot);
      if (loaded.ok) kept.unshift({ id: previous.id, slot, weight: 0 });
    }
    for (const m of this.members) if (m.slot !== 'primary' && !kept.some((k2) => k2.slot === m.slot)) await this.inference.deactivate(m.slot);
    this.members = [{ id: record.id, slot: 'primary', weight: 1 }, ...kept.filter((k2, i, all) => all.findIndex((o) => o.slot === k2.slot) === i)];
    this.registry.promote(record.id, `held-out log loss ${fmt(candidateLoss)} vs active ${fmt(activeLoss)}, prior ${fmt(priorLoss)}`);
    this.activeModel = model;
    this.activeId = record.id;
    this.verdicts.push({ ...verdict, promoted: true });
    this.driftRef = buildDriftReference(
      Array.from({ length: FEATURE_COUNT }, (_, f) => Float32Array.from({ length: cut }, (_, i) => w.x[i * FEATURE_COUNT + f]!)),
      FEATURE_NAMES,
    );
    await this.reweight(hx, hy, hn);
    this.emit(
      'promoted',
      record.id,
      `promoted: held-out log loss ${fmt(candidateLoss)} vs active ${fmt(activeLoss)} (prior ${fmt(priorLoss)}); ensemble weights ${this.members.map((m) => `${m.id.slice(-12)} ${m.weight.toFixed(2)}`).join(', ')}`,
    );
    this.checkDrift(w, cut);
    this.pruneModels(false);
  }

  private async activeHoldoutLoss(scored: HoldoutScores, hx: Float32Array, hy: Float32Array, hn: number): Promise<number> {
    // An active model trained this session was scored beside the candidate in the worker.
    if (scored.activeProbUp?.length === hn) return logLoss(hy, scored.activeProbUp);
    if (!this.inference.hasModel()) return Number.POSITIVE_INFINITY;
    try {
      const p = await this.inference.score(Float32Array.from(hx), hn);
      const k = p.length / hn;
      const out = new Float64Array(hn);
      for (let i = 0; i < hn; i++) out[i] = p[i * k + (k - 1)]!;
      return logLoss(hy, out);
    } catch (error) {
      this.log.warn('could not score the active model on the held-out rows', { error });
      return Number.POSITIVE_INFINITY;
    }
  }

  /**
   * The features that pushed the active model's P(up) for one row, from exact TreeSHAP (signal
   * reasons). Empty when the active model was loaded from disk rather than trained this session.
   */
  explainRow(values: ArrayLike<number>, k = 3): string[] {
    if (!this.activeModel) return [];
    const shap = treeShap(this.activeModel, Float64Array.from(values), 1);
    return topContributors(shap, FEATURE_NAMES, k).map((c) => `${c.feature} ${c.value >= 0 ? '+' : '−'}${Math.abs(c.value).toFixed(3)} (SHAP)`);
  }

  /** Re-estimates the ensemble weights from each member's log loss on the newest held-out rows. */
  private async reweight(hx: Float32Array, hy: Float32Array, hn: number): Promise<void> {
    if (this.members.length <= 1) {
      for (const m of this.members) m.weight = 1;
      return;
    }
    const losses = await Promise.all(
      this.members.map(async (m) => {
        try {
          const p = await this.inference.score(Float32Array.from(hx), hn, m.slot);
          const k = p.length / hn;
          return logLoss(hy, Float64Array.from({ length: hn }, (_, i) => p[i * k + (k - 1)]!));
        } catch {
          return Number.NaN;
        }
      }),
    );
    ensembleWeights(losses).forEach((w, i) => (this.members[i]!.weight = w));
  }

  /** The trader promoted or rolled back by hand: this is the model to beat from now on. */
  adopt(record: ModelRecord, how: 'promoted' | 'rolled-back'): void {
    this.activeId = record.id;
    this.activeModel = null; // judged through onnxruntime from now on
    // A hand-picked model trades alone until the next retrain re-forms the ensemble around it.
    for (const m of this.members) if (m.slot !== 'primary') void this.inference.deactivate(m.slot);
    this.members = [{ id: record.id, slot: 'primary', weight: 1 }];
    this.emit(how, record.id, how === 'promoted' ? `${record.id} promoted by the trader` : `rolled back to ${record.id}`);
  }

  /** PSI of the held-out (newest) rows against the new model's training rows: an alert when features moved. */
  private checkDrift(w: { x: Float32Array; n: number }, cut: number): void {
    if (!this.driftRef) return;
    const recent = Array.from({ length: FEATURE_COUNT }, (_, f) => Float32Array.from({ length: w.n - cut }, (_, i) => w.x[(cut + i) * FEATURE_COUNT + f]!));
    // Session-clock features (minutes since the open, the opening range) move with the time of day by
    // construction: comparing a morning with an afternoon is not drift.
    const drifted = driftedFeatures(featureDrift(this.driftRef, recent), 'alert').filter((name) => !SESSION_FEATURES.has(name));
    if (drifted.length > 0) this.emit('drift', this.activeId, `feature drift (PSI > 0.25) in ${drifted.slice(0, 8).join(', ')}${drifted.length > 8 ? ', …' : ''}`);
  }
}
