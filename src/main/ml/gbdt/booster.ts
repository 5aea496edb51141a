// The boosting loop and depth-wise tree growth (XGBoost hist's grow_policy=depthwise): bins once, then
// per tree, a level at a time, builds the smaller child's histogram, derives the sibling's by
// subtraction, and splits every node on its best (feature, bin, NaN direction). The heavy passes run
// as tasks on every thread (histogram.ts, worker.ts); the decisions are made here, on one thread.
import { SeededRandom } from '../../engine/random';
import type { Tree, TreeEnsemble } from '../tree-model';
import { binFeatures, writeRowMajor, type BinMapper } from './binning';
import {
  BUILD_INTS,
  CHUNK_INTS,
  GRADIENT_BLOCK,
  loadKernels,
  OP_COUNT,
  OP_GRADIENTS,
  OP_HISTOGRAMS,
  OP_LOAD_CLASS,
  OP_MOVE,
  PART_INTS,
  recordShape,
  SPLIT_FIELDS,
  TASK,
  taskLayout,
  WORD_DOUBLES,
  type HistogramKernels,
  type LevelContext,
} from './histogram';
import { baseScore, logLossFromMargins } from './objectives';
import type { ResolvedParams } from './params';
import type { GbdtData, GbdtResult, RoundLog } from './trainer';
import { kernelModule, type KernelExports } from './wasm';
import { HistogramWorkers, type SharedBuffers } from './worker';

/** A split must improve the objective by more than this (our ½-scaled gain, γ already subtracted). */
const MIN_SPLIT_GAIN = 1e-10;
/** WebAssembly pages (64 KiB) in 4 GiB, the most a 32-bit memory can address. */
const MAX_PAGES = 65_536;

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  /** Histogram slot, -1 when the node cannot split. */
  slot: number;
  /** Buffer holding the node's rows (0: original order, 1 or 2: node order). */
  buf: number;
}

interface BuildEntry {
  start: number;
  end: number;
  slot: number;
  parent: number;
  src: number;
}

/** Growing tree: plain arrays until it is frozen into the typed arrays of `Tree`. */
class TreeBuilder {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  defaultLeft: number[] = [];
  value: number[] = [];
  cover: number[] = [];
  gain: number[] = [];

  add(cover: number): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.defaultLeft.push(0);
    this.value.push(0);
    this.cover.push(cover);
    this.gain.push(0);
    return this.feature.length - 1;
  }

  freeze(): Tree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float32Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      value: Float64Array.from(this.value),
      cover: Float64Array.from(this.cover),
      gain: Float64Array.from(this.gain),
    };
  }
}

export class Booster {
  private readonly n: number;
  private readonly f: number;
  private readonly k: number;
  private readonly numWords: number;
  private readonly threads: number;
  private readonly recordBytes: number;
  private readonly rowAt32: number;
  private readonly memory: WebAssembly.Memory;
  private readonly wasmModule: WebAssembly.Module;
  /** Start of the histogram slots in the memory (after the three record buffers). */
  private readonly slotsAt: number;
  private readonly maxSlots: number;
  private readonly totalWeight: number;
  private readonly mapper: BinMapper;
  private readonly ctx: LevelContext;
  private readonly kernels: HistogramKernels;
  private readonly slotSize: number;
  private readonly freeSlots: number[] = [];
  private readonly rng: SeededRandom;
  private readonly base: Float64Array;
  private workers: HistogramWorkers | null = null;
  private validMargins: Float64Array | null = null;

