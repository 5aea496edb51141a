// The market-context correlation kernel of the streaming features: a small WebAssembly function
// computing the own/SPY and own/QQQ 60-pair correlations and betas of one bar, and the arena that
// keeps the pair windows in its memory.
import { BASE_OPS, I32, section, sleb, uleb, vec, wasmName } from '../ml/wasm-bytes';

// The two corrBeta windows of a bar (own returns against SPY's and QQQ's, 60 pairs each) took about
// a third of the time per bar in JavaScript: two passes of dependent sums with a bounds check and a
// ring mask per element. The same arithmetic as a small WebAssembly function runs in well under half
// the time. It computes exactly what corrBeta computes, in the same order (f64 adds, subtractions,
// products, one division and one square root, all IEEE-rounded as in JavaScript), so the results are
// the same numbers; NaN where corrBeta gives NaN.
//
// The windows must then live in WebAssembly memory: a PairArena hands out slots of four 64-value
// rings (2 KiB) in chunks of one 64 KiB page, each chunk with its own instance of the kernel and a
// scratch for its results. A memory never grows, so the Float64Array views on it stay valid.

/** The ring of one pair series: 64 f64 (≥ 61 and a power of two, as the feature engine's rings). */
export const PAIR_RING = 64;
const PAIR_MASK = PAIR_RING - 1;
/** The window the correlation and beta take: the newest 60 pairs. */
export const PAIR_WINDOW = 60;
export const PAIR_RING_BYTES = PAIR_RING * 8;
const PAIR_SLOT_BYTES = 4 * PAIR_RING_BYTES;
const PAGE_BYTES = 65_536;
const SLOTS_PER_CHUNK = PAGE_BYTES / PAIR_SLOT_BYTES - 1; // the last slot's room holds the results
const RESULT_AT = SLOTS_PER_CHUNK * PAIR_SLOT_BYTES;

export interface PairChunk {
  readonly memory: WebAssembly.Memory;
  /** corr(base, spyPairs, qqqPairs): writes [corr_spy, beta_spy, corr_qqq, beta_qqq] to `result`. */
  readonly corr: (base: number, sp: number, qp: number) => void;
  readonly result: Float64Array;
}

/** Pair-window slots in WebAssembly memory, for the symbols of one feature engine. */
export class PairArena {
  private chunk: PairChunk | null = null;
  private used = SLOTS_PER_CHUNK;

  take(): { chunk: PairChunk; base: number } {
    if (this.used === SLOTS_PER_CHUNK || !this.chunk) {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
      const instance = new WebAssembly.Instance(corrModule(), { env: { memory } });
      const kernel = instance.exports.corr as (base: number, sp: number, qp: number, out: number) => void;
      this.chunk = { memory, corr: (base, sp, qp) => kernel(base, sp, qp, RESULT_AT), result: new Float64Array(memory.buffer, RESULT_AT, 4) };
      this.used = 0;
    }
    return { chunk: this.chunk, base: this.used++ * PAIR_SLOT_BYTES };
  }
}

let compiledCorr: WebAssembly.Module | null = null;

/** The kernel's module, compiled once (a Module holds no state; each chunk instantiates it). */
function corrModule(): WebAssembly.Module {
  compiledCorr ??= new WebAssembly.Module(corrKernelBytes());
  return compiledCorr;
}

/**
 * corr(base, sp, qp, out): the rings x_spy, y_spy, x_qqq, y_qqq at base + 0, 512, 1024, 1536 (64
 * f64 each, pair c in slot c & 63); for j = 1..60 over slots sp - j (SPY) and qp - j (QQQ), newest
 * first: means, then centred sums of squares and products; out[0..3] = corr and beta for each.
 */
