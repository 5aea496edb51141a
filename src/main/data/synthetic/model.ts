// The price process behind the synthetic market, without any clock: a market factor and one
// idiosyncratic component per symbol, each a GARCH(1,1) with Student-t shocks, shaped by a U-shaped
// intraday profile and a session-level volatility regime, with overnight gaps, rare news jumps and
// volume that follows volatility. Every symbol draws only from its own stream, keyed by its name.
import type { Bar } from '../../../shared/domain';
import { SeededRandom } from '../../engine/random';

/** Minutes in a full regular session; the model's per-minute scales are set against it. */
export const FULL_SESSION_MINUTES = 390;
const TICK = 0.01;

export interface SymbolProfile {
  /** Starting price, dollars. */
  price: number;
  /** Daily (open-to-close) volatility of log returns. */
  dailyVol: number;
  /** Sensitivity to the market factor (SPY ≈ 1). */
  beta: number;
  /** Average shares traded per full regular session. */
  dailyVolume: number;
}

/** Rough mid-2020s levels, so prices and volumes look like the names on the screen (the toy's table). */
export const DEFAULT_PROFILES: Readonly<Record<string, Readonly<SymbolProfile>>> = Object.freeze({
  SPY: Object.freeze({ price: 590, dailyVol: 0.009, beta: 1, dailyVolume: 60e6 }),
  QQQ: Object.freeze({ price: 510, dailyVol: 0.012, beta: 1.2, dailyVolume: 40e6 }),
  AAPL: Object.freeze({ price: 230, dailyVol: 0.015, beta: 1.1, dailyVolume: 50e6 }),
  MSFT: Object.freeze({ price: 420, dailyVol: 0.014, beta: 1.0, dailyVolume: 20e6 }),
  NVDA: Object.freeze({ price: 140, dailyVol: 0.03, beta: 1.7, dailyVolume: 250e6 }),
  AMZN: Object.freeze({ price: 200, dailyVol: 0.019, beta: 1.2, dailyVolume: 40e6 }),
  META: Object.freeze({ price: 590, dailyVol: 0.021, beta: 1.3, dailyVolume: 15e6 }),
  GOOGL: Object.freeze({ price: 175, dailyVol: 0.017, beta: 1.1, dailyVolume: 25e6 }),
  TSLA: Object.freeze({ price: 350, dailyVol: 0.035, beta: 1.8, dailyVolume: 90e6 }),
  AMD: Object.freeze({ price: 140, dailyVol: 0.03, beta: 1.6, dailyVolume: 45e6 }),
});

