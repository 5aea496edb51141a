// Reads a tree ensemble back out of a `model.onnx`: the ai.onnx.ml TreeEnsembleClassifier that
// export-trees.ts writes (one node, BRANCH_LT splits, one weight per leaf, LOGISTIC for two classes
// and SOFTMAX for more). What comes back is a TreeEnsemble with onnxruntime's float32 numbers (the
// thresholds, the leaf weights, the base values), so the compiled predictor (fast-predict.ts) can
// score a model loaded from disk. Anything outside that subset (other operators, modes, tensor-valued
// attributes, leaves with several weights, a tree spread over several runs) gives an error string,
// never a guess: the caller then keeps to onnxruntime.

import type { Tree, TreeEnsemble } from '../tree-model';
import { ONNX_ML_DOMAIN } from './protobuf';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** The fields of one protobuf message, in order: varints as numbers, the rest as byte ranges. */
type Field = { no: number; wire: number; int: number; bytes: Uint8Array };

/** A varint as an int64 number: exact within ±2^53 (a negative int64 is its ten-byte two's complement). */
function readVarint(b: Uint8Array, at: { pos: number }): number {
  let result = 0;
  let scale = 1;
  const from = at.pos;
  for (let i = 0; i < 7; i++) {
    if (at.pos >= b.length) throw new Error('truncated varint');
    const byte = b[at.pos++]!;
    result += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return result;
    scale *= 128;
  }
  // Eight bytes or more (≥ 2^49, or negative): the exact 64-bit value.
  at.pos = from;
  let big = 0n;
  for (let i = 0; i < 10; i++) {
    if (at.pos >= b.length) throw new Error('truncated varint');
    const byte = b[at.pos++]!;
    big |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) {
      const v = BigInt.asIntN(64, big);
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error('an int64 beyond 2^53');
      return Number(v);
    }
  }
  throw new Error('varint longer than ten bytes');
}

