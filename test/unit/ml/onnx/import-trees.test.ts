// Reading a TreeEnsembleClassifier back out of the exported ONNX: the same trees (splits, thresholds,
// missing-value directions, leaf weights as float32, base scores as float32, class labels), so the
// compiled predictor can score a model loaded from disk; and a clear refusal for anything outside
// the exact subset (another operator, mode, tensor attribute, shared leaf, garbage bytes).
import { describe, expect, it } from 'vitest';
import { exportLinearModel } from '../../../../src/main/ml/onnx/export-linear';
import { exportTreeEnsemble, treeEnsembleToOnnx } from '../../../../src/main/ml/onnx/export-trees';
import { treeEnsembleFromOnnx } from '../../../../src/main/ml/onnx/import-trees';
import { encodeModel, type OnnxAttribute } from '../../../../src/main/ml/onnx/protobuf';
import { predictProba, predictRaw, type Tree, type TreeEnsemble } from '../../../../src/main/ml/tree-model';
import { randomEnsemble, randomRows } from '../../../helpers/random-ensemble';

/** The reachable nodes of a tree in preorder (left first), as the exporter numbers them. */
function preorder(t: Tree): number[] {
  const out: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    out.push(i);
    if (t.feature[i]! >= 0) stack.push(t.right[i]!, t.left[i]!);
  }
  return out;
}

function expectSameTrees(got: TreeEnsemble, want: TreeEnsemble, guardTrees = 0): void {
  expect(got.objective).toBe(want.objective);
  expect(got.numClass).toBe(want.numClass);
  expect(got.numFeatures).toBe(want.numFeatures);
  expect(got.classLabels).toEqual(want.classLabels);
  expect(Array.from(got.baseScore)).toEqual(Array.from(want.baseScore, Math.fround));
  expect(got.trees.length).toBe(want.trees.length + guardTrees);
  want.trees.forEach((w, t) => {
    const g = got.trees[t]!;
    const order = preorder(w);
    expect(g.feature.length).toBe(order.length);
    const at = new Map(order.map((node, k) => [node, k]));
    order.forEach((node, k) => {
      expect(g.feature[k]).toBe(w.feature[node]);
      if (w.feature[node]! < 0) {
        expect(g.value[k]).toBe(Math.fround(w.value[node]!));
      } else {
        expect(g.threshold[k]).toBe(w.threshold[node]);
        expect(g.defaultLeft[k]).toBe(w.defaultLeft[node]);
        expect(g.left[k]).toBe(at.get(w.left[node]!));
        expect(g.right[k]).toBe(at.get(w.right[node]!));
      }
    });
    expect(got.treeOutput[t]).toBe(want.treeOutput[t]);
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('treeEnsembleFromOnnx', () => {
  it('reads back a binary ensemble exactly (float32 weights), plus the exporter’s guard tree that adds 0', () => {
    const m = randomEnsemble({ seed: 31, numFeatures: 12, trees: 60, maxDepth: 6, splitChance: 0.8 });
    const r = treeEnsembleFromOnnx(exportTreeEnsemble(m), 12);
    if (!r.ok) throw new Error(r.error);
    const guard = r.trees.model.trees.length - m.trees.length;
    expect(guard === 0 || guard === 1).toBe(true);
    expectSameTrees(r.trees.model, m, guard);
    expect(r.trees.input).toBe('input');
    expect(r.trees.outputs).toEqual(['label', 'probabilities']);
    // Only the float32 rounding of the weights separates the margins.
    const rows = randomRows(4, 300, 12, 0.1);
    expect(maxAbsDiff(predictRaw(r.trees.model, rows, 300), predictRaw(m, rows, 300))).toBeLessThan(1e-5);
    expect(maxAbsDiff(predictProba(r.trees.model, rows, 300), predictProba(m, rows, 300))).toBeLessThan(1e-6);
  });

  it('reads back a 3-class ensemble (one output per tree, SOFTMAX, per-class base scores)', () => {
    const m = randomEnsemble({ seed: 32, numFeatures: 7, trees: 45, maxDepth: 5, objective: 'multiclass', numClass: 3, splitChance: 0.7 });
    const r = treeEnsembleFromOnnx(exportTreeEnsemble(m), 7);
    if (!r.ok) throw new Error(r.error);
    expectSameTrees(r.trees.model, m);
  });

  it('reads trees too deep for the padded walk, and a tree that is one leaf', () => {
    const deep = randomEnsemble({ seed: 33, numFeatures: 4, trees: 3, maxDepth: 15, splitChance: 0.75 });
    const stump: Tree = { ...deep.trees[0]!, feature: Int32Array.of(-1), threshold: Float32Array.of(0), left: Int32Array.of(-1), right: Int32Array.of(-1), defaultLeft: Uint8Array.of(0), value: Float64Array.of(-0.125), cover: Float64Array.of(1), gain: Float64Array.of(0) };
    const m: TreeEnsemble = { ...deep, trees: [...deep.trees, stump], treeOutput: new Int32Array(4) };
    const r = treeEnsembleFromOnnx(exportTreeEnsemble(m), 4);
    if (!r.ok) throw new Error(r.error);
    expectSameTrees(r.trees.model, m);
  });

  it('refuses what it does not map exactly, with the reason, and never throws', () => {
    const m = randomEnsemble({ seed: 34, numFeatures: 5, trees: 4, maxDepth: 3 });
    const graph = treeEnsembleToOnnx(m);
    const withAttrs = (edit: (attrs: OnnxAttribute[]) => OnnxAttribute[]) =>
      encodeModel({ ...graph, graph: { ...graph.graph, nodes: [{ ...graph.graph.nodes[0]!, attributes: edit([...graph.graph.nodes[0]!.attributes]) }] } });
    const refusal = (bytes: Uint8Array, f = 5): string => {
      const r = treeEnsembleFromOnnx(bytes, f);
      return r.ok ? 'accepted' : r.error;
    };
    expect(refusal(new TextEncoder().encode('not a model'))).not.toBe('accepted');
    expect(refusal(exportTreeEnsemble(m).subarray(0, 200))).not.toBe('accepted');
    const linear = exportLinearModel({ coefficients: new Float64Array(5), intercepts: new Float64Array(1), classLabels: [0, 1], featureNames: ['a', 'b', 'c', 'd', 'e'], scaler: { mean: new Float64Array(5), scale: new Float64Array(5).fill(1) } });
    expect(refusal(linear)).toMatch(/nodes|TreeEnsembleClassifier/);
    const modes = (a: OnnxAttribute): OnnxAttribute => (a.type === 'strings' && a.name === 'nodes_modes' ? { ...a, value: a.value.map((v) => (v === 'BRANCH_LT' ? 'BRANCH_LEQ' : v)) } : a);
    expect(refusal(withAttrs((a) => a.map(modes)))).toMatch(/BRANCH_LEQ/);
    expect(refusal(withAttrs((a) => [...a, { name: 'nodes_hitrates', type: 'floats', value: [1] }]))).toMatch(/nodes_hitrates/);
    const none = (a: OnnxAttribute): OnnxAttribute => (a.type === 'string' && a.name === 'post_transform' ? { ...a, value: 'NONE' } : a);
    expect(refusal(withAttrs((a) => a.map(none)))).toMatch(/post_transform/);
    // A feature the engine does not have.
    expect(refusal(exportTreeEnsemble(m), 2)).toMatch(/feature/);
  });
});
