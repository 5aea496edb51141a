// Exports a TreeEnsemble to an ONNX `ai.onnx.ml.TreeEnsembleClassifier` (no ZipMap) so that
// onnxruntime returns, per row, the same class probabilities as `predictProba` in tree-model.ts.
// Graph: input float32 [N, F] → label int64 [N], probabilities float32 [N, C].
//
// onnxruntime semantics this mapping relies on (checked against its CPU kernel, and by the
// equality test in test/unit/ml/onnx):
// - BRANCH_LT: `x < threshold` takes the TRUE branch; our "left" is ONNX's true branch.
// - A NaN compares false, so it takes the false (right) branch unless
//   nodes_missing_value_tracks_true = 1, which sends it to the true (left) branch: that flag is
//   exactly our defaultLeft.
// - Binary (one raw score, class_ids all 0, ONE base value = baseScore): ORT writes
//   [sigmoid(-s), sigmoid(s)]. Older ORT CPU kernels did so only if some leaf weight was negative;
//   with every weight ≥ 0 they took the scores for probabilities and wrote [1 - s, s]. 1.30 applies
//   the logistic either way (checked), but a model must not depend on the runtime's version, so an
//   all-positive binary model gets an unreachable guard tree carrying a negative weight.
// - Multiclass: class_ids = the tree's output, base_values = per-class base scores, SOFTMAX.
// - ORT keeps thresholds, leaf weights and the running sum in float32 for float inputs, so the
//   probabilities agree with the float64 TS path to ~1e-7, not bit for bit.
// - ORT builds each tree by walking from its root and refuses nodes it cannot reach, so only
//   reachable nodes are exported (renumbered in preorder).

import type { Tree, TreeEnsemble } from '../tree-model';
import {
  encodeModel,
  ONNX_DEFAULT_OPSET,
  ONNX_IR_VERSION,
  ONNX_ML_DOMAIN,
  ONNX_ML_OPSET,
  OnnxDataType,
  type OnnxModel,
} from './protobuf';

/** Names of the graph's input and outputs; the sidecar and the loader use the same. */
export const ONNX_INPUT = 'input';
export const ONNX_LABEL = 'label';
export const ONNX_PROBABILITIES = 'probabilities';
export const ONNX_BATCH_DIM = 'N';

export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

export interface OnnxExportOptions {
  /** Free-form key/values stored as ONNX metadata_props (e.g. the model id). */
  metadata?: Readonly<Record<string, string>>;
  producerVersion?: string;
}

interface FlatNodes {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  modes: string[];
  values: number[];
  trueIds: number[];
  falseIds: number[];
  missingTracksTrue: number[];
  leafTreeIds: number[];
  leafNodeIds: number[];
  leafClassIds: number[];
  leafWeights: number[];
}

function appendTree(flat: FlatNodes, tree: Tree, treeId: number, classId: number, numFeatures: number): void {
  // Preorder numbering of the reachable nodes; `order[k]` is the source index of ONNX node k.
  const order: number[] = [];
  const newId = new Map<number, number>();
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (newId.has(node)) throw new OnnxExportError(`tree ${treeId}: node ${node} is reached twice (not a tree)`);
    if (node < 0 || node >= tree.feature.length) throw new OnnxExportError(`tree ${treeId}: child index ${node} out of range`);
    newId.set(node, order.length);
    order.push(node);
    if (tree.feature[node]! >= 0) stack.push(tree.right[node]!, tree.left[node]!);
  }
  for (let k = 0; k < order.length; k++) {
    const node = order[k]!;
    const f = tree.feature[node]!;
    flat.treeIds.push(treeId);
    flat.nodeIds.push(k);
    if (f >= 0) {
      if (f >= numFeatures) throw new OnnxExportError(`tree ${treeId}: node ${node} splits on feature ${f} of ${numFeatures}`);
      const t = tree.threshold[node]!;
      if (Number.isNaN(t)) throw new OnnxExportError(`tree ${treeId}: node ${node} has a NaN threshold`);
      flat.featureIds.push(f);
      flat.modes.push('BRANCH_LT');
      flat.values.push(t);
      flat.trueIds.push(newId.get(tree.left[node]!)!);
      flat.falseIds.push(newId.get(tree.right[node]!)!);
      flat.missingTracksTrue.push(tree.defaultLeft[node] ? 1 : 0);
    } else {
      const v = tree.value[node]!;
      if (!Number.isFinite(v)) throw new OnnxExportError(`tree ${treeId}: leaf ${node} has value ${v}`);
      flat.featureIds.push(0);
      flat.modes.push('LEAF');
      flat.values.push(0);
      flat.trueIds.push(0);
      flat.falseIds.push(0);
      flat.missingTracksTrue.push(0);
      flat.leafTreeIds.push(treeId);
      flat.leafNodeIds.push(k);
      flat.leafClassIds.push(classId);
      flat.leafWeights.push(v);
    }
  }
}

/**
 * A tree no row can reach the weighted leaf of: `x < -Infinity` is false for every x and NaN goes
 * to the false branch. It adds exactly 0 to the score and makes ORT apply the logistic.
 */
function appendNegativeWeightGuard(flat: FlatNodes, treeId: number): void {
  const push = (node: number, mode: string, value: number, t: number, f: number) => {
    flat.treeIds.push(treeId);
    flat.nodeIds.push(node);
    flat.featureIds.push(0);
    flat.modes.push(mode);
    flat.values.push(value);
    flat.trueIds.push(t);
    flat.falseIds.push(f);
    flat.missingTracksTrue.push(0);
  };
  push(0, 'BRANCH_LT', -Infinity, 1, 2);
  push(1, 'LEAF', 0, 0, 0);
  push(2, 'LEAF', 0, 0, 0);
  flat.leafTreeIds.push(treeId, treeId);
  flat.leafNodeIds.push(1, 2);
  flat.leafClassIds.push(0, 0);
  flat.leafWeights.push(-1, 0);
}

