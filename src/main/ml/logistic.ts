// Logistic-regression baseline: binary (Newton / IRLS) and multinomial (L-BFGS), L2-penalised, on
// features standardised by a scaler fitted on the training rows. A missing value (NaN) is imputed
// with the training mean, i.e. 0 after standardisation. Deterministic: same rows, same model.
//
// Objective: mean log loss over the training rows + (l2 / 2)·‖W‖² (intercepts unpenalised), W on the
// standardised features. The result is a `LinearModel` (linear-model.ts, what the ONNX exporter
// reads: Scaler → LinearClassifier) plus its training record. The exported graph has no Imputer, so
// whoever scores it replaces a NaN by scaler.mean first (`imputeMissing`), as `predictRow` does;
// `rawSpaceWeights` folds the scaler into the weights for a graph without a Scaler.
import type { LinearModel } from './linear-model';

export interface LogisticModel extends LinearModel {
  kind: 'logistic';
  /** 'binary': one output row, P(classLabels[1]) = σ(w·z + b). 'multinomial': softmax over C rows. */
  objective: 'binary' | 'multinomial';
  /** Row-major outputs × features (1×F binary, C×F multinomial), on standardised features. */
  coefficients: Float64Array;
  /** One per output row. */
  intercepts: Float64Array;
  /** z = (x − mean) / scale; mean is also the value a NaN is imputed with. Scale is 1 for a constant feature. */
  scaler: { mean: Float64Array; scale: Float64Array };
  training: { rows: number; l2: number; iterations: number; converged: boolean; objective: number };
}

export interface LogisticTrainInput {
  /** Feature columns (a Dataset's `features`), each indexed by row. */
  columns: ReadonlyArray<ArrayLike<number>>;
  featureNames: readonly string[];
  /** Labels by row; rows with a NaN label are skipped. */
  y: ArrayLike<number>;
  /** Training rows (a fold's `train`); all rows by default. */
  rows?: ArrayLike<number>;
}

export interface LogisticOptions {
  /** L2 strength on the standardised coefficients, per the mean loss (default 1e-4). */
  l2?: number;
  maxIter?: number;
  /** Stop when the largest gradient component is below this (default 1e-7). */
  tol?: number;
  /** Class labels in output order; default the distinct labels seen, ascending. Two → binary. */
  classLabels?: number[];
}

interface Design {
  m: number;
  f: number;
  /** Standardised training columns, NaN → 0. */
  z: Float64Array[];
  /** Class index per training row. */
  cls: Int32Array;
  mean: Float64Array;
  scale: Float64Array;
}

function design(input: LogisticTrainInput, classLabels: number[]): Design {
  const f = input.columns.length;
  if (input.featureNames.length !== f) throw new RangeError(`${f} feature columns for ${input.featureNames.length} names`);
  const all = input.rows ?? Int32Array.from({ length: input.y.length }, (_, i) => i);
  const classOf = new Map(classLabels.map((c, k) => [c, k]));
  const rows: number[] = [];
  const cls: number[] = [];
  for (let r = 0; r < all.length; r++) {
    const i = all[r]!;
    const v = input.y[i]!;
    if (Number.isNaN(v)) continue;
    const k = classOf.get(v);
    if (k === undefined) throw new RangeError(`label ${v} at row ${i} is not one of the classes ${classLabels.join(', ')}`);
    rows.push(i);
    cls.push(k);
  }
  const m = rows.length;
  if (m === 0) throw new RangeError('no labelled training rows');
  const mean = new Float64Array(f);
  const scale = new Float64Array(f);
  const z: Float64Array[] = [];
  for (let j = 0; j < f; j++) {
    const col = input.columns[j]!;
    let n = 0;
    let sum = 0;
    for (const i of rows) {
      const x = col[i]!;
      if (Number.isNaN(x)) continue;
      if (!Number.isFinite(x)) throw new RangeError(`feature ${input.featureNames[j]} is infinite at row ${i}`);
      n++;
      sum += x;
    }
    const mu = n > 0 ? sum / n : 0;
    let ss = 0;
    for (const i of rows) {
      const x = col[i]!;
      if (!Number.isNaN(x)) ss += (x - mu) ** 2;
    }
    const sd = n > 0 ? Math.sqrt(ss / n) : 0;
    mean[j] = mu;
    scale[j] = sd > 0 && Number.isFinite(sd) ? sd : 1;
    const zc = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const x = col[rows[r]!]!;
      zc[r] = Number.isNaN(x) ? 0 : (x - mu) / scale[j]!;
    }
    z.push(zc);
  }
  return { m, f, z, cls: Int32Array.from(cls), mean, scale };
}

