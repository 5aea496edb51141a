// Probability calibration of a binary model's output, fitted on one fold and applied to another:
// Platt scaling (a two-parameter logistic curve, Newton's method) and isotonic regression (pool
// adjacent violators). `chooseCalibration` keeps the raw probabilities unless a calibrator lowers the
// held-out log loss. Parameters are plain JSON so a model's sidecar can carry them.
import { logLoss } from './metrics';

/** What the calibrator reads: a probability (Platt then works on its logit) or a raw score/margin. */
export type CalibrationInput = 'probability' | 'score';

export type CalibrationParams =
  | { kind: 'none' }
  /** p = 1 / (1 + exp(-(a·s + b))), s = the score or logit(probability). */
  | { kind: 'platt'; input: CalibrationInput; a: number; b: number }
  /** Non-decreasing piecewise-linear map through (x[i], y[i]), flat outside [x[0], x[last]]. */
  | { kind: 'isotonic'; input: CalibrationInput; x: number[]; y: number[] };

/** Isotonic output is kept inside [floor, 1 − floor]: a fold's extreme empty-of-positives block is not certainty. */
export const ISOTONIC_FLOOR = 1e-6;
/** Probabilities are clipped this far from 0 and 1 before their logit is taken. */
const LOGIT_CLIP = 1e-12;

function logit(p: number): number {
  const q = Math.min(1 - LOGIT_CLIP, Math.max(LOGIT_CLIP, p));
  return Math.log(q / (1 - q));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Rows with a label (0/1) and a finite input. */
function usable(x: ArrayLike<number>, y: ArrayLike<number>): number[] {
  if (x.length !== y.length) throw new RangeError(`${x.length} values for ${y.length} labels`);
  const rows: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (Number.isNaN(v)) continue;
    if (v !== 0 && v !== 1) throw new RangeError(`calibration needs binary labels 0/1, got ${v} at row ${i}`);
    if (Number.isNaN(x[i]!)) throw new RangeError(`calibration input at row ${i} is NaN`);
    rows.push(i);
  }
  return rows;
}

export interface PlattOptions {
  input?: CalibrationInput;
  /** Platt's target smoothing ((N₊+1)/(N₊+2), 1/(N₋+2)) against overfitting small folds (default true). */
  smoothTargets?: boolean;
  maxIter?: number;
}

