// Rule strategies on the feature row of a closed bar: each reads bar t's row and bar (and, where a
// level must be known *before* bar t, the symbol's previous row, kept per symbol) and proposes a
// trade with a stop and a target. No rule looks past bar t.
//
// Conventions shared by every rule:
// - ATR is ATR(14) in price units = atr_pct · close of bar t; a rule whose inputs are NaN (warm-up)
//   stays silent.
// - Targets are `rewardRisk` × the distance from entry to stop unless the rule names a level (VWAP).
// - Confidence = baseConfidence + (maxConfidence − baseConfidence) · strength, strength in 0..1 from
//   the rule's own numbers (how far past the trigger, how heavy the volume).
// - After a rule fires on a symbol and side it stays quiet on that side for `cooldownMinutes`;
//   fusion refreshes a live signal anyway, this only keeps the proposal stream readable.
// - A correction (a row with the same start as the last one) is compared against the row before it.
import type { Bar } from '../../shared/domain';
import { nyDateKey } from '../calendar/ny-time';
import type { FeatureRow } from '../features/feature-engine';
import { assertProposal, assertSameBar, atrOf, clamp01, feature, num, overlay, px, type Proposal, type SignalGenerator, type Side } from './types';

// ---------------------------------------------------------------- configs

interface RuleCommon {
  enabled: boolean;
  /** Minutes a rule stays quiet on a symbol and side after firing. */
  cooldownMinutes: number;
  /** Confidence at the bare trigger. */
  baseConfidence: number;
  /** Confidence at full strength. */
  maxConfidence: number;
}

export interface OrbConfig extends RuleCommon {
  /** 'range': stop at the other side of the opening range; 'atr': entry ∓ stopAtr·ATR. */
  stopMode: 'range' | 'atr';
  stopAtr: number;
  rewardRisk: number;
  /** Fire at most once per side per session (the first close beyond the range). */
  oncePerSession: boolean;
  /** Volume z-score needed to fire; null = no volume filter. Higher z raises confidence either way. */
  minVolumeZ: number | null;
}

export interface VwapReversionConfig extends RuleCommon {
  /** Fire when |vwap_dist| > stretchAtr · atr_pct (distance from VWAP in ATRs). */
  stretchAtr: number;
  /** Stop = entry ± stopAtr·ATR, on the side away from VWAP. */
  stopAtr: number;
  /** Need a bar that already turns toward VWAP (close < open above VWAP, close > open below). */
  requireReversalBar: boolean;
}

export interface MomentumBreakoutConfig extends RuleCommon {
  /** volume_z_20 must exceed this. */
  minVolumeZ: number;
  stopAtr: number;
  rewardRisk: number;
}

export interface VwapBounceConfig extends RuleCommon {
  /** Closes on the trend side of VWAP in a row before the touch. */
  minBarsBeyond: number;
  /** The bar's low (high for shorts) must reach within touchAtr·ATR of VWAP. */
  touchAtr: number;
  /** Stop = VWAP ∓ stopAtr·ATR. */
  stopAtr: number;
  rewardRisk: number;
  sides: 'both' | 'long';
}

export interface LaguerreCrossConfig extends RuleCommon {
  /** |laguerre − laguerre_adaptive| / close after the cross must exceed this (filters hairline crosses). */
  minSeparationPct: number;
  stopAtr: number;
  rewardRisk: number;
}

export interface SrBreakConfig extends RuleCommon {
  /** Stop = broken level ∓ bufferAtr·ATR (back inside the old range). */
  bufferAtr: number;
  rewardRisk: number;
  /** volume_z_20 needed; null = none. */
  minVolumeZ: number | null;
}

export interface RulesConfig {
  orb: OrbConfig;
  vwapReversion: VwapReversionConfig;
  momentumBreakout: MomentumBreakoutConfig;
  vwapBounce: VwapBounceConfig;
  laguerreCross: LaguerreCrossConfig;
  srBreak: SrBreakConfig;
}

