// The hot path of training, per thread: gradients, moving each split node's rows into its children's
// contiguous ranges, gradient histograms (with the subtraction trick) and each node's best split over
// the thread's share of the features. Generated as source text specialised on the row width (loops
// unrolled, which V8 does not do and which is worth 15-40% here); that very text runs in the main
// thread (nthread = 1, compiled with `new Function`) and in every worker (eval'd by worker_threads):
// a .ts worker file cannot be loaded by Node 20 under vitest or from a bundle, and one copy of the
// arithmetic is what makes models bit-identical whatever nthread is.
//
// Rows are records of 64-bit words: bin bytes (features padded to 8), float32 gradient and hessian
// (XGBoost's precision too; histograms sum in float64), original row index. Buffer 0 holds them in original order; a tree's levels alternate between buffers 1 and 2,
// in node order, so a node's rows are contiguous and histogram building streams memory instead of
// gathering scattered rows (at 500k rows the gathering version is cache- and TLB-bound and twice as
// slow). Each node's rows are moved in T chunks whose destinations come from per-chunk counts, so
// the result is the same as one thread's: left rows in order from the start, right rows in reverse
// order from the end.
import { GRADIENT_SOURCE } from './objectives';

/** Histogram layout: per 32-bit word of bins (4 features) × 256 bins × (gradient, hessian). */
export const WORD_DOUBLES = 2048;
/** Doubles one split result occupies: gain, feature, bin, defaultLeft, gradient left, hessian left. */
export const SPLIT_FIELDS = 6;
export const OP_HISTOGRAMS = 1;
export const OP_COUNT = 2;
export const OP_MOVE = 3;
export const OP_GRADIENTS = 4;
export const OP_LOAD_CLASS = 5;
/** Int32 task header; regions of fixed capacity follow (see taskLayout). */
export const TASK = { op: 0, nBuild: 1, nSplit: 2, nWords: 3, nFeats: 4, nPart: 5, klass: 6, header: 8 } as const;
/** start, end, slot, parent slot or -1 (its histogram becomes the sibling's), source buffer. */
export const BUILD_INTS = 5;
/**
 * source, destination, start, end, feature, last left bin, NaN bin (256: NaN goes right), left leaf
 * id, right leaf id (both ≥ 0: children are final leaves, rows are only marked, not moved).
 */
export const PART_INTS = 9;
/** Per part and thread: left rows in the chunk, then where its left rows start and right rows end. */
export const CHUNK_INTS = 3;
/** Rows per block of the gradient pass and of class loading; partial sums are added block by block in order. */
export const GRADIENT_BLOCK = 8192;
/** Bin words handled by one unrolled pass over the rows. */
const UNROLL_WORDS = 8;

export function taskLayout(numWords: number, numFeatures: number, capacity: number, threads: number) {
  const words = TASK.header;
  const feats = words + numWords;
  const builds = feats + numFeatures;
  const splits = builds + BUILD_INTS * capacity;
  const parts = splits + capacity;
  const chunks = parts + PART_INTS * capacity;
  return { words, feats, builds, splits, parts, chunks, ints: chunks + CHUNK_INTS * capacity * threads };
}

/** Record shape for `numFeatures` features: 64-bit words of bins, then gradient and hessian (float32), row index. */
export function recordShape(numFeatures: number) {
  const binWords64 = Math.ceil(numFeatures / 8);
  return {
    /** 32-bit words of bins (4 features each). */
    numWords: 2 * binWords64,
    binWords64,
    /** 64-bit words per record. */
    record64: binWords64 + 2,
    /** Float32 index of the gradient within a record (the hessian follows). */
    pairAt32: 2 * binWords64,
    /** Uint32 index of the original row index within a record. */
    rowAt32: 2 * binWords64 + 2,
  };
}

/** Everything a thread needs; buffers are SharedArrayBuffer-backed when workers are used. */
export interface LevelContext {
  numWords: number;
  numFeatures: number;
  threads: number;
  n: number;
  /** 1 for multiclass softmax, 0 for binary logistic. */
  multiclass: number;
  /** Raw scores per row. */
  outputs: number;
  /** Record buffers (0: original order, 1 and 2: node order), four views each. */
  rec32: Uint32Array[];
  rec8: Uint8Array[];
  rec64: BigUint64Array[];
  recF32: Float32Array[];
  /** Gradient pairs of every class, class c's pair of row i at c·2n + 2i. */
  gh: Float64Array;
  margins: Float64Array;
  labels: Int32Array;
  weight: Float64Array;
  /** Weighted log loss per gradient block, or gradient and hessian sums per block after class loading. */
  blockLoss: Float64Array;
  /** Leaf id per original row for rows whose leaf was settled while moving. */
  rowLeaf: Int32Array;
  slots: Float64Array[];
  numBins: Int32Array;
  missingBin: Int32Array;
  lambda: number;
  minChildWeight: number;
  gamma: number;
  capacity: number;
  taskI32: Int32Array;
  taskF64: Float64Array;
  out: Float64Array;
}

