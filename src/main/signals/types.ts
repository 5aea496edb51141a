// What every signal generator speaks: a Proposal (one source's idea of a trade at bar t) and the
// SignalGenerator interface; plus the helpers the rules share (reading named features, ATR, checks).
import type { Bar } from '../../shared/domain';
import type { FeatureRow } from '../features/feature-engine';
import { FEATURE_INDEX } from '../features/spec';
import { OVERLAY_NAMES, type OverlayName } from '../features/streaming';

export type Side = 'long' | 'short';

/** One source's proposed trade, made when bar `start` closed, from that bar and earlier data only. */
export interface Proposal {
  /** The generator's id, e.g. 'orb', 'ml'. */
  source: string;
  symbol: string;
  side: Side;
  /** 0..1: how sure this source is on its own (fusion weighs sources against each other). */
  confidence: number;
  /** Plain trader text naming the rule and its numbers. */
  reasons: string[];
  /** The close of bar `start`. */
  entryPrice: number;
  /** Below entry for a long, above for a short. */
  stopPrice: number;
  /** Above entry for a long, below for a short; null when the source names none. */
  targetPrice: number | null;
  /** Bar start (epoch ms UTC) of the row the proposal comes from. */
  start: number;
  /** The model that produced it (ML sources only). */
  modelVersion?: string;
}

export interface SignalGenerator {
  id: string;
  /** Called once per closed regular-session bar, in time order per symbol; the row is of that bar. */
  onRow(row: FeatureRow, bar: Bar): Proposal | null;
}

export class ProposalInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProposalInvariantError';
  }
}

/** A proposal with a NaN price or a stop on the wrong side is a bug in its generator: fail fast. */
export function assertProposal(p: Proposal): Proposal {
  const where = `${p.source} ${p.side} ${p.symbol} @${p.start}`;
  if (![p.entryPrice, p.stopPrice].every(Number.isFinite) || (p.targetPrice !== null && !Number.isFinite(p.targetPrice))) {
    throw new ProposalInvariantError(`${where}: prices must be finite (entry ${p.entryPrice}, stop ${p.stopPrice}, target ${p.targetPrice})`);
  }
  if (!(p.confidence >= 0 && p.confidence <= 1)) throw new ProposalInvariantError(`${where}: confidence ${p.confidence} is outside 0..1`);
  const dir = p.side === 'long' ? 1 : -1;
  if (!((p.entryPrice - p.stopPrice) * dir > 0)) throw new ProposalInvariantError(`${where}: stop ${p.stopPrice} is not on the losing side of entry ${p.entryPrice}`);
  if (p.targetPrice !== null && !((p.targetPrice - p.entryPrice) * dir > 0)) {
    throw new ProposalInvariantError(`${where}: target ${p.targetPrice} is not on the winning side of entry ${p.entryPrice}`);
  }
  return p;
}

const OVERLAY_INDEX = Object.fromEntries(OVERLAY_NAMES.map((n, i) => [n, i])) as Record<OverlayName, number>;

/** A named feature of the row (NaN while warming up). Throws on a name the spec lacks: that is a typo. */
export function feature(row: FeatureRow, name: string): number {
  const i = FEATURE_INDEX[name];
  if (i === undefined) throw new RangeError(`no feature named ${name}`);
  return row.values[i] ?? Number.NaN;
}

export function overlay(row: FeatureRow, name: OverlayName): number {
  return row.overlays[OVERLAY_INDEX[name]] ?? Number.NaN;
}

/** ATR(14) in price units at bar t, NaN while warming up. */
export function atrOf(row: FeatureRow, close: number): number {
  const pct = feature(row, 'atr_pct');
  return Number.isFinite(pct) && pct > 0 ? pct * close : Number.NaN;
}

/** Row and bar must describe the same bar; anything else is a wiring bug. */
export function assertSameBar(row: FeatureRow, bar: Bar): void {
  if (row.symbol !== bar.symbol || row.start !== bar.start) {
    throw new ProposalInvariantError(`row ${row.symbol}@${row.start} does not belong to bar ${bar.symbol}@${bar.start}`);
  }
}

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Price for reasons: cents, or 4 decimals under a dollar. */
export function px(x: number): string {
  return Math.abs(x) < 1 ? x.toFixed(4) : x.toFixed(2);
}

export function num(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}