function validate(m: TreeEnsemble): void {
  if (m.numFeatures <= 0) throw new OnnxExportError('the model has no features');
  if (m.featureNames.length !== m.numFeatures) {
    throw new OnnxExportError(`featureNames has ${m.featureNames.length} names for ${m.numFeatures} features`);
  }
  if (m.classLabels.length !== m.numClass) throw new OnnxExportError(`classLabels has ${m.classLabels.length} labels for ${m.numClass} classes`);
  if (!m.classLabels.every((l) => Number.isSafeInteger(l))) throw new OnnxExportError('class labels must be integers');
  if (m.objective === 'binary' && m.numClass !== 2) throw new OnnxExportError(`a binary model has 2 classes, not ${m.numClass}`);
  // ORT treats two class labels as the binary case whatever the weights say.
  if (m.objective === 'multiclass' && m.numClass < 3) throw new OnnxExportError('a multiclass model needs at least 3 classes (use binary for 2)');
  const outputs = m.objective === 'binary' ? 1 : m.numClass;
  if (m.baseScore.length !== outputs) throw new OnnxExportError(`baseScore has ${m.baseScore.length} values for ${outputs} outputs`);
  if (m.treeOutput.length !== m.trees.length) throw new OnnxExportError('treeOutput and trees differ in length');
  for (let t = 0; t < m.trees.length; t++) {
    const c = m.treeOutput[t]!;
    if (c < 0 || c >= outputs) throw new OnnxExportError(`tree ${t} adds to output ${c} of ${outputs}`);
  }
}

/** The ONNX graph of a tree ensemble (see the module comment for the mapping). */
export function treeEnsembleToOnnx(m: TreeEnsemble, options: OnnxExportOptions = {}): OnnxModel {
  validate(m);
  const flat: FlatNodes = {
    treeIds: [], nodeIds: [], featureIds: [], modes: [], values: [], trueIds: [], falseIds: [], missingTracksTrue: [],
    leafTreeIds: [], leafNodeIds: [], leafClassIds: [], leafWeights: [],
  };
  const binary = m.objective === 'binary';
  for (let t = 0; t < m.trees.length; t++) appendTree(flat, m.trees[t]!, t, binary ? 0 : m.treeOutput[t]!, m.numFeatures);
  if (binary && !flat.leafWeights.some((w) => Math.fround(w) < 0)) appendNegativeWeightGuard(flat, m.trees.length);
  if (flat.treeIds.length === 0) throw new OnnxExportError('the model has no trees');

  const numClass = m.numClass;
  return {
    irVersion: ONNX_IR_VERSION,
    opsets: [
      { domain: '', version: ONNX_DEFAULT_OPSET },
      { domain: ONNX_ML_DOMAIN, version: ONNX_ML_OPSET },
    ],
    producerName: 'ai-trading-cockpit',
    producerVersion: options.producerVersion ?? '0',
    docString: `TreeEnsembleClassifier: ${m.trees.length} trees, ${m.numFeatures} features, ${numClass} classes`,
    metadata: options.metadata ?? {},
    graph: {
      name: 'tree_ensemble',
      inputs: [{ name: ONNX_INPUT, elemType: OnnxDataType.FLOAT, shape: [ONNX_BATCH_DIM, m.numFeatures] }],
      outputs: [
        { name: ONNX_LABEL, elemType: OnnxDataType.INT64, shape: [ONNX_BATCH_DIM] },
        { name: ONNX_PROBABILITIES, elemType: OnnxDataType.FLOAT, shape: [ONNX_BATCH_DIM, numClass] },
      ],
      nodes: [
        {
          opType: 'TreeEnsembleClassifier',
          domain: ONNX_ML_DOMAIN,
          name: 'trees',
          inputs: [ONNX_INPUT],
          outputs: [ONNX_LABEL, ONNX_PROBABILITIES],
          attributes: [
            { name: 'nodes_treeids', type: 'ints', value: flat.treeIds },
            { name: 'nodes_nodeids', type: 'ints', value: flat.nodeIds },
            { name: 'nodes_featureids', type: 'ints', value: flat.featureIds },
            { name: 'nodes_modes', type: 'strings', value: flat.modes },
            { name: 'nodes_values', type: 'floats', value: flat.values },
            { name: 'nodes_truenodeids', type: 'ints', value: flat.trueIds },
            { name: 'nodes_falsenodeids', type: 'ints', value: flat.falseIds },
            { name: 'nodes_missing_value_tracks_true', type: 'ints', value: flat.missingTracksTrue },
            { name: 'class_treeids', type: 'ints', value: flat.leafTreeIds },
            { name: 'class_nodeids', type: 'ints', value: flat.leafNodeIds },
            { name: 'class_ids', type: 'ints', value: flat.leafClassIds },
            { name: 'class_weights', type: 'floats', value: flat.leafWeights },
            { name: 'classlabels_int64s', type: 'ints', value: m.classLabels },
            // Binary: ONE base value (two would make ORT mis-handle the single-score case).
            { name: 'base_values', type: 'floats', value: Array.from(m.baseScore) },
            { name: 'post_transform', type: 'string', value: binary ? 'LOGISTIC' : 'SOFTMAX' },
          ],
        },
      ],
    },
  };
}

/** Serialised `model.onnx` bytes of a tree ensemble. */
export function exportTreeEnsemble(m: TreeEnsemble, options: OnnxExportOptions = {}): Uint8Array {
  return encodeModel(treeEnsembleToOnnx(m, options));
}