export interface SyntheticModelParameters {
  /** Daily volatility of the market factor (a beta-1 index's open-to-close move). */
  marketDailyVol: number;
  /** Smallest idiosyncratic share of a symbol's daily volatility, so even the index proxy has noise of its own. */
  minIdiosyncraticShare: number;
  /** Degrees of freedom of the Student-t shocks (scaled to unit variance); Infinity gives Gaussian shocks. */
  tailDegreesOfFreedom: number;
  /**
   * Shocks beyond this many standard deviations are redrawn: t(4) has no fourth moment, and without
   * news a 30-sigma minute is not a tape anyone trades. Larger moves come from the jumps. (At 10 the
   * t(4) shock keeps about 97% of its unit variance.)
   */
  maxShockSigmas: number;
  /** GARCH(1,1) reaction to the last squared shock, per minute. */
  garchAlpha: number;
  /** GARCH(1,1) persistence of variance, per minute; alpha + beta < 1. */
  garchBeta: number;
  /** Cap on the squared standardized shock fed back into the variance, so one t-tail draw cannot explode it. */
  garchShockCap: number;
  /** Ceiling of the minute variance state (unit mean): 25 lets volatility spike to 5× its normal level, no further. */
  garchVarianceCeiling: number;
  /** Share of the excess (or missing) minute variance still present at the next open. */
  overnightVarianceCarry: number;
  /** AR(1) persistence of the log volatility level from one session to the next (calm weeks, wild weeks). */
  sessionVolPersistence: number;
  /** Standard deviation of the log session volatility level. */
  sessionVolDispersion: number;
  /** Extra volatility at the open: multiplier 1 + openVolBoost, decaying over intradayDecayMinutes. */
  openVolBoost: number;
  /** Extra volatility into the close. */
  closeVolBoost: number;
  /** Extra volume at the open. */
  openVolumeBoost: number;
  /** Extra volume into the close (the closing auction crowd). */
  closeVolumeBoost: number;
  /** e-folding time of the open and close effects, minutes. */
  intradayDecayMinutes: number;
  /** Log-normal noise of minute volume. */
  volumeNoise: number;
  /** Volume ∝ (this bar's volatility / normal volatility) ^ elasticity. */
  volumeVolElasticity: number;
  /** Standard deviation of the overnight gap as a share of the daily volatility. */
  overnightVolShare: number;
  /** Chance per symbol per night of a news gap (earnings, guidance, a downgrade). */
  overnightJumpProbability: number;
  /** Expected intraday news jumps per symbol per full session. */
  jumpsPerSession: number;
  /**
   * Bid-ask bounce: each minute's idiosyncratic move gives back this share of the previous one
   * (lag-1 autocorrelation of a single name's idiosyncratic returns ≈ −b). Real single-stock minute
   * returns show it; it is also the one weak, honest edge an in-session model can learn here.
   */
  idiosyncraticBounce: number;
  /** Expected market-wide jumps (macro headlines) per full session. */
  marketJumpsPerSession: number;
  /** Smallest jump, in daily volatilities of the symbol. */
  jumpSizeMinDailyVols: number;
  /** Mean of the exponential excess over the smallest jump, in daily volatilities. */
  jumpSizeMeanExcessDailyVols: number;
  /** Largest jump, in daily volatilities (a 3-vol minute is already a headline). */
  jumpSizeMaxDailyVols: number;
  /** Added to the (unit-mean) minute variance state at a jump; it then decays with GARCH persistence. */
  jumpVarianceBoost: number;
  /** Extra volume multiple at a jump; decays over jumpVolumeDecayMinutes. */
  jumpVolumeBoost: number;
  jumpVolumeDecayMinutes: number;
}

/** The defaults: a trader should recognise the tape (fat tails, clustering, U-shape, gaps, news). */
export const DEFAULT_SYNTHETIC_MODEL: Readonly<SyntheticModelParameters> = Object.freeze({
  marketDailyVol: 0.009,
  minIdiosyncraticShare: 0.25,
  tailDegreesOfFreedom: 4,
  maxShockSigmas: 10,
  garchAlpha: 0.05,
  garchBeta: 0.93,
  garchShockCap: 16,
  garchVarianceCeiling: 25,
  overnightVarianceCarry: 0.5,
  sessionVolPersistence: 0.8,
  sessionVolDispersion: 0.25,
  openVolBoost: 1.6,
  closeVolBoost: 0.7,
  openVolumeBoost: 2.0,
  closeVolumeBoost: 2.5,
  intradayDecayMinutes: 25,
  volumeNoise: 0.35,
  volumeVolElasticity: 0.7,
  overnightVolShare: 0.4,
  overnightJumpProbability: 0.02,
  jumpsPerSession: 0.04,
  idiosyncraticBounce: 0.15,
  marketJumpsPerSession: 0.01,
  jumpSizeMinDailyVols: 0.8,
  jumpSizeMeanExcessDailyVols: 0.5,
  jumpSizeMaxDailyVols: 3,
  jumpVarianceBoost: 12,
  jumpVolumeBoost: 6,
  jumpVolumeDecayMinutes: 30,
});

