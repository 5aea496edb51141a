// Holds the active model(s) and scores each bar's feature rows for all symbols in one batched call.
// A new model replaces the active one only after it loads and verifies; a refused model leaves the
// previous one running and records why. Sessions still scoring when replaced are released only
// after their last call returns. One service per engine (no module-level state).
//
// A tree model also gets a synchronous path: its TreeEnsembleClassifier is read back from the very
// model.onnx onnxruntime loaded (import-trees.ts) and compiled to WebAssembly (fast-predict.ts), so
// scoreNow answers in the calling turn. onnxruntime stays the reference: at activation both score
// the same probe rows (thresholds of the model nudged either way, NaN, ±Infinity, zeros) and the
// fast path is kept only if every probability agrees within FAST_PATH_TOLERANCE; otherwise, and for
// any model import-trees does not map exactly, scoreNow returns null and callers use score.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { FeatureSpecId } from '../../features/spec';
import { SeededRandom } from '../../engine/random';
import { compilePredictor, type FastPredictor } from '../fast-predict';
import { treeEnsembleFromOnnx } from '../onnx/import-trees';
import type { TreeEnsemble } from '../tree-model';
import { defaultSessionConfig, EXECUTION_PROVIDERS, loadModel, type ExecutionProvider, type LoadedModel, type ModelLoadError, type SessionConfig } from './model-loader';
import { MODEL_FILE, sha256Hex, type ModelKind } from './sidecar';

/** Largest |fast − onnxruntime| allowed on any probe probability (onnxruntime sums in float32). */
export const FAST_PATH_TOLERANCE = 1e-6;

export interface InferenceConfig {
  /** Execution providers in order of preference. Default ['cuda', 'tensorrt', 'cpu']. */
  providers: readonly ExecutionProvider[];
  /** Intra-op threads per session. Default min(4, cores). */
  intraOpThreads: number;
}

/** Validated, frozen configuration; a provider list without 'cpu' is allowed but may refuse every model. */
export function inferenceConfig(partial: Partial<InferenceConfig> = {}): Readonly<InferenceConfig> {
  const defaults = defaultSessionConfig();
  const providers = partial.providers ?? defaults.providers;
  const intraOpThreads = partial.intraOpThreads ?? defaults.intraOpThreads;
  if (providers.length === 0) throw new Error('inference: providers must name at least one execution provider');
  for (const p of providers) {
    if (!EXECUTION_PROVIDERS.includes(p)) throw new Error(`inference: unknown execution provider "${p}" (allowed: ${EXECUTION_PROVIDERS.join(', ')})`);
  }
  if (!Number.isInteger(intraOpThreads) || intraOpThreads < 1 || intraOpThreads > 64) {
    throw new Error(`inference: intraOpThreads must be an integer from 1 to 64, got ${intraOpThreads}`);
  }
  return Object.freeze({ providers: Object.freeze([...providers]), intraOpThreads });
}

export type InferenceErrorCode = 'NO_MODEL' | 'BAD_INPUT' | 'RUN_FAILED';

/** A scoring call that cannot proceed. NO_MODEL is expected at start-up; check `hasModel` first. */
export class InferenceError extends Error {
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InferenceError';
  }
}

export interface ActiveModelStatus {
  modelId: string;
  kind: ModelKind;
  dir: string;
  classLabels: readonly number[];
  provider: ExecutionProvider;
  /** For the status bar: why a preferred provider was not used, or null. */
  providerNote: string | null;
  activatedAt: number;
}

export interface SlotStatus {
  active: ActiveModelStatus | null;
  /** The last refused model, kept until a later activation succeeds. */
  lastRefusal: (ModelLoadError & { at: number }) | null;
}

export type ActivationResult = { ok: true; status: ActiveModelStatus } | { ok: false; error: ModelLoadError; keptModelId: string | null };

interface Held {
  model: LoadedModel;
  status: ActiveModelStatus;
  inflight: number;
  retired: boolean;
  /** Reused when the sidecar asks the caller to standardise (scaler not in the graph). */
  scratch: Float32Array | null;
  /** The compiled tree predictor (scoreNow), or null: the model is scored through onnxruntime only. */
  fast: FastPredictor | null;
}

interface Slot {
  held: Held | null;
  lastRefusal: SlotStatus['lastRefusal'];
  /** Activations on one slot run one after another, in call order. */
  queue: Promise<unknown>;
}

export const PRIMARY_SLOT = 'primary';

export class InferenceService {
  private readonly slots = new Map<string, Slot>();
  private readonly config: Readonly<InferenceConfig>;

  constructor(
    private readonly engineSpec: FeatureSpecId,
    config: Partial<InferenceConfig> = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.config = inferenceConfig(config);
  }

