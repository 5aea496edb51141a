// Model folders on disk through the loader and the inference service: a good model scores like the
// TS reference; a missing, corrupt or mismatched one is refused with a typed reason while the
// previous model keeps scoring; a CUDA request on a machine without it falls back to CPU and says why.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SPEC, type FeatureSpecId } from '../../../src/main/features/spec';
import { InferenceError, InferenceService } from '../../../src/main/ml/inference/inference-service';
import { loadModel, type SessionConfig } from '../../../src/main/ml/inference/model-loader';
import { MODEL_FILE, SIDECAR_FILE, sha256Hex, sidecarFor, writeModelDir, type ModelSidecar } from '../../../src/main/ml/inference/sidecar';
import { predictLinearProba, withMeanImputation, type LinearModel } from '../../../src/main/ml/linear-model';
import { exportLinearModel } from '../../../src/main/ml/onnx/export-linear';
import { exportTreeEnsemble } from '../../../src/main/ml/onnx/export-trees';
import { encodeModel, OnnxDataType } from '../../../src/main/ml/onnx/protobuf';
import { predictProba, type TreeEnsemble } from '../../../src/main/ml/tree-model';
import { SeededRandom } from '../../../src/main/engine/random';
import { randomEnsemble, randomRows } from '../../helpers/random-ensemble';

const CPU: SessionConfig = { providers: ['cpu'], intraOpThreads: 1 };
const META = { trainingWindow: { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 11, 31) }, created: Date.UTC(2025, 0, 3), metrics: { auc: 0.55 }, params: { depth: 4 } };

let root: string;
let treeModel: TreeEnsemble;
let treeDir: string;
let linearModel: LinearModel;
let linearDir: string;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Copies a model folder, then lets `edit` damage the copy. */
async function variant(name: string, from: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(root, name);
  await writeModelDir(dir, await readFile(join(from, MODEL_FILE)), JSON.parse(await readFile(join(from, SIDECAR_FILE), 'utf8')) as ModelSidecar);
  await edit(dir);
  return dir;
}