/** Platt scaling by Newton's method with a backtracking line search (Lin, Lin & Weng 2007). */
export function fitPlatt(values: ArrayLike<number>, y: ArrayLike<number>, opts: PlattOptions = {}): CalibrationParams & { kind: 'platt' } {
  const input = opts.input ?? 'probability';
  const rows = usable(values, y);
  if (rows.length === 0) throw new RangeError('no labelled rows to calibrate on');
  const s = Float64Array.from(rows, (i) => (input === 'probability' ? logit(values[i]!) : values[i]!));
  const nPos = rows.reduce((a, i) => a + y[i]!, 0);
  const nNeg = rows.length - nPos;
  const hi = opts.smoothTargets === false ? 1 : (nPos + 1) / (nPos + 2);
  const lo = opts.smoothTargets === false ? 0 : 1 / (nNeg + 2);
  const t = Float64Array.from(rows, (i) => (y[i] === 1 ? hi : lo));
  const m = rows.length;
  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < m; i++) {
      const z = a * s[i]! + b;
      // −[t·log σ(z) + (1−t)·log(1−σ(z))] = log(1 + e^z) − t·z, written to avoid overflow.
      f += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t[i]! * z;
    }
    return f;
  };
  // Start from the identity on probabilities, from the smoothed prior on scores.
  let a = input === 'probability' ? 1 : 0;
  let b = input === 'probability' ? 0 : logit((nPos + 1) / (m + 2));
  let f = objective(a, b);
  for (let iter = 0; iter < (opts.maxIter ?? 100); iter++) {
    let g1 = 0;
    let g2 = 0;
    let h11 = 1e-12;
    let h22 = 1e-12;
    let h21 = 0;
    for (let i = 0; i < m; i++) {
      const p = sigmoid(a * s[i]! + b);
      const d = p - t[i]!;
      const w = p * (1 - p);
      g1 += s[i]! * d;
      g2 += d;
      h11 += s[i]! * s[i]! * w;
      h22 += w;
      h21 += s[i]! * w;
    }
    if (Math.abs(g1) < 1e-10 * m && Math.abs(g2) < 1e-10 * m) break;
    const det = h11 * h22 - h21 * h21;
    const da = -(h22 * g1 - h21 * g2) / det;
    const db = -(-h21 * g1 + h11 * g2) / det;
    const slope = g1 * da + g2 * db;
    let step = 1;
    let accepted = false;
    while (step >= 1e-10) {
      const na = a + step * da;
      const nb = b + step * db;
      const nf = objective(na, nb);
      if (nf < f + 1e-4 * step * slope) {
        a = na;
        b = nb;
        f = nf;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break;
  }
  return { kind: 'platt', input, a, b };
}

export interface IsotonicOptions {
  input?: CalibrationInput;
}

/** Isotonic regression of the labels on the input (non-decreasing), by pool-adjacent-violators. */
export function fitIsotonic(values: ArrayLike<number>, y: ArrayLike<number>, opts: IsotonicOptions = {}): CalibrationParams & { kind: 'isotonic' } {
  const rows = usable(values, y).sort((i, j) => values[i]! - values[j]! || i - j);
  if (rows.length === 0) throw new RangeError('no labelled rows to calibrate on');
  // Blocks of equal x are pooled first: a function cannot give one x two values.
  const bx0: number[] = [];
  const bx1: number[] = [];
  const bw: number[] = [];
  const bsum: number[] = [];
  for (const i of rows) {
    const x = values[i]!;
    const last = bx1.length - 1;
    if (last >= 0 && bx1[last] === x) {
      bw[last]!++;
      bsum[last]! += y[i]!;
    } else {
      bx0.push(x);
      bx1.push(x);
      bw.push(1);
      bsum.push(y[i]!);
    }
    // Pool while the previous block's mean is above this one's.
    let top = bx1.length - 1;
    while (top > 0 && bsum[top - 1]! / bw[top - 1]! > bsum[top]! / bw[top]!) {
      bsum[top - 1]! += bsum[top]!;
      bw[top - 1]! += bw[top]!;
      bx1[top - 1] = bx1[top]!;
      bx0.pop();
      bx1.pop();
      bw.pop();
      bsum.pop();
      top--;
    }
  }
  const x: number[] = [];
  const out: number[] = [];
  for (let b = 0; b < bx0.length; b++) {
    const v = bsum[b]! / bw[b]!;
    x.push(bx0[b]!);
    out.push(v);
    if (bx1[b]! > bx0[b]!) {
      x.push(bx1[b]!);
      out.push(v);
    }
  }
  return { kind: 'isotonic', input: opts.input ?? 'probability', x, y: out };
}

/** Calibrated probabilities for raw values (probabilities or scores, as the parameters were fitted on). */
export function applyCalibration(params: CalibrationParams, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  switch (params.kind) {
    case 'none':
      for (let i = 0; i < values.length; i++) out[i] = values[i]!;
      return out;
    case 'platt':
      for (let i = 0; i < values.length; i++) {
        const s = params.input === 'probability' ? logit(values[i]!) : values[i]!;
        out[i] = sigmoid(params.a * s + params.b);
      }
      return out;
    case 'isotonic': {
      const { x, y } = params;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        let p: number;
        if (Number.isNaN(v)) p = Number.NaN;
        else if (v <= x[0]!) p = y[0]!;
        else if (v >= x[x.length - 1]!) p = y[y.length - 1]!;
        else {
          let lo = 0;
          let hi = x.length - 1;
          while (hi - lo > 1) {
            const mid = (lo + hi) >>> 1;
            if (x[mid]! <= v) lo = mid;
            else hi = mid;
          }
          const span = x[hi]! - x[lo]!;
          p = span > 0 ? y[lo]! + ((y[hi]! - y[lo]!) * (v - x[lo]!)) / span : y[hi]!;
        }
        out[i] = Math.min(1 - ISOTONIC_FLOOR, Math.max(ISOTONIC_FLOOR, p));
      }
      return out;
    }
  }
}

export interface CalibrationChoice {
  params: CalibrationParams;
  /** Log loss on the held-out tail of the validation rows, per candidate (NaN: not a candidate). */
  heldOutLogLoss: { none: number; platt: number; isotonic: number };
  fitRows: number;
  heldOutRows: number;
}

