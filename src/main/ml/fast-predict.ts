// A compiled predictor for a TreeEnsemble, built once per model: the same margins as predictRaw (bit
// for bit: base score, then the trees in order, per output) at a fraction of the cost.
//
// How: every tree of depth D ≤ MAX_PAD_DEPTH is padded to a complete binary tree stored implicitly
// (root 1, children 2i and 2i + 1; a leaf above depth D becomes pass-through nodes that always go
// left, down to a copy of its value), so a row walks exactly D levels with no leaf test and no
// branch: i = 2i + goRight. Inputs are turned once per call into order-preserving int32 keys of their
// float32 value (-0 folded into +0), so `x < threshold` is `key(x) < key(threshold)`, and each
// feature gets two keys: NaN as INT32_MAX (read by nodes whose missing value goes right: never below
// a threshold) and as INT32_MIN (read by nodes whose missing value goes left: always below). A node
// stores the byte offset of the key it reads (feature, or feature + F when missing goes left) and its
// threshold key, interleaved; one more key per row holds INT32_MIN for the pass-through nodes.
// The walk runs in a WebAssembly module emitted per model (row stride and output count baked in as
// load offsets): tree-major over blocks of 64 rows (the block's keys stay in L1), LANES rows at a time
// as independent dependency chains (a block's last rows short of LANES one at a time). Trees deeper than MAX_PAD_DEPTH fall back to leafOf on the
// original arrays in their place in the order, so the sums stay identical.
import { leafOf, outputsOf, probaFromRaw, type TreeEnsemble } from './tree-model';
import { BASE_OPS, I32, section, sleb, uleb, vec, wasmName as wname } from './wasm-bytes';

const MAX_PAD_DEPTH = 12;
const BLOCK_ROWS = 64;
const LANES = 8;
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

// --- WebAssembly emission (the few opcodes we need) -------------------------------------------



const op = {
  ...BASE_OPS,
  eqz: [0x45],
  geU: [0x4f],
  geS: [0x4e],
  load32: (offset = 0) => [0x28, 2, ...uleb(offset)],
  f64Load: (offset = 0) => [0x2b, 3, ...uleb(offset)],
  f64Store: (offset = 0) => [0x39, 3, ...uleb(offset)],
  f64Add: [0xa0],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
};

/**
 * run<D>(tab0, tab1, keys, out, groups): for each 16-byte tree record [tab0, tab1) of trees padded to
 * depth D — depth, node base, leaf base, output byte offset — walks `groups` × LANES rows of keys
 * (strideBytes apart) and adds each row's leaf to its output (outRowBytes apart). One function per depth
 * 0..MAX_PAD_DEPTH, each with its D levels unrolled (no level loop, no depth counter). one<D> is the
 * same walk one row at a time (`groups` rows), for the rows of a block short of a whole group of LANES:
 * a live minute is a few rows, and a single row walked as LANES of them did LANES times the work.
 */
function walkerModule(strideBytes: number, outRowBytes: number): Uint8Array<ArrayBuffer> {
  const depths = Array.from({ length: MAX_PAD_DEPTH + 1 }, (_, k) => k); // 0: a tree that is one leaf
  const codes = [...depths.map((d) => walker(d, LANES, strideBytes, outRowBytes)), ...depths.map((d) => walker(d, 1, strideBytes, outRowBytes))];
  const type = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  // Imported memory: limits flag 0 (no maximum), minimum 1 page.
  const imports = [[...wname('env'), ...wname('memory'), 0x02, 0x00, ...uleb(1)]];
  const names = [...depths.map((d) => `run${d}`), ...depths.map((d) => `one${d}`)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec(imports)),
    ...section(3, vec(codes.map(() => uleb(0)))),
    ...section(7, vec(names.map((name, k) => [...wname(name), 0x00, ...uleb(k)]))),
    ...section(10, vec(codes)),
  ]);
}

