// Quantile binning of float32 features into ≤ maxBin bins (Uint8 indices), with NaN in a bin of its
// own. Bin boundaries are float32 data values, so a split "bin ≤ s" is exactly "x < cuts[s]" on float32.

/** How each feature's float32 values map to bin indices; the cuts become the trees' thresholds. */
export interface BinMapper {
  numFeatures: number;
  /** Value bins per feature (cuts.length + 1; at least 1). */
  numBins: Int32Array;
  /** Bin index of NaN per feature (= numBins[f]), or -1 when the training data had no NaN there. */
  missingBin: Int32Array;
  /**
   * Ascending float32 boundaries per feature: value v (not NaN) lies in bin b iff
   * cuts[b-1] <= v < cuts[b], i.e. b = number of cuts ≤ v.
   */
  cuts: Float32Array[];
}

const GROUP = 16; // features whose keys are pulled out of the row-major matrix in one pass
const PREFIX_SLOTS = 65_537;
/** The key of float bits 0x7fffffff, a NaN: never the key of a value we bin. */
const NAN_KEY = 0xffffffff;

/**
 * Learns the cuts from `x` (row-major n×f float32) and returns them with the column-major bin matrix
 * (feature j's n bins at j·n). Quantiles are unweighted row counts.
 */
export function binFeatures(x: Float32Array, n: number, f: number, maxBin: number): { mapper: BinMapper; columns: Uint8Array } {
  if (maxBin < 2 || maxBin > 256) throw new RangeError(`maxBin must be in [2, 256], got ${maxBin}`);
  if (x.length !== n * f) throw new RangeError(`x has ${x.length} values, expected n*f = ${n * f}`);
  const columns = new Uint8Array(n * f);
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const numBins = new Int32Array(f);
  const missingBin = new Int32Array(f).fill(-1);
  const cuts: Float32Array[] = [];

  const group = Math.min(GROUP, f);
  // Sortable keys of one group of features, column by column; NAN_KEY marks NaN (no float has it).
  const keys = new Uint32Array(group * n);
  const sorted = new Uint32Array(n);
  const scratch = new Uint32Array(n);
  const prefixLo = new Int32Array(PREFIX_SLOTS);

  for (let g0 = 0; g0 < f; g0 += group) {
    const g1 = Math.min(f, g0 + group);
    extractKeys(bits, n, f, g0, g1, keys);
    for (let j = g0; j < g1; j++) {
      const colKeys = keys.subarray((j - g0) * n, (j - g0 + 1) * n);
      let m = 0;
      for (let i = 0; i < n; i++) {
        const k = colKeys[i]!;
        if (k !== NAN_KEY) sorted[m++] = k;
      }
      const hasNaN = m < n;
      radixSort(sorted, scratch, m);
      const cutKeys = chooseCuts(sorted, m, hasNaN ? maxBin - 1 : maxBin);
      numBins[j] = cutKeys.length + 1;
      if (hasNaN) missingBin[j] = cutKeys.length + 1;
      cuts.push(keysToFloats(cutKeys));
      fillPrefixTable(cutKeys, prefixLo);
      assignBins(colKeys, n, cutKeys, prefixLo, missingBin[j]!, columns.subarray(j * n, (j + 1) * n));
    }
  }
  return { mapper: { numFeatures: f, numBins, missingBin, cuts }, columns };
}

/**
 * Copies column-major bins into row-major records of `stride` bytes (features first), a block of
 * rows at a time so both sides stay in cache.
 */
export function writeRowMajor(columns: Uint8Array, n: number, f: number, rows: Uint8Array, stride: number): void {
  const block = 1024;
  for (let i0 = 0; i0 < n; i0 += block) {
    const i1 = Math.min(n, i0 + block);
    for (let j = 0; j < f; j++) {
      const col = j * n;
      for (let i = i0, o = i0 * stride + j; i < i1; i++, o += stride) rows[o] = columns[col + i]!;
    }
  }
}