  constructor(
    private readonly data: GbdtData,
    private readonly p: ResolvedParams,
    private readonly valid: GbdtData | undefined,
  ) {
    const { n, f } = data;
    this.n = n;
    this.f = f;
    this.k = p.outputs;
    const shape = recordShape(f);
    this.numWords = shape.numWords;
    this.threads = Math.max(1, Math.min(p.nthread, this.numWords));
    this.kernels = loadKernels(f);
    const shared = this.threads > 1;
    const alloc = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));

    const labels = new Int32Array(alloc(4 * n));
    labels.set(data.y);
    const weight = new Float64Array(alloc(8 * n));
    weight.set(effectiveWeights(labels, data.weight, p));
    let totalWeight = 0;
    for (let i = 0; i < n; i++) totalWeight += weight[i]!;
    this.totalWeight = totalWeight;

    // Records and histogram slots live in one shared WebAssembly memory (grown for more slots).
    this.recordBytes = shape.recordBytes;
    this.rowAt32 = shape.rowAt32;
    this.slotSize = this.numWords * WORD_DOUBLES;
    const bufferBytes = n * shape.recordBytes;
    this.slotsAt = 3 * bufferBytes;
    // At most this many histograms are alive at once: a level's nodes plus the smaller children
    // being built (and temporaries for those) of the next.
    this.maxSlots = 2 ** p.maxDepth + 2 ** (p.maxDepth - 1) + 8;
    const pagesFor = (bytes: number): number => Math.ceil(bytes / 65_536);
    if (pagesFor(this.slotsAt + 16 * this.slotSize * 8) > MAX_PAGES) throw new RangeError(`${n} rows × ${shape.recordBytes} bytes × 3 exceed the 4 GiB training memory`);
    this.memory = new WebAssembly.Memory({
      initial: pagesFor(this.slotsAt + 8 * this.slotSize * 8),
      maximum: Math.min(MAX_PAGES, pagesFor(this.slotsAt + this.maxSlots * this.slotSize * 8)),
      shared: true,
    });
    this.wasmModule = new WebAssembly.Module(kernelModule(shape.recordBytes, shape.pairOffset));
    const recOffset = [0, bufferBytes, 2 * bufferBytes];
    const memoryBuffer = this.memory.buffer;
    const rec8 = recOffset.map((o) => new Uint8Array(memoryBuffer, o, bufferBytes));
    const rec32 = recOffset.map((o) => new Uint32Array(memoryBuffer, o, bufferBytes / 4));
    const binned = binFeatures(data.x, n, f, p.maxBin);
    this.mapper = binned.mapper;
    writeRowMajor(binned.columns, n, f, rec8[0]!, shape.recordBytes);
    const stride32 = shape.recordBytes / 4;
    for (let i = 0; i < n; i++) rec32[0]![i * stride32 + shape.rowAt32] = i;

    this.base = baseScore(p.objective, labels, weight, n, p.numClass);
    const margins = new Float64Array(alloc(8 * n * this.k));
    for (let i = 0; i < n; i++) for (let c = 0; c < this.k; c++) margins[i * this.k + c] = this.base[c]!;
    if (this.valid) {
      const nv = this.valid.n;
      this.validMargins = new Float64Array(nv * this.k);
      for (let i = 0; i < nv; i++) for (let c = 0; c < this.k; c++) this.validMargins[i * this.k + c] = this.base[c]!;
    }

    this.rng = new SeededRandom(p.seed);
    this.ctx = {
      numWords: this.numWords,
      numFeatures: f,
      threads: this.threads,
      n,
      multiclass: p.objective === 'multiclass' ? 1 : 0,
      outputs: this.k,
      wasm: new WebAssembly.Instance(this.wasmModule, { env: { memory: this.memory } }).exports as unknown as KernelExports,
      recOffset,
      rec32,
      rec8,
      recF32: recOffset.map((o) => new Float32Array(memoryBuffer, o, bufferBytes / 4)),
      gh: new Float64Array(alloc(8 * 2 * n * this.k)),
      margins,
      labels,
      weight,
      blockSums: new Float64Array(alloc(8 * 2 * Math.ceil(n / GRADIENT_BLOCK))),
      rowLeaf: new Int32Array(alloc(4 * n)),
      sampleMask: new Uint8Array(alloc(p.subsample < 1 ? n : 0)),
      slots: [],
      slotOffset: [],
      numBins: this.mapper.numBins,
      missingBin: this.mapper.missingBin,
      lambda: p.lambda,
      minChildWeight: p.minChildWeight,
      gamma: p.gamma,
      capacity: 0,
      taskI32: new Int32Array(0),
      taskF64: new Float64Array(0),
      out: new Float64Array(0),
    };
    this.grow(8);
  }

  async startWorkers(): Promise<void> {
    if (this.threads <= 1) return;
    const c = this.ctx;
    this.workers = await HistogramWorkers.start(
      this.threads,
      {
        numWords: c.numWords,
        numFeatures: c.numFeatures,
        threads: c.threads,
        n: c.n,
        multiclass: c.multiclass,
        outputs: c.outputs,
        numBins: c.numBins,
        missingBin: c.missingBin,
        lambda: c.lambda,
        minChildWeight: c.minChildWeight,
        gamma: c.gamma,
      },
      { module: this.wasmModule, memory: this.memory },
      this.sharedBuffers(),
    );
  }

  async close(): Promise<void> {
    await this.workers?.close();
    this.workers = null;
  }

  run(): Omit<GbdtResult, 'seconds'> {
    const p = this.p;
    const trees: Tree[] = [];
    const treeOutput: number[] = [];
    const log: RoundLog[] = [];
    let bestIteration = -1;
    let bestScore = Infinity;
    for (let round = 0; round < p.numRound; round++) {
      const loss = this.computeGradients();
      if (round > 0) log[round - 1]!.train = loss;
      for (let c = 0; c < this.k; c++) {
        trees.push(this.growTree(c));
        treeOutput.push(c);
      }
      const entry: RoundLog = { round, train: Number.NaN };
      log.push(entry);
      if (this.valid && this.validMargins) {
        const v = this.valid;
        for (let c = 0; c < this.k; c++) addTreeByValues(trees[trees.length - this.k + c]!, v.x, v.n, v.f, this.validMargins, this.k, c);
        entry.valid = logLossFromMargins(p.objective, this.validMargins, v.y, v.weight ?? null, v.n, p.numClass);
        if (entry.valid < bestScore) {
          bestScore = entry.valid;
          bestIteration = round;
        }
        if (p.earlyStoppingRounds !== null && round - bestIteration >= p.earlyStoppingRounds) break;
      }
    }
    const last = log[log.length - 1]!;
    last.train = logLossFromMargins(p.objective, this.ctx.margins, this.ctx.labels, this.ctx.weight, this.n, p.numClass);
    if (p.earlyStoppingRounds === null || bestIteration < 0) {
      bestIteration = last.round;
      bestScore = last.valid ?? Number.NaN;
    }
    const keep = (bestIteration + 1) * this.k;
    const model: TreeEnsemble = {
      objective: p.objective,
      numClass: p.numClass,
      numFeatures: this.f,
      featureNames: this.data.featureNames ? [...this.data.featureNames] : Array.from({ length: this.f }, (_, j) => `f${j}`),
      baseScore: Float64Array.from(this.base),
      trees: trees.slice(0, keep),
      treeOutput: Int32Array.from(treeOutput.slice(0, keep)),
      classLabels: Array.from({ length: p.numClass }, (_, c) => c),
    };
    return { model, log, bestIteration, bestScore: this.valid ? bestScore : null, trainMargins: Float64Array.from(this.ctx.margins) };
  }

  /** Grows one tree on class `c`'s gradients and adds it to the training margins. */
  private growTree(c: number): Tree {
    const ctx = this.ctx;
    this.sampleRows();
    ctx.taskI32[TASK.op] = OP_LOAD_CLASS;
    ctx.taskI32[TASK.klass] = c;
    this.runTask();
    const n = this.n;
    let buf = 0;
    const feats = this.sampleFeatures();
    const words: number[] = [];
    for (const f of feats) if (words[words.length - 1] !== f >> 2) words.push(f >> 2);

    // Block sums from class loading, added in block order whatever the thread count.
    let G = 0;
    let H = 0;
    const blocks = Math.ceil(n / GRADIENT_BLOCK);
    for (let b = 0; b < blocks; b++) {
      G += ctx.blockSums[2 * b]!;
      H += ctx.blockSums[2 * b + 1]!;
    }
    const tree = new TreeBuilder();
    const root: GrowNode = { id: tree.add(H), start: 0, end: n, depth: 0, G, H, slot: -1, buf };
    let builds: BuildEntry[] = [];
    let temps: number[] = [];
    if (this.canSplit(root)) {
      root.slot = this.takeSlot();
      builds.push({ start: 0, end: n, slot: root.slot, parent: -1, src: buf });
    }
    const leaves: GrowNode[] = [];
    let level: GrowNode[] = [root];
    while (level.length > 0) {
      const splitting = level.filter((node) => node.slot >= 0);
      // Copied out before any slot is taken: growing the pool replaces ctx.out.
      const best = new Float64Array(splitting.length * SPLIT_FIELDS);
      if (splitting.length > 0) {
        this.runHistograms(builds, splitting, words, feats);
        for (let e = 0; e < splitting.length; e++) {
          const b = this.bestOfThreads(e);
          if (b >= 0) best.set(ctx.out.subarray(b * SPLIT_FIELDS, (b + 1) * SPLIT_FIELDS), e * SPLIT_FIELDS);
          else best[e * SPLIT_FIELDS] = -Infinity;
        }
      }
      for (const t of temps) this.freeSlots.push(t);
      builds = [];
      temps = [];
      const next = buf === 1 ? 2 : 1;
      const splits: Split[] = [];
      for (let s = 0, e = 0; s < level.length; s++) {
        const node = level[s]!;
        const o = node.slot >= 0 ? e++ * SPLIT_FIELDS : -1;
        if (o < 0 || !(best[o]! > MIN_SPLIT_GAIN)) {
          if (node.slot >= 0) this.freeSlots.push(node.slot);
          tree.value[node.id] = this.leafValue(node.G, node.H);
          leaves.push(node);
          continue;
        }
        const feature = best[o + 1]!;
        const bin = best[o + 2]!;
        const defaultLeft = best[o + 3]!;
        tree.feature[node.id] = feature;
        tree.threshold[node.id] = this.mapper.cuts[feature]![bin]!;
        tree.defaultLeft[node.id] = defaultLeft;
        tree.gain[node.id] = best[o]!;
        const nanBin = this.mapper.missingBin[feature]!;
        const GL = best[o + 4]!;
        const HL = best[o + 5]!;
        const left: GrowNode = { id: tree.add(HL), start: node.start, end: node.end, depth: node.depth + 1, G: GL, H: HL, slot: -1, buf: next };
        const right: GrowNode = { id: tree.add(node.H - HL), start: node.start, end: node.end, depth: node.depth + 1, G: node.G - GL, H: node.H - HL, slot: -1, buf: next };
        tree.left[node.id] = left.id;
        tree.right[node.id] = right.id;
        // Children that can never split (too deep, or too little hessian) are leaves already: their
        // rows are only marked with the leaf, not moved.
        const final = left.depth >= this.p.maxDepth || (left.H < 2 * this.p.minChildWeight && right.H < 2 * this.p.minChildWeight);
        if (final) {
          tree.value[left.id] = this.leafValue(left.G, left.H);
          tree.value[right.id] = this.leafValue(right.G, right.H);
          this.freeSlots.push(node.slot);
        }
        splits.push({ node, left, right, final, feature, bin, nanBin: defaultLeft === 1 && nanBin >= 0 ? nanBin : 256 });
      }
      if (splits.length > 0) this.runPartition(splits, buf, next);
      const nextLevel: GrowNode[] = [];
      for (const { node, left, right, final, leftRows } of splits) {
        if (final) continue;
        const mid = node.start + leftRows!;
        left.end = mid;
        right.start = mid;
        const [small, large] = mid - node.start <= node.end - mid ? [left, right] : [right, left];
        const smallSplits = this.canSplit(small);
        const largeSplits = this.canSplit(large);
        if (smallSplits && largeSplits) {
          small.slot = this.takeSlot();
          large.slot = node.slot;
          builds.push({ start: small.start, end: small.end, slot: small.slot, parent: node.slot, src: next });
        } else if (smallSplits) {
          small.slot = node.slot;
          builds.push({ start: small.start, end: small.end, slot: small.slot, parent: -1, src: next });
        } else if (largeSplits) {
          const temp = this.takeSlot();
          temps.push(temp);
          large.slot = node.slot;
          builds.push({ start: small.start, end: small.end, slot: temp, parent: node.slot, src: next });
        } else {
          this.freeSlots.push(node.slot);
        }
        nextLevel.push(left, right);
      }
      level = nextLevel;
      buf = next;
    }
    const frozen = tree.freeze();
    // Margins in tree order, leaf value by leaf value: exactly what predictRaw computes. The leaf of
    // every row first (writes into a small array), then one sequential pass over the margins.
    const rowLeaf = ctx.rowLeaf;
    for (const leaf of leaves) markLeaf(rowLeaf, ctx.rec32[leaf.buf]!, this.recordBytes / 4, this.rowAt32, leaf.start, leaf.end, leaf.id);
    addLeafValues(ctx.margins, rowLeaf, frozen.value, n, this.k, c);
    return frozen;
  }

  /** Gradient pairs of every class from the current margins; returns their weighted mean log loss. */
  private computeGradients(): number {
    this.ctx.taskI32[TASK.op] = OP_GRADIENTS;
    this.runTask();
    let loss = 0;
    const blocks = Math.ceil(this.n / GRADIENT_BLOCK);
    for (let b = 0; b < blocks; b++) loss += this.ctx.blockSums[b]!;
    return loss / this.totalWeight;
  }

  private canSplit(node: GrowNode): boolean {
    return node.depth < this.p.maxDepth && node.end - node.start >= 2 && node.H >= 2 * this.p.minChildWeight;
  }

  private leafValue(G: number, H: number): number {
    if (H < this.p.minChildWeight || H <= 0) return 0;
    // float32, as XGBoost and ONNX store leaf weights; the margins add this very value.
    return Math.fround((-G / (H + this.p.lambda)) * this.p.eta);
  }

  private ensureCapacity(need: number): void {
    if (need > this.ctx.capacity) this.grow(need);
  }

  /** Histograms of `builds`, then every thread's best split of each node in `splitting` (ctx.out). */
  private runHistograms(builds: BuildEntry[], splitting: GrowNode[], words: number[], feats: number[]): void {
    this.ensureCapacity(Math.max(builds.length, splitting.length));
    const ctx = this.ctx;
    const ti = ctx.taskI32;
    const td = ctx.taskF64;
    const at = taskLayout(this.numWords, this.f, ctx.capacity, this.threads);
    ti[TASK.op] = OP_HISTOGRAMS;
    ti[TASK.nBuild] = builds.length;
    ti[TASK.nSplit] = splitting.length;
    ti[TASK.nWords] = words.length;
    ti[TASK.nFeats] = feats.length;
    for (let i = 0; i < words.length; i++) ti[at.words + i] = words[i]!;
    for (let i = 0; i < feats.length; i++) ti[at.feats + i] = feats[i]!;
    for (let e = 0; e < builds.length; e++) {
      const b = builds[e]!;
      const o = at.builds + BUILD_INTS * e;
      ti[o] = b.start;
      ti[o + 1] = b.end;
      ti[o + 2] = b.slot;
      ti[o + 3] = b.parent;
      ti[o + 4] = b.src;
    }
    for (let s = 0; s < splitting.length; s++) {
      const node = splitting[s]!;
      ti[at.splits + s] = node.slot;
      td[2 * s] = node.G;
      td[2 * s + 1] = node.H;
    }
    this.runTask();
  }

  /**
   * Moves each split node's rows from buffer `src` into its children's ranges of buffer `dst` (or
   * marks final leaves). Nodes go whole to the least-loaded thread, largest first; a node too big
   * for that is cut into one chunk per thread, which needs a counting pass first.
   */
  private runPartition(splits: Split[], src: number, dst: number): void {
    this.ensureCapacity(splits.length);
    const ctx = this.ctx;
    const ti = ctx.taskI32;
    const T = this.threads;
    const at = taskLayout(this.numWords, this.f, ctx.capacity, T);
    ti[TASK.nPart] = splits.length;
    const owner = this.assignOwners(splits);
    for (let e = 0; e < splits.length; e++) {
      const s = splits[e]!;
      const o = at.parts + PART_INTS * e;
      ti[o] = src;
      ti[o + 1] = dst;
      ti[o + 2] = s.node.start;
      ti[o + 3] = s.node.end;
      ti[o + 4] = s.feature;
      ti[o + 5] = s.bin;
      ti[o + 6] = s.nanBin;
      ti[o + 7] = s.final ? s.left.id : -1;
      ti[o + 8] = s.final ? s.right.id : -1;
      ti[o + 9] = owner[e]!;
    }
    if (splits.some((s, e) => !s.final && owner[e]! < 0)) {
      ti[TASK.op] = OP_COUNT;
      this.runTask();
    }
    for (let e = 0; e < splits.length; e++) {
      const s = splits[e]!;
      if (s.final || owner[e]! >= 0) continue;
      let l = s.node.start;
      let r = s.node.end;
      const len = s.node.end - s.node.start;
      for (let t = 0; t < T; t++) {
        const q = at.chunks + CHUNK_INTS * (e * T + t);
        ti[q + 1] = l;
        ti[q + 2] = r;
        const chunk = Math.floor((len * (t + 1)) / T) - Math.floor((len * t) / T);
        const left = ti[q]!;
        l += left;
        r -= chunk - left;
      }
      s.leftRows = l - s.node.start;
    }
    ti[TASK.op] = OP_MOVE;
    this.runTask();
    // A whole-node mover reports its node's left rows in its chunk slot.
    for (let e = 0; e < splits.length; e++) {
      const t = owner[e]!;
      if (!splits[e]!.final && t >= 0) splits[e]!.leftRows = ti[at.chunks + CHUNK_INTS * (e * T + t)]!;
    }
  }

  /** Thread moving each node whole, or -1 for a node moved in chunks by every thread. */
  private assignOwners(splits: Split[]): number[] {
    const T = this.threads;
    const owner = new Array<number>(splits.length).fill(T > 1 ? -1 : 0);
    if (T === 1) return owner;
    const size = (e: number): number => splits[e]!.node.end - splits[e]!.node.start;
    let total = 0;
    for (let e = 0; e < splits.length; e++) total += size(e);
    const load = new Array<number>(T).fill(0);
    const order = splits.map((_, e) => e).sort((a, b) => size(b) - size(a) || a - b);
    for (const e of order) {
      if (size(e) * T > total) continue;
      let t = 0;
      for (let u = 1; u < T; u++) if (load[u]! < load[t]!) t = u;
      owner[e] = t;
      load[t]! += size(e);
    }
    return owner;
  }

  private runTask(): void {
    if (this.workers) this.workers.run(this.kernels, this.ctx);
    else this.kernels.run(this.ctx, 0);
  }

  /** Index (into ctx.out) of the best split of entry `e` over all threads, first feature on ties. */
  private bestOfThreads(e: number): number {
    const out = this.ctx.out;
    const cap = this.ctx.capacity;
    let best = -1;
    for (let t = 0; t < this.threads; t++) {
      const o = t * cap + e;
      if (out[o * SPLIT_FIELDS + 1]! < 0) continue;
      if (best < 0 || out[o * SPLIT_FIELDS]! > out[best * SPLIT_FIELDS]!) best = o;
    }
    return best;
  }

  /**
   * Draws this tree's rows (exactly round(subsample · n), without replacement) into ctx.sampleMask.
   * As in XGBoost's hist, rows left out keep their place with a zero gradient pair: they weigh
   * nothing, and every row still reaches a leaf, so the margins need no second pass.
   */
  private sampleRows(): void {
    const n = this.n;
    if (this.p.subsample >= 1) return;
    const m = Math.max(1, Math.round(this.p.subsample * n));
    selectionSample(this.ctx.sampleMask, n, m, this.rng.nextUint32());
  }

  private sampleFeatures(): number[] {
    const f = this.f;
    if (this.p.colsampleByTree >= 1) return Array.from({ length: f }, (_, j) => j);
    const m = Math.max(1, Math.round(this.p.colsampleByTree * f));
    const out: number[] = [];
    let need = m;
    for (let j = 0; j < f; j++) {
      if (this.rng.next() * (f - j) < need) {
        out.push(j);
        need--;
      }
    }
    return out;
  }

  private takeSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    this.grow(this.ctx.slots.length + 1);
    return this.freeSlots.pop()!;
  }

  /** Grows slots and task buffers to at least `need` (doubling) and hands them to the workers. */
  private grow(need: number): void {
    const ctx = this.ctx;
    if (need > this.maxSlots) throw new Error(`gbdt: ${need} histograms needed, more than the ${this.maxSlots} a depth-${this.p.maxDepth} tree can use`);
    const capacity = Math.min(this.maxSlots, Math.max(need, ctx.capacity * 2, 8));
    const shared = this.threads > 1;
    const alloc = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    const slotBytes = 8 * this.slotSize;
    const needBytes = this.slotsAt + capacity * slotBytes;
    const haveBytes = this.memory.buffer.byteLength;
    if (needBytes > haveBytes) {
      const pages = Math.ceil((needBytes - haveBytes) / 65_536);
      if (haveBytes / 65_536 + pages > MAX_PAGES) throw new RangeError('histogram slots exceed the 4 GiB training memory; lower maxDepth');
      this.memory.grow(pages);
    }
    const memoryBuffer = this.memory.buffer;
    for (let s = ctx.slots.length; s < capacity; s++) {
      const at = this.slotsAt + s * slotBytes;
      ctx.slots.push(new Float64Array(memoryBuffer, at, this.slotSize));
      ctx.slotOffset.push(at);
      this.freeSlots.unshift(s);
    }
    const taskI32 = new Int32Array(alloc(4 * taskLayout(this.numWords, this.f, capacity, this.threads).ints));
    taskI32.set(ctx.taskI32.subarray(0, Math.min(ctx.taskI32.length, TASK.header)));
    ctx.taskI32 = taskI32;
    ctx.taskF64 = new Float64Array(alloc(8 * 2 * capacity));
    ctx.out = new Float64Array(alloc(8 * SPLIT_FIELDS * capacity * this.threads));
    ctx.capacity = capacity;
    this.workers?.share(this.sharedBuffers());
  }

  private sharedBuffers(): SharedBuffers {
    const c = this.ctx;
    return {
      recOffset: c.recOffset,
      rec32: c.rec32,
      rec8: c.rec8,
      recF32: c.recF32,
      slotOffset: c.slotOffset,
      gh: c.gh,
      margins: c.margins,
      labels: c.labels,
      weight: c.weight,
      blockSums: c.blockSums,
      rowLeaf: c.rowLeaf,
      sampleMask: c.sampleMask,
      slots: c.slots,
      taskI32: c.taskI32,
      taskF64: c.taskF64,
      out: c.out,
      capacity: c.capacity,
    };
  }
}