/** The code of one walker: trees padded to `depth`, `L` rows at a time as independent chains. */
function walker(depth: number, L: number, strideBytes: number, outRowBytes: number): number[] {
  const V = { tab0: 0, tab1: 1, keys: 2, out: 3, groups: 4, t: 5, nb: 6, lb: 7, b: 8, o: 9, g: 10, p: 11, i: 12 };
  const lane = (j: number) => V.i + j;
  const level: number[] = [];
  for (let j = 0; j < L; j++) {
    level.push(
      ...op.get(lane(j)), ...op.i32(3), ...op.shl, ...op.get(V.nb), ...op.add, ...op.tee(V.p),
      ...op.load32(0), ...op.get(V.b), ...op.add, ...op.load32(j * strideBytes),
      ...op.get(V.p), ...op.load32(4), ...op.geS,
      ...op.get(lane(j)), ...op.i32(1), ...op.shl, ...op.add, ...op.set(lane(j)),
    );
  }
  const init: number[] = [];
  const leaf: number[] = [];
  for (let j = 0; j < L; j++) {
    init.push(...op.i32(1), ...op.set(lane(j)));
    leaf.push(
      ...op.get(V.o), ...op.get(V.o), ...op.f64Load(j * outRowBytes),
      ...op.get(lane(j)), ...op.i32(3), ...op.shl, ...op.get(V.lb), ...op.add, ...op.f64Load(0),
      ...op.f64Add, ...op.f64Store(j * outRowBytes),
    );
  }
  const body = [
    ...op.get(V.tab0), ...op.set(V.t),
    ...op.block, ...op.loop,
    ...op.get(V.t), ...op.get(V.tab1), ...op.geU, ...op.brIf(1),
    ...op.get(V.t), ...op.load32(4), ...op.set(V.nb),
    ...op.get(V.t), ...op.load32(8), ...op.set(V.lb),
    ...op.get(V.t), ...op.load32(12), ...op.get(V.out), ...op.add, ...op.set(V.o),
    ...op.get(V.keys), ...op.set(V.b),
    ...op.get(V.groups), ...op.set(V.g),
    ...op.block, ...op.loop,
    ...op.get(V.g), ...op.eqz, ...op.brIf(1),
    ...init,
    ...Array.from({ length: depth }, () => level).flat(),
    ...leaf,
    ...op.get(V.b), ...op.i32(L * strideBytes), ...op.add, ...op.set(V.b),
    ...op.get(V.o), ...op.i32(L * outRowBytes), ...op.add, ...op.set(V.o),
    ...op.get(V.g), ...op.i32(1), ...op.sub, ...op.set(V.g),
    ...op.br(0),
    ...op.end, ...op.end,
    ...op.get(V.t), ...op.i32(16), ...op.add, ...op.set(V.t),
    ...op.br(0),
    ...op.end, ...op.end,
    ...op.end,
  ];
  const code = [...vec([[V.i + L - V.t, I32]]), ...body];
  return [...uleb(code.length), ...code];
}

// --- Keys -------------------------------------------------------------------------------------

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** Order-preserving int32 key of a non-NaN float32 value (-0 and +0 share one key). */
function keyOf(v: number): number {
  f32[0] = v + 0;
  const b = i32[0]!;
  return b >= 0 ? b : b ^ INT_MAX;
}

function treeDepth(feature: Int32Array, left: Int32Array, right: Int32Array, node: number): number {
  if (feature[node]! < 0) return 0;
  return 1 + Math.max(treeDepth(feature, left, right, left[node]!), treeDepth(feature, left, right, right[node]!));
}

// --- Predictor --------------------------------------------------------------------------------

export interface FastPredictor {
  readonly outputs: number;
  /** Raw scores (margins), row-major [n, outputs]; identical to predictRaw. */
  predictRaw(x: ArrayLike<number>, n: number): Float64Array;
  /** Class probabilities, row-major [n, numClass]; identical to predictProba. */
  predictProba(x: ArrayLike<number>, n: number): Float64Array;
}

/** A run of trees walked by the module ([tab0, tab1) byte range of records), or one deep tree. */
type Step = { kind: 'wasm'; depth: number; tab0: number; tab1: number } | { kind: 'tree'; tree: number };