/** Merges overrides onto the defaults and checks them together; the result is frozen. */
export function resolveModel(overrides: Partial<SyntheticModelParameters> = {}): Readonly<SyntheticModelParameters> {
  const p: SyntheticModelParameters = { ...DEFAULT_SYNTHETIC_MODEL, ...overrides };
  const bad = (name: keyof SyntheticModelParameters, why: string): never => {
    throw new RangeError(`synthetic market: ${name} ${why}, got ${p[name]}`);
  };
  for (const [name, value] of Object.entries(p) as [keyof SyntheticModelParameters, number][]) {
    if (Number.isNaN(value) || value < 0) bad(name, 'must be a number ≥ 0');
    if (name !== 'tailDegreesOfFreedom' && !Number.isFinite(value)) bad(name, 'must be finite');
  }
  if (!(p.tailDegreesOfFreedom > 2)) bad('tailDegreesOfFreedom', 'must be > 2 (finite variance)');
  if (!(p.maxShockSigmas >= 3)) bad('maxShockSigmas', 'must be ≥ 3');
  if (!(p.garchAlpha + p.garchBeta < 1)) bad('garchBeta', 'plus garchAlpha must be < 1 (stationary variance)');
  if (!(p.garchVarianceCeiling >= 1)) bad('garchVarianceCeiling', 'must be ≥ 1 (the mean variance)');
  if (!(p.marketDailyVol > 0)) bad('marketDailyVol', 'must be > 0');
  if (p.minIdiosyncraticShare > 1) bad('minIdiosyncraticShare', 'must be ≤ 1');
  if (!(p.idiosyncraticBounce < 1)) bad('idiosyncraticBounce', 'must be < 1');
  if (p.overnightVarianceCarry > 1) bad('overnightVarianceCarry', 'must be ≤ 1');
  if (!(p.sessionVolPersistence < 1)) bad('sessionVolPersistence', 'must be < 1');
  if (p.overnightJumpProbability > 1) bad('overnightJumpProbability', 'must be ≤ 1');
  if (p.jumpSizeMaxDailyVols < p.jumpSizeMinDailyVols) bad('jumpSizeMaxDailyVols', 'must be ≥ jumpSizeMinDailyVols');
  if (!(p.intradayDecayMinutes > 0)) bad('intradayDecayMinutes', 'must be > 0');
  if (!(p.jumpVolumeDecayMinutes > 0)) bad('jumpVolumeDecayMinutes', 'must be > 0');
  if (p.jumpsPerSession > FULL_SESSION_MINUTES || p.marketJumpsPerSession > FULL_SESSION_MINUTES) {
    bad('jumpsPerSession', 'must be at most one per minute');
  }
  return Object.freeze(p);
}

// ------------------------------------------------------------------------------ seeded streams

/** FNV-1a over the name, mixed with the seed and finished with murmur3's fmix32. */
export function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h ^= seed >>> 16;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Each symbol's stream is keyed by its name, so adding a symbol leaves the others' paths alone. */
function symbolStream(seed: number, symbol: string): SeededRandom {
  return new SeededRandom(streamSeed(seed, `symbol:${symbol}`));
}

/** A plausible profile for a symbol the table does not know, from its own name-keyed stream. */
export function generatedProfile(seed: number, symbol: string): SymbolProfile {
  const rng = new SeededRandom(streamSeed(seed, `profile:${symbol}`));
  const logUniform = (lo: number, hi: number): number => lo * Math.exp(rng.next() * Math.log(hi / lo));
  return {
    price: Math.round(logUniform(10, 400) * 100) / 100,
    dailyVol: 0.012 + rng.next() * 0.028,
    beta: 0.6 + rng.next() * 1.0,
    dailyVolume: Math.round(logUniform(2e6, 60e6) / 100) * 100,
  };
}

/**
 * Variance multiplier of one Student-t shock: z = normal × √w has unit variance and t(ν) tails.
 * w is also the bar's own variance scale, which the intrabar path uses for the high and low.
 */
function tVarianceMixer(nu: number): (rng: SeededRandom) => number {
  if (nu === Infinity) return () => 1;
  const half = nu / 2;
  if (Number.isInteger(half) && half <= 8) {
    // χ²(2k) = −2 ln(u1 ⋯ uk): a handful of uniforms, no rejection loop.
    return (rng) => {
      let prod = 1;
      for (let i = 0; i < half; i++) prod *= 1 - rng.next();
      return (nu - 2) / (-2 * Math.log(prod));
    };
  }
  // Marsaglia–Tsang gamma(ν/2), χ²(ν) = 2 gamma(ν/2); shapes below 1 boosted by u^(1/shape).
  const shape = half < 1 ? half + 1 : half;
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  return (rng) => {
    let g: number;
    for (;;) {
      const x = rng.normal();
      const v0 = 1 + c * x;
      if (v0 <= 0) continue;
      const v = v0 * v0 * v0;
      const u = 1 - rng.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        g = d * v;
        break;
      }
    }
    if (half < 1) g *= Math.pow(1 - rng.next(), 1 / half);
    return (nu - 2) / (2 * g);
  };
}

// ------------------------------------------------------------------------------ the process