function distinctLabels(y: ArrayLike<number>, rows?: ArrayLike<number>): number[] {
  const seen = new Set<number>();
  const n = rows ? rows.length : y.length;
  for (let r = 0; r < n; r++) {
    const v = y[rows ? rows[r]! : r]!;
    if (!Number.isNaN(v)) seen.add(v);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Trains the baseline: binary when there are two classes, multinomial for three or more. */
export function trainLogistic(input: LogisticTrainInput, opts: LogisticOptions = {}): LogisticModel {
  const classLabels = opts.classLabels ? [...opts.classLabels] : distinctLabels(input.y, input.rows);
  if (classLabels.length < 2) throw new RangeError(`need at least two classes to train, got ${classLabels.length}`);
  if (new Set(classLabels).size !== classLabels.length) throw new RangeError('class labels repeat');
  const l2 = opts.l2 ?? 1e-4;
  if (!(l2 >= 0)) throw new RangeError(`l2 must be ≥ 0, got ${l2}`);
  const d = design(input, classLabels);
  const fit = classLabels.length === 2 ? fitBinary(d, l2, opts.maxIter ?? 100, opts.tol ?? 1e-7) : fitMultinomial(d, classLabels.length, l2, opts.maxIter ?? 500, opts.tol ?? 1e-7);
  return {
    kind: 'logistic',
    objective: classLabels.length === 2 ? 'binary' : 'multinomial',
    featureNames: [...input.featureNames],
    classLabels,
    coefficients: fit.w,
    intercepts: fit.b,
    scaler: { mean: d.mean, scale: d.scale },
    training: { rows: d.m, l2, iterations: fit.iterations, converged: fit.converged, objective: fit.objective },
  };
}

interface Fit {
  w: Float64Array;
  b: Float64Array;
  iterations: number;
  converged: boolean;
  objective: number;
}

/** log(1 + e^s) without overflow. */
function softplus(s: number): number {
  return s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
}

function fitBinary(d: Design, l2: number, maxIter: number, tol: number): Fit {
  const { m, f, z, cls } = d;
  const p = f + 1; // weights, then the intercept
  const theta = new Float64Array(p);
  const pos = cls.reduce((a, c) => a + c, 0);
  theta[f] = Math.log((pos + 0.5) / (m - pos + 0.5));
  const margin = new Float64Array(m);
  const computeMargin = (t: Float64Array): void => {
    margin.fill(t[f]!);
    for (let j = 0; j < f; j++) {
      const w = t[j]!;
      if (w === 0) continue;
      const col = z[j]!;
      for (let i = 0; i < m; i++) margin[i]! += w * col[i]!;
    }
  };
  const objective = (t: Float64Array): number => {
    computeMargin(t);
    let loss = 0;
    for (let i = 0; i < m; i++) loss += softplus(margin[i]!) - cls[i]! * margin[i]!;
    let pen = 0;
    for (let j = 0; j < f; j++) pen += t[j]! ** 2;
    return loss / m + 0.5 * l2 * pen;
  };
  let obj = objective(theta);
  const resid = new Float64Array(m);
  const wt = new Float64Array(m);
  const g = new Float64Array(p);
  const h = new Float64Array(p * p);
  const tmp = new Float64Array(m);
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIter; iterations++) {
    // margin holds the current theta's margins (objective was just evaluated at it).
    for (let i = 0; i < m; i++) {
      const q = 1 / (1 + Math.exp(-margin[i]!));
      resid[i] = q - cls[i]!;
      wt[i] = Math.max(q * (1 - q), 1e-12);
    }
    let gmax = 0;
    for (let j = 0; j <= f; j++) {
      let s = 0;
      if (j < f) {
        const col = z[j]!;
        for (let i = 0; i < m; i++) s += col[i]! * resid[i]!;
        g[j] = s / m + l2 * theta[j]!;
      } else {
        for (let i = 0; i < m; i++) s += resid[i]!;
        g[j] = s / m;
      }
      gmax = Math.max(gmax, Math.abs(g[j]!));
    }
    if (gmax < tol) {
      converged = true;
      break;
    }
    // Hessian (1/m)·Xᵀ diag(w) X + l2 on the weights, X = [Z, 1].
    for (let a = 0; a <= f; a++) {
      if (a < f) {
        const ca = z[a]!;
        for (let i = 0; i < m; i++) tmp[i] = wt[i]! * ca[i]!;
      } else tmp.set(wt);
      for (let b = 0; b <= a; b++) {
        let s = 0;
        if (b < f) {
          const cb = z[b]!;
          for (let i = 0; i < m; i++) s += tmp[i]! * cb[i]!;
        } else for (let i = 0; i < m; i++) s += tmp[i]!;
        s /= m;
        if (a === b && a < f) s += l2;
        h[a * p + b] = s;
        h[b * p + a] = s;
      }
    }
    const step = solveSpd(h, g, p);
    let dirSlope = 0;
    for (let j = 0; j < p; j++) dirSlope -= g[j]! * step[j]!;
    let alpha = 1;
    let accepted = false;
    const cand = new Float64Array(p);
    while (alpha > 1e-12) {
      for (let j = 0; j < p; j++) cand[j] = theta[j]! - alpha * step[j]!;
      const nobj = objective(cand);
      if (nobj <= obj + 1e-4 * alpha * dirSlope) {
        theta.set(cand);
        obj = nobj;
        accepted = true;
        break;
      }
      alpha /= 2;
    }
    if (!accepted) {
      // No descent left at double precision: as converged as the arithmetic allows.
      converged = gmax < Math.sqrt(tol);
      break;
    }
  }
  return { w: theta.slice(0, f), b: Float64Array.of(theta[f]!), iterations, converged, objective: obj };
}

/** Solves H x = g for a symmetric positive-definite H (Cholesky; a tiny ridge if it is near-singular). */
function solveSpd(h: Float64Array, g: Float64Array, p: number): Float64Array {
  for (let jitter = 0; ; jitter = jitter === 0 ? 1e-12 : jitter * 100) {
    const l = new Float64Array(p * p);
    let ok = true;
    for (let i = 0; i < p && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = h[i * p + j]! + (i === j ? jitter : 0);
        for (let k = 0; k < j; k++) s -= l[i * p + k]! * l[j * p + k]!;
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          l[i * p + i] = Math.sqrt(s);
        } else l[i * p + j] = s / l[j * p + j]!;
      }
    }
    if (!ok) {
      if (jitter > 1) throw new Error('logistic Hessian is not positive definite');
      continue;
    }
    const y = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = g[i]!;
      for (let k = 0; k < i; k++) s -= l[i * p + k]! * y[k]!;
      y[i] = s / l[i * p + i]!;
    }
    const x = new Float64Array(p);
    for (let i = p - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let k = i + 1; k < p; k++) s -= l[k * p + i]! * x[k]!;
      x[i] = s / l[i * p + i]!;
    }
    return x;
  }
}