export function compilePredictor(m: TreeEnsemble): FastPredictor {
  const F = m.numFeatures;
  const K = outputsOf(m);
  const stride = 2 * F + 1;
  const depths = m.trees.map((t) => treeDepth(t.feature, t.left, t.right, 0));
  let nodeLen = 0;
  let leafLen = 0;
  let padded = 0;
  for (const d of depths) {
    if (d <= MAX_PAD_DEPTH) {
      nodeLen += 2 << d;
      leafLen += 1 << d;
      padded++;
    }
  }

  // Memory layout (bytes): leaves (f64) | output block (f64) | nodes (i32 pairs) | tree records | keys.
  const leavesAt = 0;
  const outAt = leavesAt + leafLen * 8;
  const nodesAt = outAt + BLOCK_ROWS * K * 8;
  const tabAt = nodesAt + nodeLen * 4;
  const keysAt = tabAt + padded * 16;
  const total = keysAt + BLOCK_ROWS * stride * 4;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(total / 65536)) });
  const leaves = new Float64Array(memory.buffer, leavesAt, leafLen);
  const outBlock = new Float64Array(memory.buffer, outAt, BLOCK_ROWS * K);
  const nodes = new Int32Array(memory.buffer, nodesAt, nodeLen);
  const tab = new Int32Array(memory.buffer, tabAt, padded * 4);
  const keys = new Int32Array(memory.buffer, keysAt, BLOCK_ROWS * stride);

  const steps: Step[] = [];
  let no = 0;
  let lo = 0;
  let ti = 0;
  for (let t = 0; t < m.trees.length; t++) {
    const tree = m.trees[t]!;
    const D = depths[t]!;
    if (D > MAX_PAD_DEPTH) {
      steps.push({ kind: 'tree', tree: t });
      continue;
    }
    const full = 1 << D;
    const leafOff = lo - full; // leaves[leafOff + i] for implicit node i at depth D
    const fill = (node: number, i: number, d: number): void => {
      const f = tree.feature[node]!;
      if (f < 0) {
        leaves[leafOff + (i << (D - d))] = tree.value[node]!;
        for (let j = i, dd = d; dd < D; j *= 2, dd++) {
          nodes[no + 2 * j] = 2 * F * 4; // the INT32_MIN key: always left
          nodes[no + 2 * j + 1] = 0;
        }
        return;
      }
      const th = tree.threshold[node]!;
      nodes[no + 2 * i] = (tree.defaultLeft[node] ? f + F : f) * 4;
      // A NaN threshold sends every number right and NaN its default way: any key above INT32_MIN.
      nodes[no + 2 * i + 1] = Number.isNaN(th) ? INT_MIN + 1 : keyOf(Math.fround(th));
      fill(tree.left[node]!, 2 * i, d + 1);
      fill(tree.right[node]!, 2 * i + 1, d + 1);
    };
    fill(0, 1, 0);
    tab[ti * 4] = D;
    tab[ti * 4 + 1] = nodesAt + no * 4;
    tab[ti * 4 + 2] = leavesAt + leafOff * 8; // may wrap below 0: i32 addition wraps back
    tab[ti * 4 + 3] = m.treeOutput[t]! * 8;
    const rec = tabAt + ti * 16;
    const last = steps[steps.length - 1];
    if (last?.kind === 'wasm' && last.tab1 === rec && last.depth === D) last.tab1 = rec + 16;
    else steps.push({ kind: 'wasm', depth: D, tab0: rec, tab1: rec + 16 });
    ti++;
    no += 2 << D;
    lo += full;
  }

  const module = new WebAssembly.Module(walkerModule(stride * 4, K * 8));
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  type Run = (tab0: number, tab1: number, keys: number, out: number, groups: number) => void;
  const runs: Run[] = [];
  const ones: Run[] = [];
  for (let d = 0; d <= MAX_PAD_DEPTH; d++) {
    runs[d] = instance.exports[`run${d}`] as Run;
    ones[d] = instance.exports[`one${d}`] as Run;
  }
  const base = m.baseScore;

  const predictRaw = (x: ArrayLike<number>, n: number): Float64Array => {
    const out = new Float64Array(n * K);
    for (let r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
      const r1 = Math.min(n, r0 + BLOCK_ROWS);
      const rows = r1 - r0;
      for (let r = 0; r < rows; r++) {
        const b = r * stride;
        const xo = (r0 + r) * F;
        for (let f = 0; f < F; f++) {
          const v = Math.fround(x[xo + f]!);
          if (v !== v) {
            keys[b + f] = INT_MAX;
            keys[b + F + f] = INT_MIN;
          } else {
            const key = keyOf(v);
            keys[b + f] = key;
            keys[b + F + f] = key;
          }
        }
        keys[b + 2 * F] = INT_MIN;
      }
      for (let r = 0; r < BLOCK_ROWS; r++) for (let c = 0; c < K; c++) outBlock[r * K + c] = base[c]!;
      // Whole groups of LANES rows, then the rest one row at a time; each row still adds the trees in
      // order, so the sums are the same however the rows are grouped.
      const groups = Math.floor(rows / LANES);
      const rest = rows - groups * LANES;
      const restKeys = keysAt + groups * LANES * stride * 4;
      const restOut = outAt + groups * LANES * K * 8;
      for (const s of steps) {
        if (s.kind === 'wasm') {
          if (groups > 0) runs[s.depth]!(s.tab0, s.tab1, keysAt, outAt, groups);
          if (rest > 0) ones[s.depth]!(s.tab0, s.tab1, restKeys, restOut, rest);
        } else {
          const tree = m.trees[s.tree]!;
          const c = m.treeOutput[s.tree]!;
          for (let r = 0; r < rows; r++) outBlock[r * K + c]! += tree.value[leafOf(tree, x, (r0 + r) * F)]!;
        }
      }
      out.set(outBlock.subarray(0, rows * K), r0 * K);
    }
    return out;
  };

  const predictProba = (x: ArrayLike<number>, n: number): Float64Array => probaFromRaw(m, predictRaw(x, n), n);

  return { outputs: K, predictRaw, predictProba };
}
