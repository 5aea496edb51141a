// The sidecar `model.json` that sits next to every `model.onnx`: what the model is, the feature
// spec it was trained on, the exact tensor signature, provenance, and the SHA-256 of the ONNX file
// (so a swapped or truncated file is refused). Validated with zod whenever it is read.
// Timestamps are epoch milliseconds UTC.

import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ONNX_BATCH_DIM, ONNX_INPUT, ONNX_LABEL, ONNX_PROBABILITIES } from '../onnx/export-trees';

export const MODEL_FILE = 'model.onnx';
export const SIDECAR_FILE = 'model.json';
export const SIDECAR_SCHEMA_VERSION = 1;

const Dim = z.union([z.number().int().positive(), z.string().min(1)]);
const Epoch = z.number().int().nonnegative();

export const ModelKindSchema = z.enum(['tree', 'linear', 'sequence']);
export type ModelKind = z.infer<typeof ModelKindSchema>;

export const SidecarSchema = z
  .object({
    schemaVersion: z.literal(SIDECAR_SCHEMA_VERSION),
    modelId: z.string().min(1).max(200),
    kind: ModelKindSchema,
    featureSpec: z.object({
      version: z.string().min(1),
      names: z.array(z.string().min(1)).min(1),
      warmup: z.number().int().nonnegative(),
    }),
    input: z.object({
      name: z.string().min(1),
      /** [N, F] for tree and linear models, [N, T, F] for a sequence window; N is symbolic. */
      shape: z.array(Dim).min(2).max(3),
    }),
    outputs: z.object({
      label: z.string().min(1),
      probabilities: z.string().min(1),
    }),
    /** Class labels in the order of the probability columns. */
    classLabels: z.array(z.number().int()).min(2),
    /**
     * Standardisation the model expects. `inGraph: true` means the ONNX graph applies it (a Scaler
     * node) and the caller must NOT apply it again; false means the caller standardises.
     */
    scaler: z
      .object({
        mean: z.array(z.number()),
        scale: z.array(z.number().refine((s) => s !== 0, 'scale must be non-zero')),
        inGraph: z.boolean(),
      })
      .nullable(),
    trainingWindow: z.object({ from: Epoch, to: Epoch }).refine((w) => w.from <= w.to, 'trainingWindow.from must not be after to'),
    metrics: z.record(z.string(), z.unknown()),
    params: z.record(z.string(), z.unknown()),
    created: Epoch,
    parentId: z.string().min(1).nullable(),
    onnxSha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256'),
  })
  .superRefine((s, ctx) => {
    const f = s.input.shape[s.input.shape.length - 1];
    if (typeof f !== 'number' || f !== s.featureSpec.names.length) {
      ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: `the last dimension must be the feature count ${s.featureSpec.names.length}` });
    }
    if (typeof s.input.shape[0] !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: 'the first (batch) dimension must be symbolic, e.g. "N"' });
    }
    const expectedRank = s.kind === 'sequence' ? 3 : 2;
    if (s.input.shape.length !== expectedRank) {
      ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: `a ${s.kind} model takes a rank-${expectedRank} input` });
    }
    if (s.kind === 'sequence' && typeof s.input.shape[1] !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: 'a sequence window length must be a fixed number' });
    }
    if (s.scaler && (s.scaler.mean.length !== f || s.scaler.scale.length !== f)) {
      ctx.addIssue({ code: 'custom', path: ['scaler'], message: 'the scaler must have one mean and one scale per feature' });
    }
  });

export type ModelSidecar = z.infer<typeof SidecarSchema>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A sidecar is parsed, never trusted: returns the zod issues as one readable line on failure. */
export function parseSidecar(json: unknown): { ok: true; sidecar: ModelSidecar } | { ok: false; message: string } {
  const r = SidecarSchema.safeParse(json);
  if (r.success) return { ok: true, sidecar: r.data };
  return { ok: false, message: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}

/**
 * Writes `model.onnx` and `model.json` into `dir` (created if needed), the checksum computed here.
 * Each file goes to a temporary name first and is renamed, so a reader never sees half a file;
 * the sidecar is renamed last, so a folder with a sidecar always has its model.
 */
export async function writeModelDir(dir: string, onnx: Uint8Array, sidecar: Omit<ModelSidecar, 'onnxSha256'>): Promise<ModelSidecar> {
  const full = SidecarSchema.parse({ ...sidecar, onnxSha256: sha256Hex(onnx) });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const modelPath = join(dir, MODEL_FILE);
  const sidecarPath = join(dir, SIDECAR_FILE);
  await writeFile(`${modelPath}.tmp`, onnx, { mode: 0o600 });
  await rename(`${modelPath}.tmp`, modelPath);
  await writeFile(`${sidecarPath}.tmp`, `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
  await rename(`${sidecarPath}.tmp`, sidecarPath);
  return full;
}

/** Provenance a trainer supplies; the rest of the sidecar follows from the model and the spec. */
export interface SidecarMeta {
  modelId: string;
  trainingWindow: { from: number; to: number };
  metrics?: Record<string, unknown>;
  params?: Record<string, unknown>;
  created: number;
  parentId?: string | null;
}

export interface SidecarSpec {
  version: string;
  names: readonly string[];
  warmup: number;
}

function specOf(spec: SidecarSpec, featureNames: readonly string[], modelId: string): ModelSidecar['featureSpec'] {
  if (featureNames.length !== spec.names.length || featureNames.some((n, i) => n !== spec.names[i])) {
    throw new Error(`model ${modelId}: its feature names are not the spec's (${featureNames.length} vs ${spec.names.length} features)`);
  }
  return { version: spec.version, names: [...spec.names], warmup: spec.warmup };
}

/**
 * Sidecar (without checksum) of a model exported by export-trees.ts or export-linear.ts: input
 * [N, F] named "input", outputs "label" and "probabilities". A linear model's scaler is in the graph.
 */
export function sidecarFor(
  kind: 'tree' | 'linear',
  model: { featureNames: readonly string[]; classLabels: readonly number[]; scaler?: { mean: ArrayLike<number>; scale: ArrayLike<number> } },
  spec: SidecarSpec,
  meta: SidecarMeta,
): Omit<ModelSidecar, 'onnxSha256'> {
  return {
    schemaVersion: SIDECAR_SCHEMA_VERSION,
    modelId: meta.modelId,
    kind,
    featureSpec: specOf(spec, model.featureNames, meta.modelId),
    input: { name: ONNX_INPUT, shape: [ONNX_BATCH_DIM, model.featureNames.length] },
    outputs: { label: ONNX_LABEL, probabilities: ONNX_PROBABILITIES },
    classLabels: [...model.classLabels],
    scaler: model.scaler ? { mean: Array.from(model.scaler.mean), scale: Array.from(model.scaler.scale), inGraph: true } : null,
    trainingWindow: meta.trainingWindow,
    metrics: meta.metrics ?? {},
    params: meta.params ?? {},
    created: meta.created,
    parentId: meta.parentId ?? null,
  };
}
