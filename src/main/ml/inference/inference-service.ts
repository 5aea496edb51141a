// Holds the active model(s) and scores each bar's feature rows for all symbols in one batched call.
// A new model replaces the active one only after it loads and verifies; a refused model leaves the
// previous one running and records why. Sessions still scoring when replaced are released only
// after their last call returns. One service per engine (no module-level state).

import * as ort from 'onnxruntime-node';
import type { FeatureSpecId } from '../../features/spec';
import { defaultSessionConfig, EXECUTION_PROVIDERS, loadModel, type ExecutionProvider, type LoadedModel, type ModelLoadError, type SessionConfig } from './model-loader';
import type { ModelKind } from './sidecar';

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
    const previous = slot.held;
    slot.held = { model: m, status, inflight: 0, retired: false, scratch: null };
    slot.lastRefusal = null;
    if (previous) await this.retire(previous);
    return { ok: true, status };
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
