// The hot path of training, per thread: gradients, moving each split node's rows into its children's
// contiguous ranges, gradient histograms (with the subtraction trick) and each node's best split over
// the thread's share of the features. The row-streaming loops are WebAssembly (wasm.ts); the rest is
// JavaScript source text, and that very text runs in the main thread (nthread = 1, compiled with
// `new Function`) and in every worker (eval'd by worker_threads): a .ts worker file cannot be loaded
// by Node 20 under vitest or from a bundle, and one copy of the arithmetic is what makes models
// bit-identical whatever nthread is.
//
// Rows are records in the shared WebAssembly memory: bin bytes (features padded to 8), float32
// gradient and hessian (XGBoost's precision too; histograms sum in float64), original row index,
// padded to 16 bytes. Buffer 0 holds them in original order; a tree's levels alternate between
// buffers 1 and 2, in node order, so a node's rows are contiguous and histogram building streams
// memory instead of gathering scattered rows (at 500k rows gathering is cache- and TLB-bound and
// twice as slow). A node's rows are moved by one thread or, when the node is too big to balance the
// threads otherwise, in T chunks whose destinations come from per-chunk counts; either way the result
// is the same: left rows in order from the start, right rows in reverse order from the end.
import { GRADIENT_SOURCE } from './objectives';
import type { KernelExports } from './wasm';

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
 * id, right leaf id (both ≥ 0: children are final leaves, rows are only marked, not moved), owner
 * thread (-1: every thread moves a chunk, after counting).
 */
export const PART_INTS = 10;
/** Per part and thread: left rows in the chunk (for a whole-node mover: in the node), then where its left rows start and right rows end. */
export const CHUNK_INTS = 3;
/** Rows per block of the gradient pass and of class loading; partial sums are added block by block in order. */
export const GRADIENT_BLOCK = 8192;

export function taskLayout(numWords: number, numFeatures: number, capacity: number, threads: number) {
  const words = TASK.header;
  const feats = words + numWords;
  const builds = feats + numFeatures;
  const splits = builds + BUILD_INTS * capacity;
  const parts = splits + capacity;
  const chunks = parts + PART_INTS * capacity;
  return { words, feats, builds, splits, parts, chunks, ints: chunks + CHUNK_INTS * capacity * threads };
}