interface Split {
  node: GrowNode;
  left: GrowNode;
  right: GrowNode;
  /** Both children are leaves already. */
  final: boolean;
  feature: number;
  bin: number;
  nanBin: number;
  /** Rows going left, known once counted. */
  leftRows?: number;
}

/**
 * Knuth's selection sampling (algorithm S): mask exactly m of n rows. The uniforms come from an
 * xorshift128 stream seeded per tree from the run's SeededRandom: cheap enough for a draw per row.
 */
function selectionSample(mask: Uint8Array, n: number, m: number, seed: number): void {
  let a = seed | 1;
  let b = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) | 0;
  let c = Math.imul(seed ^ 0x7f4a7c15, 0xc2b2ae35) | 0;
  let d = ~seed | 0;
  let need = m;
  for (let i = 0; i < n; i++) {
    const t = a ^ (a << 11);
    a = b;
    b = c;
    c = d;
    d = d ^ (d >>> 19) ^ (t ^ (t >>> 8));
    const u = (d >>> 0) / 4294967296;
    if (u * (n - i) < need) {
      mask[i] = 1;
      need--;
    } else {
      mask[i] = 0;
    }
  }
}

function markLeaf(rowLeaf: Int32Array, rec32: Uint32Array, stride: number, rowAt: number, start: number, end: number, id: number): void {
  for (let i = start; i < end; i++) rowLeaf[rec32[i * stride + rowAt]!] = id;
}


