// Loads one model folder (model.onnx + model.json) into an onnxruntime session, refusing anything
// that does not check out: a missing file, a sidecar that does not validate, a checksum that does
// not match, another feature spec, a session that will not build, or a graph whose input/output
// names and shapes differ from the sidecar's. Every refusal is a typed value with a stable code;
// loadModel never throws.

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { assertSameSpec, type FeatureSpecId } from '../../features/spec';
import { MODEL_FILE, parseSidecar, sha256Hex, SIDECAR_FILE, type ModelSidecar } from './sidecar';

export type ExecutionProvider = 'cuda' | 'tensorrt' | 'cpu';
export const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cuda', 'tensorrt', 'cpu'];

export interface SessionConfig {
  /** Providers tried in order; the first that builds a session wins. */
  providers: readonly ExecutionProvider[];
  /** Intra-op threads of each session. */
  intraOpThreads: number;
}

export function defaultSessionConfig(): SessionConfig {
  // CPU unless the configuration asks for a GPU provider (TRADING_INFERENCE_PROVIDERS=cuda,cpu): the
  // npm build ships no CUDA libraries, and trying them costs a failed load and an error on stderr.
  return { providers: ['cpu'], intraOpThreads: Math.max(1, Math.min(4, availableParallelism())) };
}

export type ModelLoadErrorCode =
  | 'MODEL_MISSING'
  | 'SIDECAR_INVALID'
  | 'CHECKSUM_MISMATCH'
  | 'FEATURE_SPEC_MISMATCH'
  | 'SESSION_FAILED'
  | 'SIGNATURE_MISMATCH';

export interface ModelLoadError {
  code: ModelLoadErrorCode;
  message: string;
  dir: string;
}

export interface LoadedModel {
  dir: string;
  sidecar: ModelSidecar;
  session: ort.InferenceSession;
  /** The provider the session runs on. */
  provider: ExecutionProvider;
  /** Why earlier providers were skipped (e.g. "cuda: Failed to load shared library"), or null. */
  providerNote: string | null;
  inputName: string;
  probabilitiesName: string;
  /** Input dimensions after the batch: [F] or [T, F]. */
  rowShape: readonly number[];
  /** Values per row: F or T·F. */
  rowSize: number;
  numClasses: number;
}