const roundTick = (p: number): number => Math.max(TICK, Math.round(p * 100) / 100);
const roundLot = (shares: number): number => Math.max(100, Math.round(shares / 100) * 100);

interface Shapes {
  /** Volatility multiplier per minute of the session (mean square 1 over a full session). */
  vol: Float64Array;
  /** Volume multiplier per minute (mean 1 over a full session). */
  volume: Float64Array;
}

interface SymbolPath {
  readonly symbol: string;
  readonly profile: Readonly<SymbolProfile>;
  readonly rng: SeededRandom;
  /** Idiosyncratic volatility per minute and per day at unit state. */
  readonly idioMinuteVol: number;
  readonly idioDailyVol: number;
  /** Share of the symbol's variance that comes from the market factor. */
  readonly factorShare: number;
  readonly minuteVolume: number;
  /** The unrounded traded price; bars print it on the tick. */
  price: number;
  /** Idiosyncratic GARCH variance state (unit mean). */
  variance: number;
  /** Extra volume multiple after news, decaying. */
  excitement: number;
  /** The last continuous idiosyncratic move, for the bounce. */
  lastIdio: number;
}

export interface SyntheticModelOptions {
  symbols: readonly string[];
  seed: number;
  model?: Partial<SyntheticModelParameters>;
  /** Replaces or adds symbol profiles; unknown symbols otherwise get a generated one. */
  profiles?: Readonly<Record<string, SymbolProfile>>;
}

/**
 * Generates the tape session by session: `openSession` applies the overnight move, then `minute`
 * gives one bar per symbol for each minute in order. Pure given the seed; no clock, no I/O.
 */
export class SyntheticMarketModel {
  readonly params: Readonly<SyntheticModelParameters>;
  private readonly paths: SymbolPath[];
  private readonly marketRng: SeededRandom;
  private readonly mixT: (rng: SeededRandom) => number;
  private readonly omega: number;
  private readonly marketMinuteVol: number;
  private readonly shapes = new Map<number, Shapes>();
  private readonly excitementDecay: number;
  /** The variance multiplier of the last shock drawn (its bar's own variance scale). */
  private shockVariance = 1;
  /** Market-factor GARCH variance state (unit mean). */
  private marketVariance = 1;
  private sessionLogVol = 0;
  /** Session volatility level, E[level²] = 1. */
  private sessionLevel = 1;
  private sessionsOpened = 0;
  private shape: Shapes;

  constructor(options: SyntheticModelOptions) {
    const p = resolveModel(options.model);
    this.params = p;
    this.mixT = tVarianceMixer(p.tailDegreesOfFreedom);
    this.omega = 1 - p.garchAlpha - p.garchBeta;
    this.marketMinuteVol = p.marketDailyVol / Math.sqrt(FULL_SESSION_MINUTES);
    this.excitementDecay = Math.exp(-1 / p.jumpVolumeDecayMinutes);
    this.marketRng = new SeededRandom(streamSeed(options.seed, 'market-factor'));
    const seen = new Set<string>();
    this.paths = options.symbols.map((symbol) => {
      if (seen.has(symbol)) throw new RangeError(`synthetic market: ${symbol} is listed twice`);
      seen.add(symbol);
      const profile = options.profiles?.[symbol] ?? DEFAULT_PROFILES[symbol] ?? generatedProfile(options.seed, symbol);
      if (!(profile.price > 0 && profile.dailyVol > 0 && profile.dailyVolume > 0 && Number.isFinite(profile.beta))) {
        throw new RangeError(`synthetic market: profile of ${symbol} needs price, dailyVol, dailyVolume > 0 and a finite beta`);
      }
      const factorDaily = Math.abs(profile.beta) * p.marketDailyVol;
      const idioDaily = Math.sqrt(Math.max(profile.dailyVol ** 2 - factorDaily ** 2, (p.minIdiosyncraticShare * profile.dailyVol) ** 2));
      return {
        symbol,
        profile,
        rng: symbolStream(options.seed, symbol),
        idioMinuteVol: idioDaily / Math.sqrt(FULL_SESSION_MINUTES),
        idioDailyVol: idioDaily,
        factorShare: factorDaily ** 2 / (factorDaily ** 2 + idioDaily ** 2),
        minuteVolume: profile.dailyVolume / FULL_SESSION_MINUTES,
        price: profile.price,
        variance: 1,
        excitement: 0,
        lastIdio: 0,
      };
    });
    this.shape = this.shapesFor(FULL_SESSION_MINUTES);
  }