export interface ChooseOptions {
  input?: CalibrationInput;
  /** Share of the (time-ordered) validation rows held out to judge the candidates (default 0.5). */
  holdoutFraction?: number;
  /** A more complex candidate must lower the held-out log loss by at least this much (default 0.001 nats). */
  minImprovement?: number;
  /** Refit the chosen calibrator on all validation rows (default true). */
  refit?: boolean;
}

/**
 * Picks none / Platt / isotonic by held-out log loss. The validation rows (in time order) are split:
 * the calibrators are fitted on the first part and judged on the last. The simpler choice stays
 * unless the next one in none → Platt → isotonic beats the best so far by `minImprovement`.
 */
export function chooseCalibration(valid: { values: ArrayLike<number>; y: ArrayLike<number> }, opts: ChooseOptions = {}): CalibrationChoice {
  const input = opts.input ?? 'probability';
  const rows = usable(valid.values, valid.y);
  const frac = opts.holdoutFraction ?? 0.5;
  if (!(frac > 0 && frac < 1)) throw new RangeError(`holdoutFraction must be in (0, 1), got ${frac}`);
  const cut = Math.round(rows.length * (1 - frac));
  if (cut < 2 || rows.length - cut < 2) throw new RangeError(`too few labelled rows (${rows.length}) to fit and judge a calibration`);
  const pick = (r: number[], a: ArrayLike<number>): Float64Array => Float64Array.from(r, (i) => a[i]!);
  const fitX = pick(rows.slice(0, cut), valid.values);
  const fitY = pick(rows.slice(0, cut), valid.y);
  const evX = pick(rows.slice(cut), valid.values);
  const evY = pick(rows.slice(cut), valid.y);
  const platt = fitPlatt(fitX, fitY, { input });
  const iso = fitIsotonic(fitX, fitY, { input });
  const losses = {
    none: input === 'probability' ? logLoss(evY, evX) : Number.NaN,
    platt: logLoss(evY, applyCalibration(platt, evX)),
    isotonic: logLoss(evY, applyCalibration(iso, evX)),
  };
  const margin = opts.minImprovement ?? 0.001;
  let chosen: 'none' | 'platt' | 'isotonic' = input === 'probability' ? 'none' : 'platt';
  let best = input === 'probability' ? losses.none : losses.platt;
  if (input === 'probability' && losses.platt < best - margin) {
    chosen = 'platt';
    best = losses.platt;
  }
  if (losses.isotonic < best - margin) chosen = 'isotonic';
  let params: CalibrationParams;
  if (chosen === 'none') params = { kind: 'none' };
  else if (opts.refit === false) params = chosen === 'platt' ? platt : iso;
  else {
    const allX = pick(rows, valid.values);
    const allY = pick(rows, valid.y);
    params = chosen === 'platt' ? fitPlatt(allX, allY, { input }) : fitIsotonic(allX, allY, { input });
  }
  return { params, heldOutLogLoss: losses, fitRows: cut, heldOutRows: rows.length - cut };
}

/** Reads calibration parameters back from JSON, checking their shape (a sidecar is outside input). */
export function parseCalibration(json: unknown): CalibrationParams {
  const o = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown> | null;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const inputOk = (v: unknown): v is CalibrationInput => v === 'probability' || v === 'score';
  if (o && o.kind === 'none') return { kind: 'none' };
  if (o && o.kind === 'platt' && finite(o.a) && finite(o.b) && inputOk(o.input)) return { kind: 'platt', input: o.input, a: o.a, b: o.b };
  if (o && o.kind === 'isotonic' && inputOk(o.input) && Array.isArray(o.x) && Array.isArray(o.y) && o.x.length === o.y.length && o.x.length > 0) {
    const x = o.x as unknown[];
    const y = o.y as unknown[];
    if (x.every(finite) && y.every(finite) && x.every((v, i) => i === 0 || (v as number) >= (x[i - 1] as number)) && y.every((v, i) => i === 0 || (v as number) >= (y[i - 1] as number))) {
      return { kind: 'isotonic', input: o.input, x: x as number[], y: y as number[] };
    }
  }
  throw new RangeError('not a calibration: expected {kind: none}, {kind: platt, input, a, b} or {kind: isotonic, input, x[], y[]} with x and y non-decreasing');
}