async function editSidecar(dir: string, edit: (s: ModelSidecar) => unknown): Promise<void> {
  const s = JSON.parse(await readFile(join(dir, SIDECAR_FILE), 'utf8')) as ModelSidecar;
  await writeFile(join(dir, SIDECAR_FILE), JSON.stringify(edit(s)));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cockpit-models-'));
  treeModel = randomEnsemble({ seed: 7, numFeatures: FEATURE_COUNT, trees: 80, maxDepth: 5 });
  treeModel.featureNames = [...FEATURE_NAMES];
  treeDir = join(root, 'gbdt-1');
  await writeModelDir(treeDir, exportTreeEnsemble(treeModel), sidecarFor('tree', treeModel, FEATURE_SPEC, { ...META, modelId: 'gbdt-1' }));

  const rng = new SeededRandom(8);
  linearModel = withMeanImputation({
    coefficients: Float64Array.from({ length: 3 * FEATURE_COUNT }, () => rng.normal() * 0.2),
    intercepts: Float64Array.of(0.1, -0.2, 0.05),
    classLabels: [-1, 0, 1],
    featureNames: [...FEATURE_NAMES],
    scaler: { mean: Float64Array.from({ length: FEATURE_COUNT }, () => rng.normal()), scale: Float64Array.from({ length: FEATURE_COUNT }, () => 0.5 + rng.next()) },
  });
  linearDir = join(root, 'logreg-1');
  await writeModelDir(linearDir, exportLinearModel(linearModel), sidecarFor('linear', linearModel, FEATURE_SPEC, { ...META, modelId: 'logreg-1', parentId: 'gbdt-1' }));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadModel', () => {
  it('when the folder checks out then the session scores like predictProba', async () => {
    const r = await loadModel(treeDir, FEATURE_SPEC, CPU);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.model.provider).toBe('cpu');
    expect(r.model.rowSize).toBe(FEATURE_COUNT);
    expect(r.model.sidecar.trainingWindow.from).toBe(META.trainingWindow.from);
    await r.model.session.release();
  });

  it('when a file is missing then it is refused as MODEL_MISSING', async () => {
    const r1 = await loadModel(join(root, 'nowhere'), FEATURE_SPEC, CPU);
    expect(r1.ok ? null : r1.error.code).toBe('MODEL_MISSING');
    const dir = await variant('no-onnx', treeDir, (d) => rm(join(d, MODEL_FILE)));
    const r2 = await loadModel(dir, FEATURE_SPEC, CPU);
    expect(r2.ok ? null : r2.error).toMatchObject({ code: 'MODEL_MISSING', dir });
  });

  it('when model.onnx changed after export then the checksum refuses it', async () => {
    const dir = await variant('flipped', treeDir, async (d) => {
      const bytes = await readFile(join(d, MODEL_FILE));
      bytes[bytes.length - 10]! ^= 0xff;
      await writeFile(join(d, MODEL_FILE), bytes);
    });
    const r = await loadModel(dir, FEATURE_SPEC, CPU);
    expect(r.ok ? null : r.error.code).toBe('CHECKSUM_MISMATCH');
  });

  it('when the sidecar is not JSON or fails the schema then it is SIDECAR_INVALID with the field named', async () => {
    const notJson = await variant('not-json', treeDir, (d) => writeFile(join(d, SIDECAR_FILE), '{"modelId": '));
    const r1 = await loadModel(notJson, FEATURE_SPEC, CPU);
    expect(r1.ok ? null : r1.error.code).toBe('SIDECAR_INVALID');
    const badKind = await variant('bad-kind', treeDir, (d) => editSidecar(d, (s) => ({ ...s, kind: 'forest' })));
    const r2 = await loadModel(badKind, FEATURE_SPEC, CPU);
    expect(r2.ok ? null : r2.error).toMatchObject({ code: 'SIDECAR_INVALID', message: expect.stringContaining('kind') });
  });

  it('when the model was trained on another feature spec then it is refused saying what differs', async () => {
    const older: FeatureSpecId = { ...FEATURE_SPEC, version: '0.9.0' };
    const r1 = await loadModel(treeDir, older, CPU);
    expect(r1.ok ? null : r1.error).toMatchObject({ code: 'FEATURE_SPEC_MISMATCH', message: expect.stringContaining('0.9.0') });
    const renamed: FeatureSpecId = { ...FEATURE_SPEC, names: FEATURE_NAMES.map((n, i) => (i === 3 ? 'ret_30' : n)) };
    const r2 = await loadModel(treeDir, renamed, CPU);
    expect(r2.ok ? null : r2.error).toMatchObject({ code: 'FEATURE_SPEC_MISMATCH', message: expect.stringContaining('ret_30') });
  });

  it('when the ONNX bytes are not a model (checksum consistent) then the session fails as a value', async () => {
    const dir = await variant('garbage', treeDir, async (d) => {
      const junk = new TextEncoder().encode('this is not a protobuf model');
      await writeFile(join(d, MODEL_FILE), junk);
      await editSidecar(d, (s) => ({ ...s, onnxSha256: sha256Hex(junk) }));
    });
    const r = await loadModel(dir, FEATURE_SPEC, CPU);
    expect(r.ok ? null : r.error.code).toBe('SESSION_FAILED');
  });

  it('when the graph disagrees with the sidecar then it is SIGNATURE_MISMATCH', async () => {
    const threeClasses = await variant('three-classes', treeDir, (d) => editSidecar(d, (s) => ({ ...s, classLabels: [-1, 0, 1] })));
    const r1 = await loadModel(threeClasses, FEATURE_SPEC, CPU);
    expect(r1.ok ? null : r1.error).toMatchObject({ code: 'SIGNATURE_MISMATCH', message: expect.stringContaining('probabilities') });
    const renamedInput = await variant('input-name', treeDir, (d) => editSidecar(d, (s) => ({ ...s, input: { ...s.input, name: 'features' } })));
    const r2 = await loadModel(renamedInput, FEATURE_SPEC, CPU);
    expect(r2.ok ? null : r2.error.code).toBe('SIGNATURE_MISMATCH');
  });
});