export const DEFAULT_RULES_CONFIG: Readonly<RulesConfig> = Object.freeze({
  orb: Object.freeze({ enabled: true, cooldownMinutes: 30, baseConfidence: 0.55, maxConfidence: 0.75, stopMode: 'range', stopAtr: 1.5, rewardRisk: 2, oncePerSession: true, minVolumeZ: null }),
  vwapReversion: Object.freeze({ enabled: true, cooldownMinutes: 15, baseConfidence: 0.5, maxConfidence: 0.7, stretchAtr: 2.5, stopAtr: 1, requireReversalBar: true }),
  momentumBreakout: Object.freeze({ enabled: true, cooldownMinutes: 15, baseConfidence: 0.55, maxConfidence: 0.75, minVolumeZ: 2, stopAtr: 1.5, rewardRisk: 2 }),
  vwapBounce: Object.freeze({ enabled: true, cooldownMinutes: 15, baseConfidence: 0.5, maxConfidence: 0.65, minBarsBeyond: 10, touchAtr: 0.1, stopAtr: 0.5, rewardRisk: 2, sides: 'both' }),
  laguerreCross: Object.freeze({ enabled: true, cooldownMinutes: 10, baseConfidence: 0.5, maxConfidence: 0.6, minSeparationPct: 0, stopAtr: 1.5, rewardRisk: 1.5 }),
  srBreak: Object.freeze({ enabled: true, cooldownMinutes: 15, baseConfidence: 0.5, maxConfidence: 0.7, bufferAtr: 0.5, rewardRisk: 2, minVolumeZ: null }),
} satisfies RulesConfig);

export type RulesConfigInput = { [K in keyof RulesConfig]?: Partial<RulesConfig[K]> };

function checkCommon(id: string, c: RuleCommon): void {
  if (!(c.cooldownMinutes >= 0)) throw new RangeError(`${id}: cooldownMinutes must be ≥ 0, got ${c.cooldownMinutes}`);
  if (!(c.baseConfidence >= 0 && c.baseConfidence <= c.maxConfidence && c.maxConfidence <= 1)) {
    throw new RangeError(`${id}: need 0 ≤ baseConfidence ≤ maxConfidence ≤ 1, got ${c.baseConfidence}, ${c.maxConfidence}`);
  }
}

function positive(id: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) if (!(v > 0 && Number.isFinite(v))) throw new RangeError(`${id}: ${k} must be > 0, got ${v}`);
}

/** Defaults overlaid with `input`, checked and frozen. */
export function resolveRulesConfig(input: RulesConfigInput = {}): Readonly<RulesConfig> {
  const d = DEFAULT_RULES_CONFIG;
  const c: RulesConfig = {
    orb: { ...d.orb, ...input.orb },
    vwapReversion: { ...d.vwapReversion, ...input.vwapReversion },
    momentumBreakout: { ...d.momentumBreakout, ...input.momentumBreakout },
    vwapBounce: { ...d.vwapBounce, ...input.vwapBounce },
    laguerreCross: { ...d.laguerreCross, ...input.laguerreCross },
    srBreak: { ...d.srBreak, ...input.srBreak },
  };
  for (const [id, rc] of Object.entries(c)) checkCommon(id, rc as RuleCommon);
  positive('orb', { stopAtr: c.orb.stopAtr, rewardRisk: c.orb.rewardRisk });
  positive('vwapReversion', { stretchAtr: c.vwapReversion.stretchAtr, stopAtr: c.vwapReversion.stopAtr });
  positive('momentumBreakout', { stopAtr: c.momentumBreakout.stopAtr, rewardRisk: c.momentumBreakout.rewardRisk });
  positive('vwapBounce', { stopAtr: c.vwapBounce.stopAtr, rewardRisk: c.vwapBounce.rewardRisk });
  if (!(c.vwapBounce.touchAtr >= 0) || !(Number.isInteger(c.vwapBounce.minBarsBeyond) && c.vwapBounce.minBarsBeyond >= 1)) {
    throw new RangeError('vwapBounce: touchAtr must be ≥ 0 and minBarsBeyond a whole number ≥ 1');
  }
  positive('laguerreCross', { stopAtr: c.laguerreCross.stopAtr, rewardRisk: c.laguerreCross.rewardRisk });
  if (!(c.laguerreCross.minSeparationPct >= 0)) throw new RangeError('laguerreCross: minSeparationPct must be ≥ 0');
  positive('srBreak', { bufferAtr: c.srBreak.bufferAtr, rewardRisk: c.srBreak.rewardRisk });
  for (const rc of Object.values(c)) Object.freeze(rc);
  return Object.freeze(c);
}