function fitMultinomial(d: Design, c: number, l2: number, maxIter: number, tol: number): Fit {
  const { m, f, z, cls } = d;
  const stride = f + 1; // per class: f weights, then the intercept
  const p = c * stride;
  const theta = new Float64Array(p);
  // Start from the class log-priors (centred): the right answer when the features carry nothing.
  const counts = new Float64Array(c);
  for (let i = 0; i < m; i++) counts[cls[i]!]!++;
  const logPrior = Array.from(counts, (n) => Math.log(n + 0.5));
  const lpMean = logPrior.reduce((a, b) => a + b, 0) / c;
  for (let k = 0; k < c; k++) theta[k * stride + f] = logPrior[k]! - lpMean;

  const logits = new Float64Array(m * c);
  const evaluate = (t: Float64Array, grad: Float64Array): number => {
    for (let k = 0; k < c; k++) {
      const b = t[k * stride + f]!;
      for (let i = 0; i < m; i++) logits[i * c + k] = b;
      for (let j = 0; j < f; j++) {
        const w = t[k * stride + j]!;
        if (w === 0) continue;
        const col = z[j]!;
        for (let i = 0; i < m; i++) logits[i * c + k]! += w * col[i]!;
      }
    }
    let loss = 0;
    // Turn logits into (softmax − onehot) residuals in place.
    for (let i = 0; i < m; i++) {
      let mx = -Infinity;
      for (let k = 0; k < c; k++) mx = Math.max(mx, logits[i * c + k]!);
      let sum = 0;
      for (let k = 0; k < c; k++) sum += Math.exp(logits[i * c + k]! - mx);
      const lse = mx + Math.log(sum);
      loss += lse - logits[i * c + cls[i]!]!;
      for (let k = 0; k < c; k++) logits[i * c + k] = Math.exp(logits[i * c + k]! - lse) - (k === cls[i] ? 1 : 0);
    }
    let pen = 0;
    for (let k = 0; k < c; k++) {
      let gb = 0;
      for (let i = 0; i < m; i++) gb += logits[i * c + k]!;
      grad[k * stride + f] = gb / m;
      for (let j = 0; j < f; j++) {
        const col = z[j]!;
        let s = 0;
        for (let i = 0; i < m; i++) s += col[i]! * logits[i * c + k]!;
        const w = t[k * stride + j]!;
        grad[k * stride + j] = s / m + l2 * w;
        pen += w * w;
      }
    }
    return loss / m + 0.5 * l2 * pen;
  };
  const r = lbfgs(theta, evaluate, maxIter, tol);
  // Softmax ignores a common shift of the intercepts; centre them so the model is canonical.
  const w = new Float64Array(c * f);
  const b = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    for (let j = 0; j < f; j++) w[k * f + j] = r.x[k * stride + j]!;
    b[k] = r.x[k * stride + f]!;
  }
  const bMean = b.reduce((a, v) => a + v, 0) / c;
  for (let k = 0; k < c; k++) b[k]! -= bMean;
  return { w, b, iterations: r.iterations, converged: r.converged, objective: r.f };
}