/** Bin of one float32 value under a mapper (for tests and for binning data the mapper did not see). */
export function binOf(mapper: BinMapper, feature: number, value: number): number {
  const v = Math.fround(value);
  if (Number.isNaN(v)) return mapper.missingBin[feature]!;
  const c = mapper.cuts[feature]!;
  let lo = 0;
  let hi = c.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One pass over the rows: keys of features g0..g1 into `keys`, column after column. */
function extractKeys(bits: Uint32Array, n: number, f: number, g0: number, g1: number, keys: Uint32Array): void {
  for (let i = 0; i < n; i++) {
    const base = i * f;
    for (let j = g0, o = i; j < g1; j++, o += n) {
      const b = bits[base + j]!;
      keys[o] = (b & 0x7fffffff) > 0x7f800000 ? NAN_KEY : sortableKey(b);
    }
  }
}

/** Bin = number of cut keys ≤ key; the 16-bit prefix table settles nearly every value at once. */
function assignBins(keys: Uint32Array, n: number, cutKeys: Uint32Array, prefixLo: Int32Array, nanBin: number, out: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    if (key === NAN_KEY) {
      out[i] = nanBin;
      continue;
    }
    const p = key >>> 16;
    let lo = prefixLo[p]!;
    let hi = prefixLo[p + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cutKeys[mid]! <= key) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
}

/** Maps float32 bits to a uint32 whose unsigned order is the numeric order (-0 folded into +0). */
function sortableKey(bits: number): number {
  if (bits === 0x80000000) return 0x80000000;
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

function keysToFloats(keys: Uint32Array): Float32Array {
  const out = new Uint32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    out[i] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
  }
  return new Float32Array(out.buffer);
}

/** LSD radix sort of a[0..m) in three passes (11, 11, 10 bits); the result ends up in `a`. */
function radixSort(a: Uint32Array, tmp: Uint32Array, m: number): void {
  const c0 = new Int32Array(2048);
  const c1 = new Int32Array(2048);
  const c2 = new Int32Array(1024);
  for (let i = 0; i < m; i++) {
    const k = a[i]!;
    c0[k & 2047]!++;
    c1[(k >>> 11) & 2047]!++;
    c2[k >>> 22]!++;
  }
  prefixSums(c0);
  prefixSums(c1);
  prefixSums(c2);
  for (let i = 0; i < m; i++) {
    const k = a[i]!;
    tmp[c0[k & 2047]!++] = k;
  }
  for (let i = 0; i < m; i++) {
    const k = tmp[i]!;
    a[c1[(k >>> 11) & 2047]!++] = k;
  }
  for (let i = 0; i < m; i++) {
    const k = a[i]!;
    tmp[c2[k >>> 22]!++] = k;
  }
  a.set(tmp.subarray(0, m));
}

function prefixSums(c: Int32Array): void {
  let acc = 0;
  for (let i = 0; i < c.length; i++) {
    const v = c[i]!;
    c[i] = acc;
    acc += v;
  }
}

/**
 * Cut keys for ≤ maxValueBins bins from sorted keys: every distinct value its own bin when they
 * fit, else equal-count quantiles whose boundaries are distinct data values (ties never split).
 */
function chooseCuts(sorted: Uint32Array, m: number, maxValueBins: number): Uint32Array {
  if (m === 0) return new Uint32Array(0);
  let distinct = 1;
  for (let i = 1; i < m; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= maxValueBins) {
    const out = new Uint32Array(distinct - 1);
    let k = 0;
    for (let i = 1; i < m; i++) if (sorted[i] !== sorted[i - 1]) out[k++] = sorted[i]!;
    return out;
  }
  const cutsOut: number[] = [];
  let target = 1;
  for (let i = 1; i < m && cutsOut.length < maxValueBins - 1; i++) {
    if (sorted[i] === sorted[i - 1]) continue;
    // i values lie below this distinct value: cut here once the next equal-count target is reached.
    if (i * maxValueBins >= target * m) {
      cutsOut.push(sorted[i]!);
      while (target < maxValueBins && target * m <= i * maxValueBins) target++;
    }
  }
  return Uint32Array.from(cutsOut);
}

/** prefixLo[p] = number of cut keys below p·2^16, for p in 0..65536. */
function fillPrefixTable(cutKeys: Uint32Array, prefixLo: Int32Array): void {
  let c = 0;
  for (let p = 0; p < PREFIX_SLOTS; p++) {
    const base = p * 65536;
    while (c < cutKeys.length && cutKeys[c]! < base) c++;
    prefixLo[p] = c;
  }
}