function fields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  const at = { pos: 0 };
  while (at.pos < b.length) {
    const key = readVarint(b, at);
    const no = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === VARINT) out.push({ no, wire, int: readVarint(b, at), bytes: b.subarray(0, 0) });
    else if (wire === LENGTH_DELIMITED) {
      const len = readVarint(b, at);
      if (len < 0 || at.pos + len > b.length) throw new Error('truncated field');
      out.push({ no, wire, int: 0, bytes: b.subarray(at.pos, at.pos + len) });
      at.pos += len;
    } else if (wire === FIXED32 || wire === FIXED64) {
      const len = wire === FIXED32 ? 4 : 8;
      if (at.pos + len > b.length) throw new Error('truncated field');
      out.push({ no, wire, int: 0, bytes: b.subarray(at.pos, at.pos + len) });
      at.pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const utf8 = new TextDecoder();

interface Attribute {
  name: string;
  ints: number[];
  floats: number[];
  strings: string[];
  /** Set when the attribute carries something this reader does not take (a tensor, a graph). */
  other: boolean;
}

function attribute(b: Uint8Array): Attribute {
  const a: Attribute = { name: '', ints: [], floats: [], strings: [], other: false };
  for (const f of fields(b)) {
    const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
    if (f.no === 1 && f.wire === LENGTH_DELIMITED) a.name = utf8.decode(f.bytes);
    else if (f.no === 2 && f.wire === FIXED32) a.floats.push(view.getFloat32(0, true)); // f
    else if (f.no === 3 && f.wire === VARINT) a.ints.push(f.int); // i
    else if (f.no === 4 && f.wire === LENGTH_DELIMITED) a.strings.push(utf8.decode(f.bytes)); // s
    else if (f.no === 7 && f.wire === FIXED32) a.floats.push(view.getFloat32(0, true)); // floats, unpacked
    else if (f.no === 7 && f.wire === LENGTH_DELIMITED) {
      if (f.bytes.length % 4 !== 0) throw new Error('packed floats of a length not a multiple of 4');
      for (let i = 0; i < f.bytes.length; i += 4) a.floats.push(view.getFloat32(i, true));
    } else if (f.no === 8 && f.wire === VARINT) a.ints.push(f.int); // ints, unpacked
    else if (f.no === 8 && f.wire === LENGTH_DELIMITED) {
      const at = { pos: 0 };
      while (at.pos < f.bytes.length) a.ints.push(readVarint(f.bytes, at));
    } else if (f.no === 9 && f.wire === LENGTH_DELIMITED) a.strings.push(utf8.decode(f.bytes)); // strings
    else if (f.no === 20 || f.no === 13) continue; // type, doc_string
    else a.other = true;
  }
  return a;
}

interface Node {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Attribute[];
}

function node(b: Uint8Array): Node {
  const n: Node = { opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  for (const f of fields(b)) {
    if (f.wire !== LENGTH_DELIMITED) continue;
    if (f.no === 1) n.inputs.push(utf8.decode(f.bytes));
    else if (f.no === 2) n.outputs.push(utf8.decode(f.bytes));
    else if (f.no === 4) n.opType = utf8.decode(f.bytes);
    else if (f.no === 5) n.attributes.push(attribute(f.bytes));
    else if (f.no === 7) n.domain = utf8.decode(f.bytes);
  }
  return n;
}

const KNOWN = new Set([
  'nodes_treeids', 'nodes_nodeids', 'nodes_featureids', 'nodes_modes', 'nodes_values', 'nodes_truenodeids', 'nodes_falsenodeids',
  'nodes_missing_value_tracks_true', 'class_treeids', 'class_nodeids', 'class_ids', 'class_weights', 'classlabels_int64s',
  'base_values', 'post_transform',
]);

export interface ImportedTrees {
  model: TreeEnsemble;
  /** The graph's input and output names, for the caller to check against the sidecar. */
  input: string;
  outputs: readonly string[];
}

/**
 * The TreeEnsemble of a TreeEnsembleClassifier graph taking `numFeatures` features, or an error
 * saying why it is not one this reader maps exactly (see the module comment).
 */
export function treeEnsembleFromOnnx(bytes: Uint8Array, numFeatures: number): { ok: true; trees: ImportedTrees } | { ok: false; error: string } {
  try {
    return { ok: true, trees: read(bytes, numFeatures) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function read(bytes: Uint8Array, F: number): ImportedTrees {
  const graph = fields(bytes).filter((f) => f.no === 7 && f.wire === LENGTH_DELIMITED);
  if (graph.length !== 1) throw new Error('no single graph');
  const nodes = fields(graph[0]!.bytes).filter((f) => f.no === 1 && f.wire === LENGTH_DELIMITED).map((f) => node(f.bytes));
  if (nodes.length !== 1) throw new Error(`the graph has ${nodes.length} nodes, not one TreeEnsembleClassifier`);
  const op = nodes[0]!;
  if (op.opType !== 'TreeEnsembleClassifier' || op.domain !== ONNX_ML_DOMAIN) throw new Error(`the node is ${op.domain}.${op.opType}`);
  if (op.inputs.length !== 1 || op.outputs.length !== 2) throw new Error('the node does not take one input to a label and probabilities');
  const attr = new Map<string, Attribute>();
  for (const a of op.attributes) {
    if (a.other || !KNOWN.has(a.name)) throw new Error(`attribute ${a.name} is not read here`);
    if (attr.has(a.name)) throw new Error(`attribute ${a.name} twice`);
    attr.set(a.name, a);
  }
  const ints = (name: string, required = true): number[] => {
    const a = attr.get(name);
    if (!a && required) throw new Error(`no ${name}`);
    return a?.ints ?? [];
  };
  const treeIds = ints('nodes_treeids');
  const nodeIds = ints('nodes_nodeids');
  const featureIds = ints('nodes_featureids');
  const modes = attr.get('nodes_modes')?.strings ?? [];
  const values = attr.get('nodes_values')?.floats ?? [];
  const trueIds = ints('nodes_truenodeids');
  const falseIds = ints('nodes_falsenodeids');
  const missing = ints('nodes_missing_value_tracks_true', false);
  const N = treeIds.length;
  for (const [name, len] of [['nodes_nodeids', nodeIds.length], ['nodes_featureids', featureIds.length], ['nodes_modes', modes.length], ['nodes_values', values.length], ['nodes_truenodeids', trueIds.length], ['nodes_falsenodeids', falseIds.length]] as const) {
    if (len !== N) throw new Error(`${name} has ${len} entries for ${N} nodes`);
  }
  if (missing.length !== 0 && missing.length !== N) throw new Error(`nodes_missing_value_tracks_true has ${missing.length} entries for ${N} nodes`);
  const labels = ints('classlabels_int64s');
  const K = labels.length;
  if (K < 2) throw new Error('fewer than two class labels');
  const transform = attr.get('post_transform')?.strings[0] ?? 'NONE';
  const binary = K === 2;
  if (binary ? transform !== 'LOGISTIC' : transform !== 'SOFTMAX') throw new Error(`post_transform ${transform} for ${K} classes`);
  const outputs = binary ? 1 : K;
  const base = attr.get('base_values')?.floats ?? [];
  if (base.length !== outputs) throw new Error(`${base.length} base values for ${outputs} outputs`);

  // Leaf weights: exactly one per leaf, all of a tree's leaves adding to one output.
  const cTree = ints('class_treeids');
  const cNode = ints('class_nodeids');
  const cId = ints('class_ids');
  const cWeight = attr.get('class_weights')?.floats ?? [];
  if (cNode.length !== cTree.length || cId.length !== cTree.length || cWeight.length !== cTree.length) throw new Error('class_* attributes differ in length');
  const weightOf = new Map<string, { w: number; c: number }>();
  let negative = false;
  for (let i = 0; i < cTree.length; i++) {
    const key = `${cTree[i]}:${cNode[i]}`;
    if (weightOf.has(key)) throw new Error(`leaf ${key} has more than one weight`);
    const c = cId[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= outputs) throw new Error(`leaf ${key} adds to class ${c} of ${outputs}`);
    weightOf.set(key, { w: cWeight[i]!, c });
    if (cWeight[i]! < 0) negative = true;
  }
  // With every weight ≥ 0 older onnxruntime kernels skipped the logistic (export-trees.ts): no exact map.
  if (binary && !negative) throw new Error('a binary model with no negative leaf weight');

  const trees: Tree[] = [];
  const treeOutput: number[] = [];
  let leaves = 0;
  const seen = new Set<number>();
  for (let start = 0; start < N; ) {
    const id = treeIds[start]!;
    let end = start;
    while (end < N && treeIds[end] === id) end++;
    // onnxruntime takes the first node of each run of a tree id as its root.
    if (seen.has(id)) throw new Error(`tree ${id} is not one run of nodes`);
    seen.add(id);
    const at = new Map<number, number>();
    for (let i = start; i < end; i++) {
      if (at.has(nodeIds[i]!)) throw new Error(`tree ${id}: node ${nodeIds[i]} twice`);
      at.set(nodeIds[i]!, i);
    }
    const order: number[] = []; // attribute index of each tree node, preorder from the root
    const local = new Map<number, number>();
    const stack = [start];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (local.has(i)) throw new Error(`tree ${id}: node ${nodeIds[i]} reached twice`);
      local.set(i, order.length);
      order.push(i);
      if (modes[i] === 'LEAF') continue;
      if (modes[i] !== 'BRANCH_LT') throw new Error(`tree ${id}: mode ${modes[i]}`);
      const t = at.get(trueIds[i]!);
      const f = at.get(falseIds[i]!);
      if (t === undefined || f === undefined) throw new Error(`tree ${id}: node ${nodeIds[i]} points outside the tree`);
      stack.push(f, t);
    }
    const m = order.length;
    if (m !== end - start) throw new Error(`tree ${id}: ${end - start - m} node(s) not reachable from its root`);
    const tree: Tree = {
      feature: new Int32Array(m),
      threshold: new Float32Array(m),
      left: new Int32Array(m).fill(-1),
      right: new Int32Array(m).fill(-1),
      defaultLeft: new Uint8Array(m),
      value: new Float64Array(m),
      cover: new Float64Array(m),
      gain: new Float64Array(m),
    };
    let output = -1;
    for (let k = 0; k < m; k++) {
      const i = order[k]!;
      if (modes[i] === 'LEAF') {
        const leaf = weightOf.get(`${id}:${nodeIds[i]}`);
        if (!leaf) throw new Error(`tree ${id}: leaf ${nodeIds[i]} has no weight`);
        if (output !== -1 && leaf.c !== output) throw new Error(`tree ${id} adds to more than one class`);
        output = leaf.c;
        leaves++;
        tree.feature[k] = -1;
        tree.value[k] = leaf.w;
        continue;
      }
      const feature = featureIds[i]!;
      if (!Number.isInteger(feature) || feature < 0 || feature >= F) throw new Error(`tree ${id}: feature ${feature} of ${F}`);
      if (Number.isNaN(values[i]!)) throw new Error(`tree ${id}: NaN threshold`);
      tree.feature[k] = feature;
      tree.threshold[k] = values[i]!;
      tree.left[k] = local.get(at.get(trueIds[i]!)!)!;
      tree.right[k] = local.get(at.get(falseIds[i]!)!)!;
      tree.defaultLeft[k] = missing.length > 0 && missing[i] ? 1 : 0;
    }
    if (output === -1) throw new Error(`tree ${id} has no leaf`);
    trees.push(tree);
    treeOutput.push(output);
    start = end;
  }
  if (leaves !== weightOf.size) throw new Error(`${weightOf.size - leaves} weight(s) on nodes that are not leaves of the trees`);
  return {
    model: {
      objective: binary ? 'binary' : 'multiclass',
      numClass: K,
      numFeatures: F,
      featureNames: Array.from({ length: F }, (_, i) => `f${i}`),
      baseScore: Float64Array.from(base),
      trees,
      treeOutput: Int32Array.from(treeOutput),
      classLabels: labels,
    },
    input: op.inputs[0]!,
    outputs: op.outputs,
  };
}