/** Limited-memory BFGS (10 pairs) with a backtracking Armijo line search; deterministic. */
function lbfgs(x0: Float64Array, evaluate: (x: Float64Array, g: Float64Array) => number, maxIter: number, tol: number): { x: Float64Array; f: number; iterations: number; converged: boolean } {
  const p = x0.length;
  const memory = 10;
  const x = x0.slice();
  const g = new Float64Array(p);
  let fx = evaluate(x, g);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(p);
  const xn = new Float64Array(p);
  const gn = new Float64Array(p);
  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < p; i++) s += a[i]! * b[i]!;
    return s;
  };
  const maxAbs = (a: Float64Array): number => a.reduce((mx, v) => Math.max(mx, Math.abs(v)), 0);
  let iterations = 0;
  let converged = maxAbs(g) < tol;
  while (!converged && iterations < maxIter) {
    iterations++;
    // Two-loop recursion: dir = −H·g.
    dir.set(g);
    const alpha: number[] = new Array(sList.length);
    for (let k = sList.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(sList[k]!, dir);
      const y = yList[k]!;
      for (let i = 0; i < p; i++) dir[i]! -= alpha[k]! * y[i]!;
    }
    const gamma = sList.length > 0 ? dot(sList[sList.length - 1]!, yList[yList.length - 1]!) / dot(yList[yList.length - 1]!, yList[yList.length - 1]!) : 1 / Math.max(1, Math.sqrt(dot(g, g)));
    for (let i = 0; i < p; i++) dir[i]! *= gamma;
    for (let k = 0; k < sList.length; k++) {
      const beta = rho[k]! * dot(yList[k]!, dir);
      const s = sList[k]!;
      for (let i = 0; i < p; i++) dir[i]! += (alpha[k]! - beta) * s[i]!;
    }
    for (let i = 0; i < p; i++) dir[i] = -dir[i]!;
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (curvature went stale): restart from steepest descent.
      sList.length = yList.length = rho.length = 0;
      for (let i = 0; i < p; i++) dir[i] = -g[i]!;
      slope = dot(g, dir);
    }
    let step = 1;
    let fn = Number.NaN;
    let accepted = false;
    while (step > 1e-14) {
      for (let i = 0; i < p; i++) xn[i] = x[i]! + step * dir[i]!;
      fn = evaluate(xn, gn);
      if (fn <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break;
    const s = new Float64Array(p);
    const y = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      s[i] = xn[i]! - x[i]!;
      y[i] = gn[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
      if (sList.length > memory) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
    }
    const decrease = fx - fn;
    x.set(xn);
    g.set(gn);
    fx = fn;
    converged = maxAbs(g) < tol;
    if (!converged && decrease <= 1e-15 * Math.max(1, Math.abs(fx))) break;
  }
  return { x, f: fx, iterations, converged };
}