  get symbols(): string[] {
    return this.paths.map((s) => s.symbol);
  }

  /**
   * Starts a session of `minutes` minutes (390, or 210 on an early close): a new volatility level
   * for the day and, after the first session, the overnight gap of every symbol.
   */
  openSession(minutes: number): void {
    if (!Number.isInteger(minutes) || minutes < 1) throw new RangeError(`session length must be whole minutes ≥ 1, got ${minutes}`);
    const p = this.params;
    const m = this.marketRng;
    this.shape = this.shapesFor(minutes);
    const phi = p.sessionVolPersistence;
    this.sessionLogVol = phi * this.sessionLogVol + Math.sqrt(1 - phi * phi) * p.sessionVolDispersion * m.normal();
    this.sessionLevel = Math.exp(this.sessionLogVol - p.sessionVolDispersion ** 2);
    // The bounce is a within-session effect: the night breaks it.
    for (const path of this.paths) path.lastIdio = 0;
    const first = this.sessionsOpened++ === 0;
    if (first) return;
    const carry = p.overnightVarianceCarry;
    this.marketVariance = 1 + carry * (this.marketVariance - 1);
    const marketGap = p.marketDailyVol * p.overnightVolShare * this.sessionLevel * this.shock(m);
    for (const s of this.paths) {
      const r = s.rng;
      s.variance = 1 + carry * (s.variance - 1);
      let gap = s.profile.beta * marketGap + s.idioDailyVol * p.overnightVolShare * this.sessionLevel * this.shock(r);
      if (r.next() < p.overnightJumpProbability) {
        gap += this.jumpSize(r) * s.profile.dailyVol;
        s.variance = Math.min(p.garchVarianceCeiling, s.variance + p.jumpVarianceBoost / 2);
        s.excitement += p.jumpVolumeBoost / 2;
      }
      s.price *= Math.exp(gap);
    }
  }

  /**
   * One bar per symbol for minute `minuteOfSession` of the open session, starting at `barStart`.
   * Minutes must come in order, each once.
   */
  minute(barStart: number, minuteOfSession: number): Bar[] {
    const p = this.params;
    const m = this.marketRng;
    const volShape = this.shape.vol[minuteOfSession];
    const volumeShape = this.shape.volume[minuteOfSession];
    if (volShape === undefined || volumeShape === undefined) throw new RangeError(`minute ${minuteOfSession} is outside the session`);
    const level = this.sessionLevel * volShape;

    // The market factor: a GARCH(1,1) with t shocks; its return is what a beta-1 name moves.
    const mz = this.shock(m);
    const mw = this.shockVariance;
    const mVar = this.marketVariance;
    let marketMove = this.marketMinuteVol * level * Math.sqrt(mVar) * mz;
    this.marketVariance = this.nextVariance(mVar, mz);
    let marketJumped = false;
    if (m.next() < p.marketJumpsPerSession / FULL_SESSION_MINUTES) {
      marketMove += this.jumpSize(m) * p.marketDailyVol;
      this.marketVariance = Math.min(p.garchVarianceCeiling, this.marketVariance + p.jumpVarianceBoost);
      marketJumped = true;
    }
    // Variance of the factor's continuous part inside this bar, per unit beta².
    const marketBarVar = (this.marketMinuteVol * level) ** 2 * mVar * mw;

    const bars: Bar[] = new Array<Bar>(this.paths.length);
    for (let i = 0; i < this.paths.length; i++) {
      const s = this.paths[i]!;
      const r = s.rng;
      const z = this.shock(r);
      const w = this.shockVariance;
      const sVar = s.variance;
      const idio = s.idioMinuteVol * level * Math.sqrt(sVar) * z - p.idiosyncraticBounce * s.lastIdio;
      s.lastIdio = idio;
      let move = s.profile.beta * marketMove + idio;
      s.variance = this.nextVariance(sVar, z);
      if (marketJumped) s.excitement += p.jumpVolumeBoost / 2;
      if (r.next() < p.jumpsPerSession / FULL_SESSION_MINUTES) {
        move += this.jumpSize(r) * s.profile.dailyVol;
        s.variance = Math.min(p.garchVarianceCeiling, s.variance + p.jumpVarianceBoost);
        s.excitement += p.jumpVolumeBoost;
      }
      // High and low: the exact extremes of a Brownian bridge from open to close with this bar's variance.
      const barVar = s.profile.beta * s.profile.beta * marketBarVar + (s.idioMinuteVol * level) ** 2 * sVar * w;
      const up = 0.5 * (move + Math.sqrt(move * move - 2 * barVar * Math.log(1 - r.next())));
      const down = 0.5 * (move - Math.sqrt(move * move - 2 * barVar * Math.log(1 - r.next())));
      const from = s.price;
      s.price = from * Math.exp(move);
      const open = roundTick(from);
      const close = roundTick(s.price);

      // Volume follows the clock (U-shape), this bar's own variance (a big bar is a busy bar), and news.
      const volRatio = this.sessionLevel ** 2 * (s.factorShare * mVar * mw + (1 - s.factorShare) * sVar * w);
      const noise = Math.exp(p.volumeNoise * r.normal() - 0.5 * p.volumeNoise ** 2);
      const volume = s.minuteVolume * volumeShape * Math.pow(volRatio, p.volumeVolElasticity / 2) * (1 + s.excitement) * noise;
      s.excitement *= this.excitementDecay;

      bars[i] = {
        symbol: s.symbol,
        timeframe: '1m',
        start: barStart,
        open,
        high: Math.max(roundTick(from * Math.exp(up)), open, close),
        low: Math.min(roundTick(from * Math.exp(down)), open, close),
        close,
        volume: roundLot(volume),
      };
    }
    return bars;
  }