function corrKernelBytes(): Uint8Array<ArrayBuffer> {
  const F64 = 0x7c;
  const op = {
    ...BASE_OPS,
    leS: [0x4c],
    load: (offset: number) => [0x2b, 3, ...uleb(offset)],
    store: (offset: number) => [0x39, 3, ...uleb(offset)],
    fadd: [0xa0],
    fsub: [0xa1],
    fmul: [0xa2],
    fdiv: [0xa3],
    fsqrt: [0x9f],
    fgt: [0x64],
    fconst: (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)],
    select: [0x1b],
  };
  const P = { base: 0, sp: 1, qp: 2, out: 3 };
  const L = { j: 4, sa: 5, sb: 6, amx: 7, amy: 8, bmx: 9, bmy: 10, avx: 11, avy: 12, acov: 13, bvx: 14, bvy: 15, bcov: 16, adx: 17, ady: 18, bdx: 19, bdy: 20 };
  const R = PAIR_RING_BYTES;
  // sa = base + ((sp - j) & 63) * 8, sb likewise for qp
  const slots = [
    ...op.get(P.sp), ...op.get(L.j), ...op.sub, ...op.i32(PAIR_MASK), ...op.and, ...op.i32(3), ...op.shl, ...op.get(P.base), ...op.add, ...op.set(L.sa),
    ...op.get(P.qp), ...op.get(L.j), ...op.sub, ...op.i32(PAIR_MASK), ...op.and, ...op.i32(3), ...op.shl, ...op.get(P.base), ...op.add, ...op.set(L.sb),
  ];
  const loop = (body: number[]) => [
    ...op.i32(1), ...op.set(L.j),
    ...op.block, ...op.loop,
    ...slots, ...body,
    ...op.get(L.j), ...op.i32(1), ...op.add, ...op.tee(L.j), ...op.i32(PAIR_WINDOW), ...op.leS, ...op.brIf(0),
    ...op.end, ...op.end,
  ];
  const addLoad = (acc: number, ptr: number, offset: number) => [...op.get(acc), ...op.get(ptr), ...op.load(offset), ...op.fadd, ...op.set(acc)]; // acc += ring[slot]
  const mean = (acc: number) => [...op.get(acc), ...op.fconst(PAIR_WINDOW), ...op.fdiv, ...op.set(acc)]; // acc /= 60
  const centred = (d: number, ptr: number, offset: number, m: number) => [...op.get(ptr), ...op.load(offset), ...op.get(m), ...op.fsub, ...op.set(d)]; // d = ring[slot] - m
  const addProduct = (acc: number, a: number, b: number) => [...op.get(acc), ...op.get(a), ...op.get(b), ...op.fmul, ...op.fadd, ...op.set(acc)]; // acc += a * b
  const results = (at: number, cov: number, vx: number, vy: number) => [
    // out[at] = vx > 0 && vy > 0 ? cov / sqrt(vx * vy) : NaN
    ...op.get(P.out), ...op.get(cov), ...op.get(vx), ...op.get(vy), ...op.fmul, ...op.fsqrt, ...op.fdiv, ...op.fconst(Number.NaN),
    ...op.get(vx), ...op.fconst(0), ...op.fgt, ...op.get(vy), ...op.fconst(0), ...op.fgt, ...op.and, ...op.select, ...op.store(at),
    // out[at + 8] = vy > 0 ? cov / vy : NaN
    ...op.get(P.out), ...op.get(cov), ...op.get(vy), ...op.fdiv, ...op.fconst(Number.NaN), ...op.get(vy), ...op.fconst(0), ...op.fgt, ...op.select, ...op.store(at + 8),
  ];
  const body = [
    ...loop([...addLoad(L.amx, L.sa, 0), ...addLoad(L.amy, L.sa, R), ...addLoad(L.bmx, L.sb, 2 * R), ...addLoad(L.bmy, L.sb, 3 * R)]),
    ...mean(L.amx), ...mean(L.amy), ...mean(L.bmx), ...mean(L.bmy),
    ...loop([
      ...centred(L.adx, L.sa, 0, L.amx), ...centred(L.ady, L.sa, R, L.amy), ...centred(L.bdx, L.sb, 2 * R, L.bmx), ...centred(L.bdy, L.sb, 3 * R, L.bmy),
      ...addProduct(L.avx, L.adx, L.adx), ...addProduct(L.avy, L.ady, L.ady), ...addProduct(L.acov, L.adx, L.ady),
      ...addProduct(L.bvx, L.bdx, L.bdx), ...addProduct(L.bvy, L.bdy, L.bdy), ...addProduct(L.bcov, L.bdx, L.bdy),
    ]),
    ...results(0, L.acov, L.avx, L.avy),
    ...results(16, L.bcov, L.bvx, L.bvy),
    ...op.end,
  ];
  const code = [...vec([[3, I32], [14, F64]]), ...body]; // locals: j sa sb, then 10 sums and 4 deltas (zero-initialised)
  const type = [0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([])];
  // Imported memory: limits flag 1 (with a maximum), one page.
  const imports = [[...wasmName('env'), ...wasmName('memory'), 0x02, 0x01, ...uleb(1), ...uleb(1)]];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec(imports)),
    ...section(3, vec([uleb(0)])),
    ...section(7, vec([[...wasmName('corr'), 0x00, 0]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}