/** Standardised value of feature j (NaN → the training mean → 0). */
function standardise(model: LogisticModel, j: number, x: number): number {
  return Number.isNaN(x) ? 0 : (x - model.scaler.mean[j]!) / model.scaler.scale[j]!;
}

function outputs(model: LogisticModel): number {
  return model.objective === 'binary' ? 1 : model.classLabels.length;
}

/** Class probabilities of one feature row (raw feature values in model order), in classLabels order. */
export function predictRow(model: LogisticModel, x: ArrayLike<number>): Float64Array {
  const f = model.featureNames.length;
  if (x.length !== f) throw new RangeError(`row has ${x.length} features; the model takes ${f}`);
  const k = outputs(model);
  const s = Float64Array.from(model.intercepts);
  for (let j = 0; j < f; j++) {
    const v = standardise(model, j, x[j]!);
    if (v === 0) continue;
    for (let o = 0; o < k; o++) s[o]! += model.coefficients[o * f + j]! * v;
  }
  return scoresToProbs(s, model.objective === 'binary');
}

function scoresToProbs(s: Float64Array, binary: boolean): Float64Array {
  if (binary) {
    const z = s[0]!;
    const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    return Float64Array.of(1 - p, p);
  }
  let mx = -Infinity;
  for (const v of s) mx = Math.max(mx, v);
  let sum = 0;
  const out = new Float64Array(s.length);
  for (let k = 0; k < s.length; k++) sum += out[k] = Math.exp(s[k]! - mx);
  for (let k = 0; k < s.length; k++) out[k]! /= sum;
  return out;
}

/** Class probabilities, row-major n×K in classLabels order (binary: K = 2), for the given rows (default all). */
export function predictProba(model: LogisticModel, columns: ReadonlyArray<ArrayLike<number>>, rows?: ArrayLike<number>): Float64Array {
  const f = model.featureNames.length;
  if (columns.length !== f) throw new RangeError(`${columns.length} columns; the model takes ${f}`);
  const n = rows ? rows.length : (columns[0]?.length ?? 0);
  const k = outputs(model);
  const kk = model.classLabels.length;
  const scores = new Float64Array(n * k);
  for (let r = 0; r < n; r++) for (let o = 0; o < k; o++) scores[r * k + o] = model.intercepts[o]!;
  for (let j = 0; j < f; j++) {
    const col = columns[j]!;
    for (let r = 0; r < n; r++) {
      const v = standardise(model, j, col[rows ? rows[r]! : r]!);
      if (v === 0) continue;
      for (let o = 0; o < k; o++) scores[r * k + o]! += model.coefficients[o * f + j]! * v;
    }
  }
  const out = new Float64Array(n * kk);
  for (let r = 0; r < n; r++) out.set(scoresToProbs(scores.subarray(r * k, r * k + k), model.objective === 'binary'), r * kk);
  return out;
}