export type LoadResult = { ok: true; model: LoadedModel } | { ok: false; error: ModelLoadError };

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** One session per provider in order; returns the first that builds, with why the others did not. */
export async function createSession(
  onnx: Uint8Array,
  config: SessionConfig,
): Promise<{ ok: true; session: ort.InferenceSession; provider: ExecutionProvider; note: string | null } | { ok: false; message: string }> {
  const failures: string[] = [];
  for (const provider of config.providers) {
    try {
      const session = await ort.InferenceSession.create(onnx, {
        executionProviders: [provider],
        intraOpNumThreads: config.intraOpThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
      return { ok: true, session, provider, note: failures.length > 0 ? failures.join('; ') : null };
    } catch (e) {
      failures.push(`${provider}: ${message(e)}`);
    }
  }
  return { ok: false, message: failures.join('; ') || 'no execution provider configured' };
}

function dimsAgree(actual: ReadonlyArray<number | string>, expected: ReadonlyArray<number | string>): boolean {
  // Symbolic dimensions (the batch) match anything symbolic or free; fixed ones must be equal.
  if (actual.length === 0) return true; // the graph does not declare a shape; the smoke run decides
  if (actual.length !== expected.length) return false;
  return expected.every((d, i) => (typeof d === 'number' ? actual[i] === d : typeof actual[i] === 'string' || actual[i] === -1));
}

/** Checks the session's signature against the sidecar, then scores one all-zero row. */
async function checkSignature(session: ort.InferenceSession, s: ModelSidecar): Promise<string | null> {
  if (session.inputNames.length !== 1 || session.inputNames[0] !== s.input.name) {
    return `the graph's inputs are [${session.inputNames.join(', ')}]; the sidecar says [${s.input.name}]`;
  }
  for (const name of [s.outputs.label, s.outputs.probabilities]) {
    if (!session.outputNames.includes(name)) return `the graph has no output "${name}" (it has ${session.outputNames.join(', ')})`;
  }
  const numClasses = s.classLabels.length;
  const input = session.inputMetadata[0];
  if (input?.isTensor) {
    if (input.type !== 'float32') return `the graph's input is ${input.type}, not float32`;
    if (!dimsAgree(input.shape, s.input.shape)) return `the graph's input shape is [${input.shape.join(', ')}]; the sidecar says [${s.input.shape.join(', ')}]`;
  }
  const probs = session.outputMetadata.find((o) => o.name === s.outputs.probabilities);
  if (probs?.isTensor) {
    if (probs.type !== 'float32') return `the probabilities output is ${probs.type}, not float32`;
    if (!dimsAgree(probs.shape, [s.input.shape[0]!, numClasses])) return `the probabilities shape is [${probs.shape.join(', ')}]; expected [N, ${numClasses}]`;
  }
  const rowShape = s.input.shape.slice(1) as number[];
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  try {
    const out = await session.run({ [s.input.name]: new ort.Tensor('float32', new Float32Array(rowSize), [1, ...rowShape]) }, [s.outputs.probabilities]);
    const p = out[s.outputs.probabilities];
    if (!p || p.type !== 'float32' || p.dims.length !== 2 || p.dims[0] !== 1 || p.dims[1] !== numClasses) {
      return `scoring one row gave probabilities of shape [${p?.dims.join(', ') ?? ''}] (${p?.type ?? 'none'}); expected [1, ${numClasses}] float32`;
    }
  } catch (e) {
    return `scoring one row failed: ${message(e)}`;
  }
  return null;
}

/** Loads and verifies the model in `dir` for an engine computing `engineSpec`. Never throws. */
export async function loadModel(dir: string, engineSpec: FeatureSpecId, config: SessionConfig = defaultSessionConfig()): Promise<LoadResult> {
  const fail = (code: ModelLoadErrorCode, msg: string): LoadResult => ({ ok: false, error: { code, message: msg, dir } });
  try {
    const sidecarBytes = await readIfExists(join(dir, SIDECAR_FILE));
    if (!sidecarBytes) return fail('MODEL_MISSING', `no ${SIDECAR_FILE} in ${dir}`);
    const onnx = await readIfExists(join(dir, MODEL_FILE));
    if (!onnx) return fail('MODEL_MISSING', `no ${MODEL_FILE} in ${dir}`);

    let json: unknown;
    try {
      json = JSON.parse(sidecarBytes.toString('utf8'));
    } catch (e) {
      return fail('SIDECAR_INVALID', `${SIDECAR_FILE} is not JSON: ${message(e)}`);
    }
    const parsed = parseSidecar(json);
    if (!parsed.ok) return fail('SIDECAR_INVALID', `${SIDECAR_FILE} is invalid: ${parsed.message}`);
    const sidecar = parsed.sidecar;

    const sha = sha256Hex(onnx);
    if (sha !== sidecar.onnxSha256) {
      return fail('CHECKSUM_MISMATCH', `${MODEL_FILE} has SHA-256 ${sha}, the sidecar expects ${sidecar.onnxSha256} (corrupt or replaced file)`);
    }

    try {
      assertSameSpec(sidecar.featureSpec, engineSpec);
    } catch (e) {
      return fail('FEATURE_SPEC_MISMATCH', `model ${sidecar.modelId}: ${message(e)}`);
    }

    const created = await createSession(onnx, config);
    if (!created.ok) return fail('SESSION_FAILED', `onnxruntime could not load ${MODEL_FILE}: ${created.message}`);

    const mismatch = await checkSignature(created.session, sidecar);
    if (mismatch) {
      await created.session.release().catch(() => undefined);
      return fail('SIGNATURE_MISMATCH', `model ${sidecar.modelId}: ${mismatch}`);
    }
    const rowShape = sidecar.input.shape.slice(1) as number[];
    return {
      ok: true,
      model: {
        dir,
        sidecar,
        session: created.session,
        provider: created.provider,
        providerNote: created.note,
        inputName: sidecar.input.name,
        probabilitiesName: sidecar.outputs.probabilities,
        rowShape,
        rowSize: rowShape.reduce((a, b) => a * b, 1),
        numClasses: sidecar.classLabels.length,
      },
    };
  } catch (e) {
    // An unreadable folder (permissions, I/O error): still a value, never a raw throw.
    return fail('MODEL_MISSING', `cannot read the model in ${dir}: ${message(e)}`);
  }
}