describe('InferenceService', () => {
  it('when a model is active then one batched call scores every symbol like the TS reference', async () => {
    const service = new InferenceService(FEATURE_SPEC, { providers: ['cpu'], intraOpThreads: 1 });
    try {
      await expect(service.score(new Float32Array(FEATURE_COUNT), 1)).rejects.toMatchObject({ code: 'NO_MODEL' });
      const a = await service.activate(treeDir);
      expect(a.ok).toBe(true);
      const n = 64;
      const rows = randomRows(9, n, FEATURE_COUNT);
      const p = await service.score(rows, n);
      expect(maxAbsDiff(p, predictProba(treeModel, rows, n))).toBeLessThan(1e-6);
      // A buffer sized for a larger watchlist: only the first n rows are read.
      const big = new Float32Array(200 * FEATURE_COUNT);
      big.set(rows);
      expect(maxAbsDiff(await service.score(big, n), p)).toBe(0);
      await expect(service.score(rows, n + 1)).rejects.toBeInstanceOf(InferenceError);
      expect(await service.score(rows, 0)).toHaveLength(0);
    } finally {
      await service.dispose();
    }
  });

  it('when a new model is refused then the previous one keeps scoring and the refusal is recorded', async () => {
    const clock = { now: 1_000 };
    const service = new InferenceService(FEATURE_SPEC, { providers: ['cpu'], intraOpThreads: 1 }, () => clock.now);
    try {
      await service.activate(treeDir);
      const corrupt = await variant('corrupt-2', treeDir, async (d) => {
        const bytes = await readFile(join(d, MODEL_FILE));
        await writeFile(join(d, MODEL_FILE), bytes.subarray(0, bytes.length >> 1));
      });
      clock.now = 2_000;
      const r = await service.activate(corrupt);
      expect(r).toMatchObject({ ok: false, error: { code: 'CHECKSUM_MISMATCH' }, keptModelId: 'gbdt-1' });
      expect(service.status()).toMatchObject({ active: { modelId: 'gbdt-1' }, lastRefusal: { code: 'CHECKSUM_MISMATCH', at: 2_000 } });
      const rows = randomRows(10, 16, FEATURE_COUNT);
      expect(maxAbsDiff(await service.score(rows, 16), predictProba(treeModel, rows, 16))).toBeLessThan(1e-6);

      // Swapping models while a bar is being scored: the in-flight call finishes on the old model.
      const inflight = service.score(rows, 16);
      const swap = await service.activate(linearDir);
      expect(swap).toMatchObject({ ok: true, status: { modelId: 'logreg-1', kind: 'linear', classLabels: [-1, 0, 1] } });
      expect(maxAbsDiff(await inflight, predictProba(treeModel, rows, 16))).toBeLessThan(1e-6);
      // Warm-up NaNs are imputed inside the linear graph (±Infinity is not a feature value).
      const withNaN = rows.map((v) => (v === Infinity || v === -Infinity ? 0 : v));
      expect(withNaN.some(Number.isNaN)).toBe(true);
      expect(maxAbsDiff(await service.score(withNaN, 16), predictLinearProba(linearModel, withNaN, 16))).toBeLessThan(1e-6);
      expect(service.status().lastRefusal).toBeNull();
    } finally {
      await service.dispose();
    }
  });

  it('when CUDA is preferred on a machine without it then the model runs on CPU and says why', async () => {
    const service = new InferenceService(FEATURE_SPEC, { providers: ['cuda', 'cpu'] });
    try {
      const r = await service.activate(treeDir);
      expect(r.ok).toBe(true);
      const active = service.status().active!;
      if (active.provider === 'cpu') expect(active.providerNote).toMatch(/^cuda: /);
      else expect(active.provider).toBe('cuda'); // a GPU machine: nothing to fall back from
    } finally {
      await service.dispose();
    }
  });

  it('when the config names an unknown provider or bad thread count then the service refuses to start', () => {
    expect(() => new InferenceService(FEATURE_SPEC, { providers: ['rocm' as 'cpu'] })).toThrow(/unknown execution provider/);
    expect(() => new InferenceService(FEATURE_SPEC, { intraOpThreads: 0 })).toThrow(/intraOpThreads/);
  });

  it('when a sequence model takes [N, T, F] windows and its scaler is not in the graph then the service standardises', async () => {
    // A stand-in sequence model: mean over the T bars (ReduceMean), then a linear classifier.
    const T = 8;
    const rng = new SeededRandom(12);
    const head: LinearModel = {
      coefficients: Float64Array.from({ length: FEATURE_COUNT }, () => rng.normal() * 0.3),
      intercepts: Float64Array.of(-0.1),
      classLabels: [0, 1],
      featureNames: [...FEATURE_NAMES],
    };
    const scaler = { mean: Array.from({ length: FEATURE_COUNT }, () => rng.normal()), scale: Array.from({ length: FEATURE_COUNT }, () => 0.5 + rng.next()) };
    const bytes = encodeModel({
      irVersion: 8,
      opsets: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }],
      producerName: 'test',
      producerVersion: '0',
      graph: {
        name: 'seq',
        inputs: [{ name: 'window', elemType: OnnxDataType.FLOAT, shape: ['N', T, FEATURE_COUNT] }],
        outputs: [
          { name: 'label', elemType: OnnxDataType.INT64, shape: ['N'] },
          { name: 'probabilities', elemType: OnnxDataType.FLOAT, shape: ['N', 2] },
        ],
        nodes: [
          { opType: 'ReduceMean', domain: '', name: 'pool', inputs: ['window'], outputs: ['pooled'], attributes: [{ name: 'axes', type: 'ints', value: [1] }, { name: 'keepdims', type: 'int', value: 0 }] },
          {
            opType: 'LinearClassifier', domain: 'ai.onnx.ml', name: 'head', inputs: ['pooled'], outputs: ['label', 'probabilities'],
            attributes: [
              { name: 'coefficients', type: 'floats', value: [...head.coefficients].map((c) => -c).concat([...head.coefficients]) },
              { name: 'intercepts', type: 'floats', value: [0.1, -0.1] },
              { name: 'classlabels_ints', type: 'ints', value: [0, 1] },
              { name: 'post_transform', type: 'string', value: 'LOGISTIC' },
            ],
          },
        ],
      },
    });
    const dir = join(root, 'seq-1');
    const base = sidecarFor('linear', head, FEATURE_SPEC, { ...META, modelId: 'seq-1' });
    await writeModelDir(dir, bytes, { ...base, kind: 'sequence', input: { name: 'window', shape: ['N', T, FEATURE_COUNT] }, scaler: { ...scaler, inGraph: false } });

    const service = new InferenceService(FEATURE_SPEC, { providers: ['cpu'], intraOpThreads: 1 });
    try {
      const r = await service.activate(dir);
      expect(r.ok).toBe(true);
      expect(service.rowSize()).toBe(T * FEATURE_COUNT);
      const n = 5;
      const windows = new Float32Array(n * T * FEATURE_COUNT).map(() => rng.normal() * 2);
      const p = await service.score(windows, n);
      // Reference: standardise each bar, average over the window, then the logistic head.
      const pooled = new Float64Array(n * FEATURE_COUNT);
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < T; t++) {
          for (let j = 0; j < FEATURE_COUNT; j++) {
            pooled[i * FEATURE_COUNT + j]! += ((windows[(i * T + t) * FEATURE_COUNT + j]! - scaler.mean[j]!) / scaler.scale[j]!) / T;
          }
        }
      }
      expect(maxAbsDiff(p, predictLinearProba(head, pooled, n))).toBeLessThan(1e-5);
    } finally {
      await service.dispose();
    }
  });
});