/** P(classLabels[1]) per row, for a binary model. */
export function predictPositive(model: LogisticModel, columns: ReadonlyArray<ArrayLike<number>>, rows?: ArrayLike<number>): Float64Array {
  if (model.objective !== 'binary') throw new RangeError('predictPositive needs a binary model');
  const p = predictProba(model, columns, rows);
  return Float64Array.from({ length: p.length / 2 }, (_, r) => p[2 * r + 1]!);
}

/** Replaces each NaN of row-major [n, F] features by the training mean, in place (before an ONNX graph without an Imputer). */
export function imputeMissing(model: LogisticModel, x: Float32Array | Float64Array): typeof x {
  const f = model.featureNames.length;
  if (x.length % f !== 0) throw new RangeError(`${x.length} values are not rows of ${f} features`);
  for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i]!)) x[i] = model.scaler.mean[i % f]!;
  return x;
}

/**
 * The same linear scores on raw (imputed) features: w_raw = w / scale, b_raw = b − Σ w·mean / scale.
 * Missing values must still be replaced by scaler.mean first.
 */
export function rawSpaceWeights(model: LogisticModel): { coefficients: Float64Array; intercepts: Float64Array } {
  const f = model.featureNames.length;
  const k = outputs(model);
  const coefficients = new Float64Array(k * f);
  const intercepts = Float64Array.from(model.intercepts);
  for (let o = 0; o < k; o++) {
    for (let j = 0; j < f; j++) {
      const w = model.coefficients[o * f + j]! / model.scaler.scale[j]!;
      coefficients[o * f + j] = w;
      intercepts[o]! -= w * model.scaler.mean[j]!;
    }
  }
  return { coefficients, intercepts };
}

/** Plain JSON form (typed arrays as number arrays). */
export function logisticModelToJSON(model: LogisticModel): Record<string, unknown> {
  return {
    ...model,
    coefficients: Array.from(model.coefficients),
    intercepts: Array.from(model.intercepts),
    scaler: { mean: Array.from(model.scaler.mean), scale: Array.from(model.scaler.scale) },
  };
}

export function logisticModelFromJSON(json: unknown): LogisticModel {
  type Plain = Omit<LogisticModel, 'coefficients' | 'intercepts' | 'scaler'> & {
    coefficients: number[];
    intercepts: number[];
    scaler: { mean: number[]; scale: number[] };
  };
  const o = (typeof json === 'string' ? JSON.parse(json) : json) as Plain | null;
  if (!o || o.kind !== 'logistic' || (o.objective !== 'binary' && o.objective !== 'multinomial')) throw new RangeError('not a logistic LogisticModel');
  const f = o.featureNames.length;
  const k = o.objective === 'binary' ? 1 : o.classLabels.length;
  const model: LogisticModel = {
    kind: 'logistic',
    objective: o.objective,
    featureNames: [...o.featureNames],
    classLabels: [...o.classLabels],
    coefficients: Float64Array.from(o.coefficients),
    intercepts: Float64Array.from(o.intercepts),
    scaler: { mean: Float64Array.from(o.scaler.mean), scale: Float64Array.from(o.scaler.scale) },
    training: { ...o.training },
  };
  if (model.coefficients.length !== k * f || model.intercepts.length !== k || model.scaler.mean.length !== f || model.scaler.scale.length !== f) {
    throw new RangeError(`LogisticModel arrays do not fit ${k} outputs × ${f} features`);
  }
  return model;
}