/** Record shape for `numFeatures` features: bins (padded to 8 bytes), float32 gradient and hessian, row index. */
export function recordShape(numFeatures: number) {
  const binBytes = 8 * Math.ceil(numFeatures / 8);
  return {
    /** 32-bit words of bins (4 features each). */
    numWords: binBytes / 4,
    /** Bytes per record, a multiple of 16 for the SIMD row mover. */
    recordBytes: 16 * Math.ceil((binBytes + 12) / 16),
    /** Byte offset of the float32 gradient (the hessian follows). */
    pairOffset: binBytes,
    /** Float32 index of the gradient within a record. */
    pairAt32: binBytes / 4,
    /** Uint32 index of the original row index within a record. */
    rowAt32: binBytes / 4 + 2,
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
  /** This thread's instance of the WebAssembly kernels (on the shared memory). */
  wasm: KernelExports;
  /** Byte offsets of the record buffers (0: original order, 1 and 2: node order) in the memory. */
  recOffset: number[];
  /** Views of the record buffers. */
  rec32: Uint32Array[];
  rec8: Uint8Array[];
  recF32: Float32Array[];
  /** Gradient pairs of every class, class c's pair of row i at c·2n + 2i. */
  gh: Float64Array;
  margins: Float64Array;
  labels: Int32Array;
  weight: Float64Array;
  /** Per gradient block: the weighted log loss after the gradient pass; gradient and hessian sums after class loading. */
  blockSums: Float64Array;
  /** Leaf id per original row for rows whose leaf was settled while moving. */
  rowLeaf: Int32Array;
  /** 1 for the rows in this tree's sample; empty without subsampling. */
  sampleMask: Uint8Array;
  /** Histogram slots: views, and their byte offsets in the memory. */
  slots: Float64Array[];
  slotOffset: number[];
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

/** Kernel source for `numFeatures` features. */
export function kernelSource(numFeatures: number): string {
  const { recordBytes, pairAt32, rowAt32 } = recordShape(numFeatures);
  return String.raw`
'use strict';
var WORD_DOUBLES = 2048, WORD_BYTES = 16384, SPLIT_FIELDS = 6, HEADER = 8, BUILD_INTS = 5, PART_INTS = 10, CHUNK_INTS = 3;
var REC8 = ${recordBytes}, REC32 = ${recordBytes / 4}, PAIR32 = ${pairAt32}, ROW32 = ${rowAt32}, GRADIENT_BLOCK = ${GRADIENT_BLOCK};
${GRADIENT_SOURCE}

function share(count, threads, t) {
  return Math.floor((count * t) / threads);
}

function layout(c) {
  var words = HEADER, feats = words + c.numWords, builds = feats + c.numFeatures;
  var splits = builds + BUILD_INTS * c.capacity, parts = splits + c.capacity, chunks = parts + PART_INTS * c.capacity;
  return { words: words, feats: feats, builds: builds, splits: splits, parts: parts, chunks: chunks };
}

// Histogram of rows start..end of record buffer src over words[k0..k1) (a run of consecutive words
// per pass), then, if parent >= 0, parent -= it: the parent's histogram becomes the sibling's.
function buildHistogram(c, src, start, end, slot, parent, words, k0, k1) {
  var hist = c.slots[slot], at = c.slotOffset[slot], wasm = c.wasm;
  var k = k0;
  while (k < k1) {
    var q0 = words[k], nw = 1;
    while (k + nw < k1 && words[k + nw] === q0 + nw) nw++;
    hist.fill(0, q0 * WORD_DOUBLES, (q0 + nw) * WORD_DOUBLES);
    wasm.build(c.recOffset[src], start, end, at, q0, nw);
    if (parent >= 0) wasm.subtract(c.slotOffset[parent] + q0 * WORD_BYTES, at + q0 * WORD_BYTES, nw * WORD_BYTES);
    k += nw;
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
    buildHistogram(c, ti[p + 4], ti[p], ti[p + 1], ti[p + 2], ti[p + 3], words, k0, k1);
  }
  for (var s = 0; s < nSplit; s++) {
    bestSplit(c, c.slots[ti[at.splits + s]], td[2 * s], td[2 * s + 1], feats, j0, j1, c.out, (t * c.capacity + s) * SPLIT_FIELDS);
  }
}

function chunkOf(c, p, t) {
  var start = c.taskI32[p + 2], len = c.taskI32[p + 3] - start;
  return [start + share(len, c.threads, t), start + share(len, c.threads, t + 1)];
}

// Moves one chunk of a node: left rows forward from l, right rows backward from r - 1; or, when both
// children are final leaves, only records each row's leaf.
function moveChunk(c, p, t, l, r) {
  var ti = c.taskI32, chunk = chunkOf(c, p, t);
  if (ti[p + 7] < 0) {
    c.wasm.move(c.recOffset[ti[p]], c.recOffset[ti[p + 1]], chunk[0], chunk[1], ti[p + 4], ti[p + 5], ti[p + 6], l, r);
    return;
  }
  markRows(c, p, chunk[0], chunk[1]);
}

// Rows i0..i1 of a node whose children are final leaves: each row's leaf, by original row index.
function markRows(c, p, i0, i1) {
  var ti = c.taskI32, src = ti[p], f = ti[p + 4], last = ti[p + 5], nan = ti[p + 6];
  var leftLeaf = ti[p + 7], rightLeaf = ti[p + 8];
  var rowLeaf = c.rowLeaf, s8 = c.rec8[src], s32 = c.rec32[src];
  for (var i = i0; i < i1; i++) {
    var bin = s8[i * REC8 + f];
    var left = (((last - bin) >>> 31) ^ 1) | (((bin ^ nan) - 1) >>> 31);
    rowLeaf[s32[i * REC32 + ROW32]] = left ? leftLeaf : rightLeaf;
  }
}

// A whole node by one thread; returns its left rows.
function moveNode(c, p) {
  var ti = c.taskI32, start = ti[p + 2], end = ti[p + 3];
  if (ti[p + 7] >= 0) {
    markRows(c, p, start, end);
    return 0;
  }
  return c.wasm.move(c.recOffset[ti[p]], c.recOffset[ti[p + 1]], start, end, ti[p + 4], ti[p + 5], ti[p + 6], start, end) - start;
}

function runGradients(c, t) {
  var n = c.n, blocks = Math.ceil(n / GRADIENT_BLOCK);
  var b0 = share(blocks, c.threads, t), b1 = share(blocks, c.threads, t + 1);
  for (var b = b0; b < b1; b++) {
    var i0 = b * GRADIENT_BLOCK, i1 = Math.min(n, i0 + GRADIENT_BLOCK);
    c.blockSums[b] = gradientRows(c.multiclass, c.outputs, c.margins, c.labels, c.weight, c.gh, n, i0, i1);
  }
}

// Class k's gradient pairs into the records of buffer 0 (as float32; zero for rows outside the
// tree's sample), with their sums per block.
function loadClass(c, t) {
  var n = c.n, blocks = Math.ceil(n / GRADIENT_BLOCK);
  var b0 = share(blocks, c.threads, t), b1 = share(blocks, c.threads, t + 1);
  var pairs = c.recF32[0], gh = c.gh, off = c.taskI32[6] * 2 * n, sums = c.blockSums;
  var mask = c.sampleMask, sampled = mask.length > 0;
  for (var b = b0; b < b1; b++) {
    var i1 = Math.min(n, (b + 1) * GRADIENT_BLOCK), G = 0, H = 0;
    for (var i = b * GRADIENT_BLOCK; i < i1; i++) {
      var o = i * REC32 + PAIR32;
      if (sampled && mask[i] === 0) {
        pairs[o] = 0;
        pairs[o + 1] = 0;
        continue;
      }
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
    var owner = ti[p + 9];
    if (op === 2) {
      if (ti[p + 7] < 0 && owner < 0) {
        var chunk = chunkOf(c, p, t);
        ti[q] = c.wasm.count(c.recOffset[ti[p]], chunk[0], chunk[1], ti[p + 4], ti[p + 5], ti[p + 6]);
      }
    } else if (owner < 0) {
      moveChunk(c, p, t, ti[q + 1], ti[q + 2]);
    } else if (owner === t) {
      ti[q] = moveNode(c, p);
    }
  }
}

return { run: run };
`;
}

/** Compiles the kernels for use in this thread. */
export function loadKernels(numFeatures: number): HistogramKernels {
  return new Function(kernelSource(numFeatures))() as HistogramKernels;
}
