// Fusion: one minute's proposals plus the live signals → new and updated signals. Agreeing sources
// on a symbol and side become one signal; a live pending signal is refreshed, never duplicated; a
// long and a short on the same symbol are both kept and point at each other (conflictsWith).
//
// Confidence is a weighted noisy-OR over the sources: 1 − Π_s (1 − w_s·c_s), with c_s the source's
// latest confidence on that signal and w_s its weight in 0..1 (default 1). It stays in 0..1, never
// falls when a source agrees, and a single source with weight 1 keeps its own confidence. Sources
// that read the same data (momentum and S/R breakouts) are not independent: give them weights < 1.
import type { Proposal, Side } from './types';
import { assertProposal } from './types';

export interface SourceContribution {
  confidence: number;
  reasons: string[];
  /** Bar start of the proposal it came from. */
  start: number;
  entryPrice: number;
  stopPrice: number;
  targetPrice: number | null;
}

/** A signal as fusion builds it: the contract's Signal without sizing and status, plus per-source inputs. */
export interface FusedSignal {
  id: string;
  symbol: string;
  side: Side;
  sources: string[];
  confidence: number;
  reasons: string[];
  entryPrice: number;
  stopPrice: number;
  targetPrice: number | null;
  createdAt: number;
  expiresAt: number;
  conflictsWith: string | null;
  modelVersion: string | null;
  /** The latest proposal of each agreeing source (keep it with the signal to refresh it later). */
  contributions: Record<string, SourceContribution>;
}

/**
 * What fusion needs of a live signal: a FusedSignal as fusion returned it (keep `contributions`
 * beside the contract Signal; `toSignalFields` drops it), with the desk's status. Only pending (or
 * status-less), unexpired ones are merged into and checked for conflicts.
 */
export type LiveSignal = FusedSignal & { status?: 'pending' | 'approved' | 'vetoed' | 'expired' | 'executed' | 'refused' };

/** The contract Signal's fields of a fused signal (sizing and status are the desk's). */
export function toSignalFields(s: FusedSignal): Omit<FusedSignal, 'contributions'> {
  const { contributions: _c, ...rest } = s;
  return { ...rest, sources: [...rest.sources], reasons: [...rest.reasons] };
}

export interface FusionConfig {
  /** Weight per source id in 0..1; a source not listed gets `defaultWeight`. */
  weights: Readonly<Record<string, number>>;
  /** Default 1. */
  defaultWeight: number;
  /** A signal lives this long after its latest proposal's bar closed (start + 60 s). Default 5 minutes. */
  ttlMs: number;
  /** Proposals whose weighted confidence is below this are ignored. Default 0 (none ignored). */
  minConfidence: number;
}

export const DEFAULT_FUSION_CONFIG: Readonly<FusionConfig> = Object.freeze({ weights: Object.freeze({}), defaultWeight: 1, ttlMs: 5 * 60_000, minConfidence: 0 });

export function resolveFusionConfig(input: Partial<FusionConfig> = {}): Readonly<FusionConfig> {
  const c = { ...DEFAULT_FUSION_CONFIG, ...input };
  for (const [s, w] of Object.entries({ ...c.weights, '(default)': c.defaultWeight })) {
    if (!(w >= 0 && w <= 1)) throw new RangeError(`fusion: weight of ${s} must be in 0..1, got ${w}`);
  }
  if (!(c.ttlMs > 0)) throw new RangeError(`fusion: ttlMs must be > 0, got ${c.ttlMs}`);
  if (!(c.minConfidence >= 0 && c.minConfidence <= 1)) throw new RangeError(`fusion: minConfidence must be in 0..1, got ${c.minConfidence}`);
  return Object.freeze({ ...c, weights: Object.freeze({ ...c.weights }) });
}

export interface FusionResult {
  /** Signals that did not exist before. */
  created: FusedSignal[];
  /** Live signals that changed (merged/refreshed, or their conflictsWith changed), by their id. */
  updated: FusedSignal[];
}

export interface FuseOptions {
  config?: Readonly<FusionConfig>;
  /** Epoch ms: what counts as live, and createdAt of new signals. */
  now: number;
  /** Id of a new signal; default `sig-SYMBOL-side-start`. */
  newId?: (p: { symbol: string; side: Side; start: number }) => string;
}

const weightOf = (c: Readonly<FusionConfig>, source: string): number => c.weights[source] ?? c.defaultWeight;

/** 1 − Π(1 − w_s·c_s), the fused confidence of a set of contributions. */
export function fusedConfidence(contributions: Readonly<Record<string, { confidence: number }>>, config: Readonly<FusionConfig> = DEFAULT_FUSION_CONFIG): number {
  let miss = 1;
  for (const [s, c] of Object.entries(contributions)) miss *= 1 - weightOf(config, s) * c.confidence;
  return Math.min(1, Math.max(0, 1 - miss));
}