/** Sample weight × class weight per row. */
function effectiveWeights(y: Int32Array, sample: ArrayLike<number> | undefined, p: ResolvedParams): Float64Array {
  const n = y.length;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = sample ? sample[i]! : 1;
  if (p.classWeight === null) return w;
  let perClass: number[];
  if (p.classWeight === 'balanced') {
    const counts = new Array<number>(p.numClass).fill(0);
    for (let i = 0; i < n; i++) counts[y[i]!]!++;
    perClass = counts.map((c) => (c > 0 ? n / (p.numClass * c) : 0));
  } else {
    perClass = [...p.classWeight];
  }
  for (let i = 0; i < n; i++) w[i]! *= perClass[y[i]!]!;
  return w;
}

/** Adds one tree's leaf values to `margins`, routing each row by its float32 values (leafOf's rule). */
function addTreeByValues(tree: Tree, x: Float32Array, n: number, f: number, margins: Float64Array, k: number, c: number): void {
  const { feature, threshold, left, right, defaultLeft, value } = tree;
  for (let i = 0; i < n; i++) {
    const base = i * f;
    let node = 0;
    let fe = feature[0]!;
    while (fe >= 0) {
      const v = x[base + fe]!;
      if (v !== v) node = defaultLeft[node] ? left[node]! : right[node]!;
      else node = v < threshold[node]! ? left[node]! : right[node]!;
      fe = feature[node]!;
    }
    margins[i * k + c]! += value[node]!;
  }
}


function addLeafValues(margins: Float64Array, rowLeaf: Int32Array, value: Float64Array, n: number, k: number, c: number): void {
  for (let i = 0; i < n; i++) margins[i * k + c]! += value[rowLeaf[i]!]!;
}