// ---------------------------------------------------------------- shared state helpers

/** The last row's snapshot per symbol, by start, so that a corrected bar compares against the bar before it. */
class PreviousRows<T> {
  private readonly bySymbol = new Map<string, { last: { start: number; v: T } | null; before: { start: number; v: T } | null }>();

  /** The latest snapshot strictly before `start`. */
  get(symbol: string, start: number): T | undefined {
    const e = this.bySymbol.get(symbol);
    if (!e) return undefined;
    if (e.last && e.last.start < start) return e.last.v;
    if (e.before && e.before.start < start) return e.before.v;
    return undefined;
  }

  set(symbol: string, start: number, v: T): void {
    const e = this.bySymbol.get(symbol);
    if (e?.last && e.last.start === start) e.last = { start, v };
    else this.bySymbol.set(symbol, { before: e?.last ?? null, last: { start, v } });
  }
}

class Cooldown {
  private readonly lastFired = new Map<string, number>();
  constructor(private readonly minutes: number) {}

  ready(symbol: string, side: Side, start: number): boolean {
    const t = this.lastFired.get(`${symbol}|${side}`);
    return t === undefined || t >= start || start - t >= this.minutes * 60_000;
  }

  fired(symbol: string, side: Side, start: number): void {
    this.lastFired.set(`${symbol}|${side}`, start);
  }
}

const confidenceOf = (c: RuleCommon, strength: number): number => c.baseConfidence + (c.maxConfidence - c.baseConfidence) * clamp01(strength);

const dirOf = (side: Side): number => (side === 'long' ? 1 : -1);

/** Target `rewardRisk` × risk away from entry on the winning side. */
const targetFor = (side: Side, entry: number, stop: number, rewardRisk: number): number => entry + dirOf(side) * rewardRisk * Math.abs(entry - stop);

abstract class RuleGenerator<C extends RuleCommon> implements SignalGenerator {
  private readonly cooldown: Cooldown;
  constructor(
    readonly id: string,
    protected readonly config: Readonly<C>,
  ) {
    this.cooldown = new Cooldown(config.cooldownMinutes);
  }

  onRow(row: FeatureRow, bar: Bar): Proposal | null {
    assertSameBar(row, bar);
    const p = this.evaluate(row, bar);
    if (!p) return null;
    if (!this.cooldown.ready(p.symbol, p.side, p.start)) return null;
    this.cooldown.fired(p.symbol, p.side, p.start);
    return assertProposal(p);
  }

  /** The rule itself; called on every row so that per-symbol state stays current. */
  protected abstract evaluate(row: FeatureRow, bar: Bar): Proposal | null;

  protected proposal(bar: Bar, side: Side, strength: number, stop: number, target: number | null, reason: string): Proposal {
    return { source: this.id, symbol: bar.symbol, side, confidence: confidenceOf(this.config, strength), reasons: [reason], entryPrice: bar.close, stopPrice: stop, targetPrice: target, start: bar.start };
  }
}

const volText = (z: number): string => (Number.isFinite(z) ? `vol z ${num(z)}` : 'vol z n/a');

// ---------------------------------------------------------------- opening-range breakout

/** First close beyond the opening range after it completes (or_breakout_* already excludes the completing bar). */
export class OpeningRangeBreakout extends RuleGenerator<OrbConfig> {
  private readonly state = new Map<string, { session: string; wasUp: boolean; wasDown: boolean; firedUp: boolean; firedDown: boolean; start: number }>();

  constructor(config: Readonly<OrbConfig> = DEFAULT_RULES_CONFIG.orb) {
    super('orb', config);
  }