  private slot(name: string): Slot {
    let s = this.slots.get(name);
    if (!s) {
      s = { held: null, lastRefusal: null, queue: Promise.resolve() };
      this.slots.set(name, s);
    }
    return s;
  }

  /** Loads the model in `dir` and makes it the slot's active model; a refusal keeps the previous one. */
  activate(dir: string, slotName = PRIMARY_SLOT): Promise<ActivationResult> {
    const slot = this.slot(slotName);
    const run = slot.queue.then(() => this.doActivate(dir, slot));
    slot.queue = run.catch(() => undefined);
    return run;
  }

  private async doActivate(dir: string, slot: Slot): Promise<ActivationResult> {
    const session: SessionConfig = { providers: this.config.providers, intraOpThreads: this.config.intraOpThreads };
    const result = await loadModel(dir, this.engineSpec, session);
    if (!result.ok) {
      slot.lastRefusal = { ...result.error, at: this.clock() };
      return { ok: false, error: result.error, keptModelId: slot.held?.status.modelId ?? null };
    }
    const m = result.model;
    const status: ActiveModelStatus = {
      modelId: m.sidecar.modelId,
      kind: m.sidecar.kind,
      dir: m.dir,
      classLabels: m.sidecar.classLabels,
      provider: m.provider,
      providerNote: m.providerNote,
      activatedAt: this.clock(),
    };
    const fast = await this.compileFastPath(m);
    const previous = slot.held;
    slot.held = { model: m, status, inflight: 0, retired: false, scratch: null, fast };
    slot.lastRefusal = null;
    if (previous) await this.retire(previous);
    return { ok: true, status };
  }

  /**
   * The compiled predictor of a tree model whose ONNX graph import-trees maps exactly, if it agrees
   * with onnxruntime on the probe rows; null otherwise (never throws: the model still scores).
   */
  private async compileFastPath(m: LoadedModel): Promise<FastPredictor | null> {
    if (m.sidecar.kind !== 'tree' || m.sidecar.scaler || m.rowShape.length !== 1) return null;
    try {
      // The bytes onnxruntime loaded (the checksum again, in case the file changed since).
      const bytes = await readFile(join(m.dir, MODEL_FILE));
      if (sha256Hex(bytes) !== m.sidecar.onnxSha256) return null;
      const imported = treeEnsembleFromOnnx(bytes, m.rowSize);
      if (!imported.ok) return null;
      const { model, input, outputs } = imported.trees;
      if (input !== m.inputName || !outputs.includes(m.probabilitiesName)) return null;
      if (model.classLabels.length !== m.numClasses || model.classLabels.some((l, i) => l !== m.sidecar.classLabels[i])) return null;
      const fast = compilePredictor(model);
      const { rows, n } = probeRows(model);
      const out = await m.session.run({ [m.inputName]: new ort.Tensor('float32', rows, [n, ...m.rowShape]) }, [m.probabilitiesName]);
      const reference = out[m.probabilitiesName]?.data as Float32Array | undefined;
      const mine = fast.predictProba(rows, n);
      if (!reference || reference.length !== mine.length) return null;
      for (let i = 0; i < mine.length; i++) if (!(Math.abs(Math.fround(mine[i]!) - reference[i]!) <= FAST_PATH_TOLERANCE)) return null;
      return fast;
    } catch {
      return null;
    }
  }

  private async retire(h: Held): Promise<void> {
    h.retired = true;
    if (h.inflight === 0) await h.model.session.release().catch(() => undefined);
  }

  hasModel(slotName = PRIMARY_SLOT): boolean {
    return this.slots.get(slotName)?.held != null;
  }

  status(slotName = PRIMARY_SLOT): SlotStatus {
    const s = this.slots.get(slotName);
    return { active: s?.held?.status ?? null, lastRefusal: s?.lastRefusal ?? null };
  }

  /** Values per row the active model expects: F, or T·F for a sequence window. */
  rowSize(slotName = PRIMARY_SLOT): number | null {
    return this.slots.get(slotName)?.held?.model.rowSize ?? null;
  }