const key = (symbol: string, side: Side): string => `${symbol}|${side}`;

function isLive(s: LiveSignal, now: number): boolean {
  return (s.status === undefined || s.status === 'pending') && s.expiresAt > now;
}

/** Rebuilds a signal's derived fields from its contributions. */
function finish(base: Omit<FusedSignal, 'sources' | 'confidence' | 'reasons' | 'entryPrice' | 'stopPrice' | 'targetPrice'>, config: Readonly<FusionConfig>): FusedSignal {
  const entries = Object.entries(base.contributions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Price levels come from the freshest bar; among that bar's sources, the strongest weighted one
  // (a stop and target stay a pair from one source rather than a mix).
  const latest = Math.max(...entries.map(([, c]) => c.start));
  const lead = entries
    .filter(([, c]) => c.start === latest)
    .reduce((best, cur) => (weightOf(config, cur[0]) * cur[1].confidence > weightOf(config, best[0]) * best[1].confidence ? cur : best));
  return {
    ...base,
    sources: entries.map(([s]) => s),
    confidence: fusedConfidence(base.contributions, config),
    reasons: entries.flatMap(([, c]) => c.reasons),
    entryPrice: lead[1].entryPrice,
    stopPrice: lead[1].stopPrice,
    targetPrice: lead[1].targetPrice,
  };
}

/**
 * Fuses one minute's proposals with the live set. Pure: the live set is not modified; the caller
 * replaces updated signals by id and adds created ones.
 */
export function fuseProposals(proposals: readonly Proposal[], live: readonly LiveSignal[], options: FuseOptions): FusionResult {
  const config = options.config ?? DEFAULT_FUSION_CONFIG;
  const { now } = options;
  const newId = options.newId ?? ((p) => `sig-${p.symbol}-${p.side}-${p.start}`);

  // The live signal per symbol and side (the newest if the caller holds several).
  const current = new Map<string, FusedSignal>();
  for (const s of live) {
    if (!isLive(s, now)) continue;
    const k = key(s.symbol, s.side);
    const have = current.get(k);
    if (have && have.createdAt > s.createdAt) continue;
    const { status: _status, ...rest } = s;
    current.set(k, { ...rest, contributions: { ...s.contributions } });
  }
  const before = new Map([...current.values()].map((s) => [s.id, JSON.stringify(s)]));
  const created = new Set<string>();

  // Per symbol and side, each source's strongest proposal of the newest bar it proposed on.
  const best = new Map<string, Map<string, Proposal>>();
  for (const p of proposals) {
    assertProposal(p);
    if (weightOf(config, p.source) * p.confidence < config.minConfidence) continue;
    const k = key(p.symbol, p.side);
    const bySource = best.get(k) ?? new Map<string, Proposal>();
    const have = bySource.get(p.source);
    if (!have || p.start > have.start || (p.start === have.start && p.confidence > have.confidence)) bySource.set(p.source, p);
    best.set(k, bySource);
  }

  for (const [k, bySource] of best) {
    const ps = [...bySource.values()];
    const first = ps[0]!;
    const start = Math.max(...ps.map((p) => p.start));
    const existing = current.get(k);
    const contributions = existing ? { ...existing.contributions } : {};
    for (const p of ps) {
      const prior = contributions[p.source];
      if (prior && prior.start > p.start) continue; // an older proposal never overrides a newer one
      contributions[p.source] = { confidence: p.confidence, reasons: p.reasons, start: p.start, entryPrice: p.entryPrice, stopPrice: p.stopPrice, targetPrice: p.targetPrice };
    }
    const modelVersion = ps.find((p) => p.modelVersion)?.modelVersion ?? existing?.modelVersion ?? null;
    const expiresAt = Math.max(existing?.expiresAt ?? 0, start + 60_000 + config.ttlMs);
    const id = existing?.id ?? newId({ symbol: first.symbol, side: first.side, start });
    const signal = finish(
      { id, symbol: first.symbol, side: first.side, createdAt: existing?.createdAt ?? now, expiresAt, conflictsWith: existing?.conflictsWith ?? null, modelVersion, contributions },
      config,
    );
    current.set(k, signal);
    if (!existing) created.add(id);
  }

  // Conflicts: a long and a short live on one symbol point at each other; a stale pointer is cleared.
  for (const s of current.values()) {
    const other = current.get(key(s.symbol, s.side === 'long' ? 'short' : 'long'));
    s.conflictsWith = other ? other.id : null;
  }

  const result: FusionResult = { created: [], updated: [] };
  for (const s of current.values()) {
    if (created.has(s.id)) result.created.push(s);
    else if (before.get(s.id) !== JSON.stringify(s)) result.updated.push(s);
  }
  return result;
}