  protected evaluate(row: FeatureRow, bar: Bar): Proposal | null {
    const session = nyDateKey(bar.start);
    const up = feature(row, 'or_breakout_up') === 1;
    const down = feature(row, 'or_breakout_down') === 1;
    let st = this.state.get(bar.symbol);
    if (!st || st.session !== session) st = { session, wasUp: false, wasDown: false, firedUp: false, firedDown: false, start: bar.start };
    const { wasUp, wasDown } = st;
    st.wasUp = up;
    st.wasDown = down;
    st.start = bar.start;
    this.state.set(bar.symbol, st);

    const side: Side | null = up && !wasUp ? 'long' : down && !wasDown ? 'short' : null;
    if (!side) return null;
    if (this.config.oncePerSession && (side === 'long' ? st.firedUp : st.firedDown)) return null;
    const orHigh = overlay(row, 'or_high');
    const orLow = overlay(row, 'or_low');
    const z = feature(row, 'volume_z_20');
    if (this.config.minVolumeZ !== null && !(z > this.config.minVolumeZ)) return null;
    const atr = atrOf(row, bar.close);
    if (!Number.isFinite(orHigh) || !Number.isFinite(orLow)) return null;
    let stop: number;
    if (this.config.stopMode === 'range') stop = side === 'long' ? orLow : orHigh;
    else {
      if (!Number.isFinite(atr)) return null;
      stop = bar.close - dirOf(side) * this.config.stopAtr * atr;
    }
    if (side === 'long') st.firedUp = true;
    else st.firedDown = true;
    // Strength: volume (z 3 = full) and how decisively the close cleared the level (in ATRs).
    const level = side === 'long' ? orHigh : orLow;
    const clear = Number.isFinite(atr) ? Math.abs(bar.close - level) / atr : 0;
    const strength = 0.5 * clamp01((Number.isFinite(z) ? z : 0) / 3) + 0.5 * clamp01(clear);
    const reason =
      side === 'long'
        ? `ORB: close ${px(bar.close)} > OR high ${px(orHigh)} (${volText(z)})`
        : `ORB: close ${px(bar.close)} < OR low ${px(orLow)} (${volText(z)})`;
    return this.proposal(bar, side, strength, stop, targetFor(side, bar.close, stop, this.config.rewardRisk), reason);
  }
}

// ---------------------------------------------------------------- VWAP reversion

/** Price stretched more than k ATRs from session VWAP and turning back: fade it, target VWAP. */
export class VwapReversion extends RuleGenerator<VwapReversionConfig> {
  constructor(config: Readonly<VwapReversionConfig> = DEFAULT_RULES_CONFIG.vwapReversion) {
    super('vwap_reversion', config);
  }

  protected evaluate(row: FeatureRow, bar: Bar): Proposal | null {
    const dist = feature(row, 'vwap_dist');
    const atrPct = feature(row, 'atr_pct');
    const vwap = overlay(row, 'vwap');
    if (!Number.isFinite(dist) || !(atrPct > 0) || !Number.isFinite(vwap)) return null;
    const stretch = dist / atrPct; // signed distance from VWAP in ATRs
    if (Math.abs(stretch) <= this.config.stretchAtr) return null;
    const side: Side = stretch > 0 ? 'short' : 'long';
    if (this.config.requireReversalBar && !(side === 'short' ? bar.close < bar.open : bar.close > bar.open)) return null;
    const atr = atrPct * bar.close;
    const stop = bar.close - dirOf(side) * this.config.stopAtr * atr;
    const strength = (Math.abs(stretch) - this.config.stretchAtr) / this.config.stretchAtr;
    const reason = `VWAP reversion: close ${px(bar.close)} is ${num(Math.abs(stretch))} ATR ${stretch > 0 ? 'above' : 'below'} VWAP ${px(vwap)} (> ${num(this.config.stretchAtr)}; ATR ${num(atrPct * 100, 2)}%), fading toward VWAP`;
    return this.proposal(bar, side, strength, stop, vwap, reason);
  }
}

// ---------------------------------------------------------------- momentum breakout