export interface HistogramKernels {
  /** Runs thread `t`'s share of the task in `ctx`. */
  run(ctx: LevelContext, t: number): void;
}

function unrolledBuild(count: number, record64: number, binWords64: number): string {
  let body = '';
  for (let j = 0; j < count; j++) {
    body += `
      w = bins[b + ${j}]; off = base + ${j * 2048};
      o0 = off + ((w & 255) << 1); o1 = off + 512 + ((w >>> 7) & 510);
      o2 = off + 1024 + ((w >>> 15) & 510); o3 = off + 1536 + ((w >>> 23) & 510);
      hist[o0] += g; hist[o0 + 1] += h; hist[o1] += g; hist[o1 + 1] += h;
      hist[o2] += g; hist[o2 + 1] += h; hist[o3] += g; hist[o3 + 1] += h;`;
  }
  return `function (bins, pairs, start, end, hist, q0) {
    var w, off, o0, o1, o2, o3, base = q0 * WORD_DOUBLES;
    for (var i = start; i < end; i++) {
      var gi = i * ${2 * record64} + ${2 * binWords64}, g = pairs[gi], h = pairs[gi + 1], b = i * ${2 * record64} + q0;${body}
    }
  }`;
}

/** Kernel source for `numFeatures` features. */
export function kernelSource(numFeatures: number): string {
  const { numWords, binWords64, record64 } = recordShape(numFeatures);
  const builders: string[] = [];
  for (let k = 1; k <= Math.min(UNROLL_WORDS, numWords); k++) builders.push(unrolledBuild(k, record64, binWords64));
  let copy = '';
  for (let j = 0; j < record64; j++) copy += `db[o + ${j}] = sb[s + ${j}]; `;
  return String.raw`
'use strict';
var WORD_DOUBLES = 2048, SPLIT_FIELDS = 6, HEADER = 8, BUILD_INTS = 5, PART_INTS = 9, CHUNK_INTS = 3;
var UNROLL_WORDS = ${UNROLL_WORDS}, REC64 = ${record64}, REC32 = ${2 * record64}, REC8 = ${8 * record64};
var PAIR32 = ${2 * binWords64}, ROW32 = ${2 * binWords64 + 2}, GRADIENT_BLOCK = ${GRADIENT_BLOCK};
var BUILD = [null, ${builders.join(',\n')}];
${GRADIENT_SOURCE}

function share(count, threads, t) {
  return Math.floor((count * t) / threads);
}

function layout(c) {
  var words = HEADER, feats = words + c.numWords, builds = feats + c.numFeatures;
  var splits = builds + BUILD_INTS * c.capacity, parts = splits + c.capacity, chunks = parts + PART_INTS * c.capacity;
  return { words: words, feats: feats, builds: builds, splits: splits, parts: parts, chunks: chunks };
}

// Same as BUILD[k] for a sampled, non-contiguous word list (colsample_bytree).
function buildListed(bins, pairs, start, end, hist, words, k0, k1) {
  for (var i = start; i < end; i++) {
    var b = i * REC32, gi = b + PAIR32;
    var g = pairs[gi], h = pairs[gi + 1];
    for (var k = k0; k < k1; k++) {
      var q = words[k], w = bins[b + q], off = q * WORD_DOUBLES;
      var o0 = off + ((w & 255) << 1), o1 = off + 512 + ((w >>> 7) & 510);
      var o2 = off + 1024 + ((w >>> 15) & 510), o3 = off + 1536 + ((w >>> 23) & 510);
      hist[o0] += g; hist[o0 + 1] += h; hist[o1] += g; hist[o1 + 1] += h;
      hist[o2] += g; hist[o2 + 1] += h; hist[o3] += g; hist[o3 + 1] += h;
    }
  }
}

function buildHistogram(bins, pairs, start, end, hist, words, k0, k1) {
  for (var k = k0; k < k1; k++) {
    var z = words[k] * WORD_DOUBLES;
    hist.fill(0, z, z + WORD_DOUBLES);
  }
  if (k1 <= k0) return;
  var q0 = words[k0], q1 = words[k1 - 1] + 1;
  if (q1 - q0 !== k1 - k0) {
    buildListed(bins, pairs, start, end, hist, words, k0, k1);
    return;
  }
  for (var q = q0; q < q1; q += UNROLL_WORDS) {
    BUILD[Math.min(UNROLL_WORDS, q1 - q)](bins, pairs, start, end, hist, q);
  }
}

function subtractHistogram(parent, child, words, k0, k1) {
  for (var k = k0; k < k1; k++) {
    var z = words[k] * WORD_DOUBLES, e = z + WORD_DOUBLES;
    for (var i = z; i < e; i++) parent[i] -= child[i];
  }
}

function bestSplit(c, hist, G, H, feats, j0, j1, out, o) {
  var lambda = c.lambda, mcw = c.minChildWeight, gamma = c.gamma;
  var numBins = c.numBins, missingBin = c.missingBin;
  var parentScore = (G * G) / (H + lambda);
  var bestGain = -Infinity, bestF = -1, bestB = -1, bestDL = 0, bestGL = 0, bestHL = 0;
  for (var j = j0; j < j1; j++) {
    var f = feats[j];
    var nb = numBins[f], mb = missingBin[f];
    var base = f * 512;
    var gm = 0, hm = 0;
    if (mb >= 0) { gm = hist[base + 2 * mb]; hm = hist[base + 2 * mb + 1]; }
    var hasMissing = hm > 0;
    var GL = 0, HL = 0;
    for (var s = 0; s < nb - 1; s++) {
      GL += hist[base + 2 * s];
      HL += hist[base + 2 * s + 1];
      // NaN to the right (the only choice when the node holds no NaN).
      var hr = H - HL;
      if (HL >= mcw && hr >= mcw) {
        var gr = G - GL;
        var gain = 0.5 * ((GL * GL) / (HL + lambda) + (gr * gr) / (hr + lambda) - parentScore) - gamma;
        if (gain > bestGain) {
          bestGain = gain; bestF = f; bestB = s; bestGL = GL; bestHL = HL;
          // Without NaN in the node, unseen NaN follows the child with more cover.
          bestDL = hasMissing ? 0 : (HL > hr ? 1 : 0);
        }
      }
      if (hasMissing) {
        var gl2 = GL + gm, hl2 = HL + hm, hr2 = H - hl2;
        if (hl2 >= mcw && hr2 >= mcw) {
          var gr2 = G - gl2;
          var gain2 = 0.5 * ((gl2 * gl2) / (hl2 + lambda) + (gr2 * gr2) / (hr2 + lambda) - parentScore) - gamma;
          if (gain2 > bestGain) {
            bestGain = gain2; bestF = f; bestB = s; bestDL = 1; bestGL = gl2; bestHL = hl2;
          }
        }
      }
    }
  }
  out[o] = bestGain; out[o + 1] = bestF; out[o + 2] = bestB; out[o + 3] = bestDL;
  out[o + 4] = bestGL; out[o + 5] = bestHL;
}

function runHistograms(c, t) {
  var ti = c.taskI32, td = c.taskF64, at = layout(c), threads = c.threads;
  var nBuild = ti[1], nSplit = ti[2], nWords = ti[3], nFeats = ti[4];
  var words = ti.subarray(at.words, at.words + nWords);
  var feats = ti.subarray(at.feats, at.feats + nFeats);
  var k0 = share(nWords, threads, t), k1 = share(nWords, threads, t + 1);
  // This thread's features: those in its words (features and words are both ascending).
  var j0 = 0;
  if (k0 >= nWords) j0 = nFeats;
  else while (j0 < nFeats && (feats[j0] >> 2) < words[k0]) j0++;
  var j1 = j0;
  while (j1 < nFeats && (k1 >= nWords || (feats[j1] >> 2) < words[k1])) j1++;
  for (var e = 0; e < nBuild; e++) {
    var p = at.builds + BUILD_INTS * e;
    var slot = ti[p + 2], parent = ti[p + 3], src = ti[p + 4];
    buildHistogram(c.rec32[src], c.recF32[src], ti[p], ti[p + 1], c.slots[slot], words, k0, k1);
    if (parent >= 0) subtractHistogram(c.slots[parent], c.slots[slot], words, k0, k1);
  }
  for (var s = 0; s < nSplit; s++) {
    bestSplit(c, c.slots[ti[at.splits + s]], td[2 * s], td[2 * s + 1], feats, j0, j1, c.out, (t * c.capacity + s) * SPLIT_FIELDS);
  }
}

// Left rows of one chunk of one node.
function countChunk(c, p, t) {
  var ti = c.taskI32, threads = c.threads;
  var src = ti[p], start = ti[p + 2], end = ti[p + 3];
  var f = ti[p + 4], last = ti[p + 5], nan = ti[p + 6];
  var i0 = start + share(end - start, threads, t), i1 = start + share(end - start, threads, t + 1);
  var sb8 = c.rec8[src], left = 0;
  for (var i = i0; i < i1; i++) {
    var bin = sb8[i * REC8 + f];
    left += (((last - bin) >>> 31) ^ 1) | (((bin ^ nan) - 1) >>> 31);
  }
  return left;
}

// Moves one chunk: left rows forward from l, right rows backward from r - 1; or, when both
// children are final leaves, only records each row's leaf.
function moveChunk(c, p, t, l, r) {
  var ti = c.taskI32, threads = c.threads;
  var src = ti[p], dst = ti[p + 1], start = ti[p + 2], end = ti[p + 3];
  var f = ti[p + 4], last = ti[p + 5], nan = ti[p + 6], leftLeaf = ti[p + 7], rightLeaf = ti[p + 8];
  var i0 = start + share(end - start, threads, t), i1 = start + share(end - start, threads, t + 1);
  var sb8 = c.rec8[src], i, bin, left;
  if (leftLeaf >= 0) {
    var rowLeaf = c.rowLeaf, s32 = c.rec32[src];
    for (i = i0; i < i1; i++) {
      bin = sb8[i * REC8 + f];
      left = (((last - bin) >>> 31) ^ 1) | (((bin ^ nan) - 1) >>> 31);
      rowLeaf[s32[i * REC32 + ROW32]] = left ? leftLeaf : rightLeaf;
    }
    return;
  }
  var sb = c.rec64[src], db = c.rec64[dst];
  r = r - 1;
  for (i = i0; i < i1; i++) {
    bin = sb8[i * REC8 + f];
    // Branch-free: which side a row takes is a coin flip to the predictor.
    left = (((last - bin) >>> 31) ^ 1) | (((bin ^ nan) - 1) >>> 31);
    var d = r + left * (l - r);
    l += left;
    r -= left ^ 1;
    var s = i * REC64, o = d * REC64;
    ${copy}
  }
}

function runGradients(c, t) {
  var n = c.n, blocks = Math.ceil(n / GRADIENT_BLOCK);
  var b0 = share(blocks, c.threads, t), b1 = share(blocks, c.threads, t + 1);
  for (var b = b0; b < b1; b++) {
    var i0 = b * GRADIENT_BLOCK, i1 = Math.min(n, i0 + GRADIENT_BLOCK);
    c.blockLoss[b] = gradientRows(c.multiclass, c.outputs, c.margins, c.labels, c.weight, c.gh, n, i0, i1);
  }
}

// Class k's gradient pairs into the records of buffer 0 (as float32), with their sums per block.
function loadClass(c, t) {
  var n = c.n, blocks = Math.ceil(n / GRADIENT_BLOCK);
  var b0 = share(blocks, c.threads, t), b1 = share(blocks, c.threads, t + 1);
  var pairs = c.recF32[0], gh = c.gh, off = c.taskI32[6] * 2 * n, sums = c.blockLoss;
  for (var b = b0; b < b1; b++) {
    var i1 = Math.min(n, (b + 1) * GRADIENT_BLOCK), G = 0, H = 0;
    for (var i = b * GRADIENT_BLOCK; i < i1; i++) {
      var o = i * REC32 + PAIR32;
      pairs[o] = gh[off + 2 * i];
      pairs[o + 1] = gh[off + 2 * i + 1];
      G += pairs[o];
      H += pairs[o + 1];
    }
    sums[2 * b] = G;
    sums[2 * b + 1] = H;
  }
}

function run(c, t) {
  var ti = c.taskI32, op = ti[0];
  if (op === 1) return runHistograms(c, t);
  if (op === 4) return runGradients(c, t);
  if (op === 5) return loadClass(c, t);
  var at = layout(c), nPart = ti[5], threads = c.threads;
  for (var e = 0; e < nPart; e++) {
    var p = at.parts + PART_INTS * e, q = at.chunks + CHUNK_INTS * (e * threads + t);
    if (op === 2) {
      if (ti[p + 7] < 0) ti[q] = countChunk(c, p, t);
    } else {
      moveChunk(c, p, t, ti[q + 1], ti[q + 2]);
    }
  }
}

return { run: run };
`;
}

/** Compiles the kernels for use in this thread. */
export function loadKernels(numFeatures: number): HistogramKernels {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the module comment
  return new Function(kernelSource(numFeatures))() as HistogramKernels;
}