  /**
   * Scores `n` rows (row-major, rowSize values each; `rows` may be longer, e.g. a buffer sized for
   * the whole watchlist) in one call. Returns probabilities row-major [n, classes], in the order of
   * the model's class labels.
   */
  async score(rows: Float32Array, n: number, slotName = PRIMARY_SLOT): Promise<Float32Array> {
    const h = this.slots.get(slotName)?.held;
    if (!h) throw new InferenceError('NO_MODEL', `no model is active in slot "${slotName}"`);
    const m = h.model;
    if (!Number.isInteger(n) || n < 0) throw new InferenceError('BAD_INPUT', `row count must be a non-negative integer, got ${n}`);
    const size = n * m.rowSize;
    if (rows.length < size) throw new InferenceError('BAD_INPUT', `${n} rows need ${size} values (${m.rowSize} each), got ${rows.length}`);
    if (n === 0) return new Float32Array(0);
    const input = this.prepare(h, rows, size);
    h.inflight++;
    try {
      const out = await m.session.run({ [m.inputName]: new ort.Tensor('float32', input, [n, ...m.rowShape]) }, [m.probabilitiesName]);
      const p = out[m.probabilitiesName];
      if (!p || p.dims[0] !== n || p.dims[1] !== m.numClasses) {
        throw new InferenceError('RUN_FAILED', `model ${h.status.modelId} returned probabilities of shape [${p?.dims.join(', ') ?? ''}]`);
      }
      return p.data as Float32Array;
    } catch (e) {
      if (e instanceof InferenceError) throw e;
      throw new InferenceError('RUN_FAILED', `model ${h.status.modelId}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      h.inflight--;
      if (h.retired && h.inflight === 0) await h.model.session.release().catch(() => undefined);
    }
  }

  /**
   * `score` without the wait: the same validation and the same layout (row-major [n, classes],
   * float32, in the order of the class labels), computed synchronously by the compiled predictor.
   * Null when the slot has no model or its model has no fast path (then use `score`).
   */
  scoreNow(rows: Float32Array, n: number, slotName = PRIMARY_SLOT): Float32Array | null {
    const h = this.slots.get(slotName)?.held;
    if (!h?.fast) return null;
    const m = h.model;
    if (!Number.isInteger(n) || n < 0) throw new InferenceError('BAD_INPUT', `row count must be a non-negative integer, got ${n}`);
    const size = n * m.rowSize;
    if (rows.length < size) throw new InferenceError('BAD_INPUT', `${n} rows need ${size} values (${m.rowSize} each), got ${rows.length}`);
    if (n === 0) return new Float32Array(0);
    return Float32Array.from(h.fast.predictProba(rows, n));
  }

  /** The rows as the graph wants them: standardised here only when the graph does not do it. */
  private prepare(h: Held, rows: Float32Array, size: number): Float32Array {
    const scaler = h.model.sidecar.scaler;
    if (!scaler || scaler.inGraph) return rows.length === size ? rows : rows.subarray(0, size);
    let out: Float32Array;
    if (h.inflight > 0) out = new Float32Array(size); // a call in flight still reads the scratch buffer
    else {
      if (!h.scratch || h.scratch.length < size) h.scratch = new Float32Array(size);
      out = h.scratch.subarray(0, size);
    }
    const f = scaler.mean.length;
    for (let i = 0; i < size; i++) {
      const j = i % f;
      out[i] = (rows[i]! - scaler.mean[j]!) / scaler.scale[j]!;
    }
    return out;
  }

  async deactivate(slotName = PRIMARY_SLOT): Promise<void> {
    const s = this.slots.get(slotName);
    if (!s?.held) return;
    const h = s.held;
    s.held = null;
    await this.retire(h);
  }

  async dispose(): Promise<void> {
    for (const name of [...this.slots.keys()]) await this.deactivate(name);
  }
}

/**
 * Rows that walk every branch of the model: each feature at one of its thresholds, just below or
 * just above it (as float32), or at NaN, ±Infinity or ±0; plus an all-zero row. Deterministic.
 */
function probeRows(model: TreeEnsemble): { rows: Float32Array; n: number } {
  const F = model.numFeatures;
  const thresholds: number[][] = Array.from({ length: F }, () => []);
  for (const t of model.trees) for (let i = 0; i < t.feature.length; i++) if (t.feature[i]! >= 0) thresholds[t.feature[i]!]!.push(t.threshold[i]!);
  const n = 64;
  const rows = new Float32Array(n * F);
  const rng = new SeededRandom(0x5eed);
  const f32 = new Float32Array(1);
  const i32 = new Int32Array(f32.buffer);
  const nudge = (v: number, up: boolean): number => {
    // The adjacent float32 (for a finite, non-zero v): just across the threshold.
    f32[0] = v;
    i32[0] = i32[0]! + ((v > 0) === up ? 1 : -1);
    return f32[0]!;
  };
  for (let r = 1; r < n; r++) {
    for (let f = 0; f < F; f++) {
      const ts = thresholds[f]!;
      const u = rng.next();
      let v: number;
      if (u < 0.05) v = Number.NaN;
      else if (u < 0.07) v = rng.next() < 0.5 ? Infinity : -Infinity;
      else if (u < 0.09 || ts.length === 0) v = rng.next() < 0.5 ? 0 : -0;
      else {
        const t = ts[rng.int(ts.length)]!;
        const w = rng.next();
        v = w < 0.34 || !Number.isFinite(t) || t === 0 ? t : nudge(t, w < 0.67);
      }
      rows[r * F + f] = v;
    }
  }
  return { rows, n };
}