/**
 * Close above the prior 60-bar high on heavy volume. resistance_60 at bar t includes bar t's own high
 * (so no close can exceed it); the level broken is the previous row's resistance_60.
 */
export class MomentumBreakout extends RuleGenerator<MomentumBreakoutConfig> {
  private readonly prev = new PreviousRows<number>();

  constructor(config: Readonly<MomentumBreakoutConfig> = DEFAULT_RULES_CONFIG.momentumBreakout) {
    super('momentum_breakout', config);
  }

  protected evaluate(row: FeatureRow, bar: Bar): Proposal | null {
    const level = this.prev.get(bar.symbol, bar.start);
    this.prev.set(bar.symbol, bar.start, overlay(row, 'resistance_60'));
    if (level === undefined || !Number.isFinite(level) || !(bar.close > level)) return null;
    const z = feature(row, 'volume_z_20');
    if (!(z > this.config.minVolumeZ)) return null;
    const atr = atrOf(row, bar.close);
    if (!Number.isFinite(atr)) return null;
    const stop = bar.close - this.config.stopAtr * atr;
    const strength = (z - this.config.minVolumeZ) / Math.max(this.config.minVolumeZ, 1);
    const reason = `Momentum breakout: close ${px(bar.close)} > 60-bar high ${px(level)} (vol z ${num(z)} > ${num(this.config.minVolumeZ)})`;
    return this.proposal(bar, 'long', strength, stop, targetFor('long', bar.close, stop, this.config.rewardRisk), reason);
  }
}

// ---------------------------------------------------------------- VWAP bounce

/** A trend held above (below) VWAP pulls back to touch it and closes back on the trend side. */
export class VwapBounce extends RuleGenerator<VwapBounceConfig> {
  /** Consecutive closes above (positive) or below (negative) VWAP up to the previous bar. */
  private readonly prev = new PreviousRows<number>();

  constructor(config: Readonly<VwapBounceConfig> = DEFAULT_RULES_CONFIG.vwapBounce) {
    super('vwap_bounce', config);
  }

  protected evaluate(row: FeatureRow, bar: Bar): Proposal | null {
    const vwap = overlay(row, 'vwap');
    const run = this.prev.get(bar.symbol, bar.start) ?? 0;
    const now = !Number.isFinite(vwap) ? 0 : bar.close > vwap ? Math.max(run, 0) + 1 : bar.close < vwap ? Math.min(run, 0) - 1 : 0;
    this.prev.set(bar.symbol, bar.start, now);
    const atr = atrOf(row, bar.close);
    if (!Number.isFinite(vwap) || !Number.isFinite(atr)) return null;
    const touch = this.config.touchAtr * atr;
    const n = this.config.minBarsBeyond;
    let side: Side | null = null;
    if (run >= n && bar.low <= vwap + touch && bar.close > vwap) side = 'long';
    else if (this.config.sides === 'both' && run <= -n && bar.high >= vwap - touch && bar.close < vwap) side = 'short';
    if (!side) return null;
    const stop = vwap - dirOf(side) * this.config.stopAtr * atr;
    const strength = (Math.abs(run) - n) / n;
    const reason =
      side === 'long'
        ? `VWAP bounce: ${run} closes above VWAP, low ${px(bar.low)} touched VWAP ${px(vwap)}, closed back above at ${px(bar.close)}`
        : `VWAP bounce: ${-run} closes below VWAP, high ${px(bar.high)} touched VWAP ${px(vwap)}, closed back below at ${px(bar.close)}`;
    return this.proposal(bar, side, strength, stop, targetFor(side, bar.close, stop, this.config.rewardRisk), reason);
  }
}

// ---------------------------------------------------------------- Laguerre crossover

/** The fast Laguerre filter (fixed gamma) crossing the slower adaptive one: up = long, down = short. */
export class LaguerreCross extends RuleGenerator<LaguerreCrossConfig> {
  private readonly prev = new PreviousRows<number>();

  constructor(config: Readonly<LaguerreCrossConfig> = DEFAULT_RULES_CONFIG.laguerreCross) {
    super('laguerre_cross', config);
  }