  /** A unit-variance Student-t shock within ±maxShockSigmas; its variance multiplier is left in shockVariance. */
  private shock(rng: SeededRandom): number {
    const limit = this.params.maxShockSigmas;
    for (;;) {
      const w = this.mixT(rng);
      const z = rng.normal() * Math.sqrt(w);
      if (Math.abs(z) <= limit) {
        this.shockVariance = w;
        return z;
      }
    }
  }

  /** GARCH(1,1) on the unit-mean variance state: h' = ω + α·min(z², cap)·h + β·h, below the ceiling. */
  private nextVariance(h: number, z: number): number {
    const p = this.params;
    return Math.min(p.garchVarianceCeiling, this.omega + h * (p.garchAlpha * Math.min(z * z, p.garchShockCap) + p.garchBeta));
  }

  private jumpSize(rng: SeededRandom): number {
    const p = this.params;
    const size = Math.min(p.jumpSizeMaxDailyVols, p.jumpSizeMinDailyVols - p.jumpSizeMeanExcessDailyVols * Math.log(1 - rng.next()));
    return rng.next() < 0.5 ? -size : size;
  }

  private shapesFor(minutes: number): Shapes {
    let shapes = this.shapes.get(minutes);
    if (shapes) return shapes;
    const p = this.params;
    const tau = p.intradayDecayMinutes;
    const u = (m: number, n: number, open: number, close: number): number =>
      1 + open * Math.exp(-m / tau) + close * Math.exp(-(n - 1 - m) / tau);
    // Normalised over a full session, so a half day is simply quieter in total.
    let sumSq = 0;
    let sum = 0;
    for (let m = 0; m < FULL_SESSION_MINUTES; m++) {
      sumSq += u(m, FULL_SESSION_MINUTES, p.openVolBoost, p.closeVolBoost) ** 2;
      sum += u(m, FULL_SESSION_MINUTES, p.openVolumeBoost, p.closeVolumeBoost);
    }
    const volNorm = Math.sqrt(sumSq / FULL_SESSION_MINUTES);
    const volumeNorm = sum / FULL_SESSION_MINUTES;
    const vol = new Float64Array(minutes);
    const volume = new Float64Array(minutes);
    for (let m = 0; m < minutes; m++) {
      vol[m] = u(m, minutes, p.openVolBoost, p.closeVolBoost) / volNorm;
      volume[m] = u(m, minutes, p.openVolumeBoost, p.closeVolumeBoost) / volumeNorm;
    }
    shapes = { vol, volume };
    this.shapes.set(minutes, shapes);
    return shapes;
  }
}