  protected evaluate(row: FeatureRow, bar: Bar): Proposal | null {
    const fast = overlay(row, 'laguerre');
    const slow = overlay(row, 'laguerre_adaptive');
    const diff = fast - slow;
    const before = this.prev.get(bar.symbol, bar.start);
    this.prev.set(bar.symbol, bar.start, diff);
    if (before === undefined || !Number.isFinite(before) || !Number.isFinite(diff)) return null;
    const side: Side | null = before <= 0 && diff > 0 ? 'long' : before >= 0 && diff < 0 ? 'short' : null;
    if (!side) return null;
    const sep = Math.abs(diff) / bar.close;
    if (sep <= this.config.minSeparationPct) return null;
    const atr = atrOf(row, bar.close);
    if (!Number.isFinite(atr)) return null;
    const stop = bar.close - dirOf(side) * this.config.stopAtr * atr;
    const strength = clamp01(Math.abs(diff) / (0.25 * atr));
    const reason = `Laguerre cross: fast ${px(fast)} crossed ${side === 'long' ? 'above' : 'below'} adaptive ${px(slow)} (close ${px(bar.close)})`;
    return this.proposal(bar, side, strength, stop, targetFor(side, bar.close, stop, this.config.rewardRisk), reason);
  }
}

// ---------------------------------------------------------------- support / resistance break

/**
 * Close beyond the 60-bar range known before bar t (the previous row's support_60/resistance_60;
 * bar t's own levels include its own high and low). Stop back inside the broken level.
 */
export class SupportResistanceBreak extends RuleGenerator<SrBreakConfig> {
  private readonly prev = new PreviousRows<{ support: number; resistance: number }>();

  constructor(config: Readonly<SrBreakConfig> = DEFAULT_RULES_CONFIG.srBreak) {
    super('sr_break', config);
  }

  protected evaluate(row: FeatureRow, bar: Bar): Proposal | null {
    const levels = this.prev.get(bar.symbol, bar.start);
    this.prev.set(bar.symbol, bar.start, { support: overlay(row, 'support_60'), resistance: overlay(row, 'resistance_60') });
    if (!levels) return null;
    const side: Side | null = bar.close > levels.resistance ? 'long' : bar.close < levels.support ? 'short' : null;
    if (!side) return null;
    const z = feature(row, 'volume_z_20');
    if (this.config.minVolumeZ !== null && !(z > this.config.minVolumeZ)) return null;
    const atr = atrOf(row, bar.close);
    if (!Number.isFinite(atr)) return null;
    const level = side === 'long' ? levels.resistance : levels.support;
    const stop = level - dirOf(side) * this.config.bufferAtr * atr;
    const strength = clamp01(Math.abs(bar.close - level) / atr);
    const reason =
      side === 'long'
        ? `Resistance break: close ${px(bar.close)} > 60-bar resistance ${px(level)} (${volText(z)})`
        : `Support break: close ${px(bar.close)} < 60-bar support ${px(level)} (${volText(z)})`;
    return this.proposal(bar, side, strength, stop, targetFor(side, bar.close, stop, this.config.rewardRisk), reason);
  }
}

// ---------------------------------------------------------------- factory

/** The enabled rule generators, each with its own resolved config (fresh state: one set per engine). */
export function createRuleGenerators(input: RulesConfigInput = {}): SignalGenerator[] {
  const c = resolveRulesConfig(input);
  const all: Array<[boolean, () => SignalGenerator]> = [
    [c.orb.enabled, () => new OpeningRangeBreakout(c.orb)],
    [c.vwapReversion.enabled, () => new VwapReversion(c.vwapReversion)],
    [c.momentumBreakout.enabled, () => new MomentumBreakout(c.momentumBreakout)],
    [c.vwapBounce.enabled, () => new VwapBounce(c.vwapBounce)],
    [c.laguerreCross.enabled, () => new LaguerreCross(c.laguerreCross)],
    [c.srBreak.enabled, () => new SupportResistanceBreak(c.srBreak)],
  ];
  return all.filter(([on]) => on).map(([, make]) => make());
}
