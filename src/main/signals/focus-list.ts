// The pre-market focus list: at 09:15 New York on each trading day, rank the universe from what is
// known before the open (daily bars of earlier sessions, the latest pre-market or prior-close price,
// the daily model's score when there is one) and pick the day's 1–N symbols, with a plain reason for
// every pick and every rejection.
//
// Ranking (documented blend, each term in [0, 1]):
//   score = 0.65 · edge + 0.20 · gap + 0.15 · liquidity
//   edge      = |modelScore − 0.5| · 2 when a model score is given (conviction either way), else the
//               momentum fallback min(1, |20-day log return| / (daily ATR% · √20)) (the move in ATRs);
//   gap       = 0 below gapFlagPct, else min(1, |gap%| / (3 · gapFlagPct)) (a gap is a plus);
//   liquidity = min(1, log10(avg $ volume / minDollarVolume) / 2) (a tie-breaker above the filter).
// Liquidity (avg 20-day close×volume) and volatility (daily ATR %) are filters: a symbol outside them
// is rejected with why. A gap of at least anomalyAtrMultiple × the daily ATR % is flagged as an
// anomaly in the reasons but not excluded (the trader decides whether news explains it).
import type { NyseCalendar } from '../calendar/nyse';
import type { Clock } from '../engine/clock';
import { SessionJob } from '../engine/session-scheduler';
import type { DailyBar } from '../features/streaming';
import type { Db } from '../store/database';

export interface FocusCandidate {
  symbol: string;
  /** Daily bars of sessions before `date`, oldest first (later days are ignored). */
  days: readonly DailyBar[];
  /** The latest known price before 09:15 (the last pre-market print or the prior close); null if none. */
  lastPrice: number | null;
  /** The daily model's P(up) for the day, or null without a model. */
  modelScore: number | null;
}

export interface FocusOptions {
  /** Most symbols picked (default 5). */
  maxPicks: number;
  /** Minimum average daily dollar volume (close × volume over up to 20 days; default 50M). */
  minDollarVolume: number;
  /** Daily ATR as a percent of the prior close: below this the day is too quiet (default 0.5). */
  minAtrPct: number;
  /** Above this the symbol is too wild to trade the plan (default 8). */
  maxAtrPct: number;
  /** |gap| in percent from which the gap counts (default 1). */
  gapFlagPct: number;
  /** |gap| ≥ this × daily ATR % is flagged as an anomaly (default 3). */
  anomalyAtrMultiple: number;
  /** Prior days needed at all (default 1; fewer than 20 are used as they are and said so). */
  minDays: number;
}

export const DEFAULT_FOCUS_OPTIONS: FocusOptions = Object.freeze({
  maxPicks: 5,
  minDollarVolume: 50e6,
  minAtrPct: 0.5,
  maxAtrPct: 8,
  gapFlagPct: 1,
  anomalyAtrMultiple: 3,
  minDays: 1,
});

export interface FocusMetrics {
  days: number;
  avgDollarVolume: number;
  atrPct: number;
  gapPct: number;
  momentum: number;
  modelScore: number | null;
}

export interface FocusPick {
  symbol: string;
  rank: number;
  /** The blended score in [0, 1] (see the top of this file). */
  score: number;
  reasons: string[];
  flags: Array<'gap' | 'anomaly'>;
  metrics: FocusMetrics;
}

export interface FocusRejection {
  symbol: string;
  reason: string;
}

export interface FocusList {
  date: string;
  picks: FocusPick[];
  rejected: FocusRejection[];
}

/** 1.2B, 350M, 12.5K. */
export function formatDollars(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(a >= 1e8 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(x / 1e3).toFixed(1)}K`;
  return x.toFixed(0);
}

const signed = (x: number, digits = 1): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

function trueRange(d: DailyBar, prevClose: number | null): number {
  if (prevClose === null) return d.high - d.low;
  return Math.max(d.high - d.low, Math.abs(d.high - prevClose), Math.abs(d.low - prevClose));
}

/** Metrics of one candidate from its days strictly before `date`, or why there are none. */
export function focusMetrics(c: FocusCandidate, date: string, minDays = 1): FocusMetrics | string {
  const days = c.days.filter((d) => d.date < date);
  if (days.length < Math.max(1, minDays)) return `only ${days.length} daily bar${days.length === 1 ? '' : 's'} before ${date} (needs ${Math.max(1, minDays)})`;
  const n = days.length;
  const last = days[n - 1]!;
  if (!(last.close > 0)) return `no valid prior close`;
  const window = days.slice(Math.max(0, n - 20));
  const avgDollarVolume = window.reduce((s, d) => s + d.close * d.volume, 0) / window.length;
  // Daily ATR(14), Wilder, when there are 15 days; the mean true range of the days there are otherwise.
  let atr: number;
  if (n >= 15) {
    let sum = 0;
    for (let i = 1; i <= 14; i++) sum += trueRange(days[i]!, days[i - 1]!.close);
    atr = sum / 14;
    for (let i = 15; i < n; i++) atr = (atr * 13 + trueRange(days[i]!, days[i - 1]!.close)) / 14;
  } else {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += trueRange(days[i]!, i > 0 ? days[i - 1]!.close : null);
    atr = sum / n;
  }
  const atrPct = (atr / last.close) * 100;
  const price = c.lastPrice !== null && Number.isFinite(c.lastPrice) && c.lastPrice > 0 ? c.lastPrice : last.close;
  const gapPct = (price / last.close - 1) * 100;
  const base = days[Math.max(0, n - 21)]!.close;
  const momentum = base > 0 ? Math.log(last.close / base) : 0;
  const modelScore = c.modelScore !== null && Number.isFinite(c.modelScore) ? c.modelScore : null;
  return { days: n, avgDollarVolume, atrPct, gapPct, momentum, modelScore };
}

/** Ranks the universe for `date` (pure: same input, same list). */
export function buildFocusList(input: { date: string; universe: readonly FocusCandidate[]; options?: Partial<FocusOptions> }): FocusList {
  const o: FocusOptions = { ...DEFAULT_FOCUS_OPTIONS, ...input.options };
  if (!(Number.isInteger(o.maxPicks) && o.maxPicks >= 1)) throw new RangeError(`maxPicks must be a whole number ≥ 1, got ${o.maxPicks}`);
  const rejected: FocusRejection[] = [];
  const ranked: Array<Omit<FocusPick, 'rank'>> = [];
  for (const c of input.universe) {
    const m = focusMetrics(c, input.date, o.minDays);
    if (typeof m === 'string') {
      rejected.push({ symbol: c.symbol, reason: m });
      continue;
    }
    const liq = `avg $ volume ${formatDollars(m.avgDollarVolume)}${m.days < 20 ? ` (${m.days} day${m.days === 1 ? '' : 's'})` : ''}`;
    if (!(m.avgDollarVolume >= o.minDollarVolume)) {
      rejected.push({ symbol: c.symbol, reason: `illiquid: ${liq} < ${formatDollars(o.minDollarVolume)}` });
      continue;
    }
    if (!(m.atrPct >= o.minAtrPct)) {
      rejected.push({ symbol: c.symbol, reason: `too quiet: ATR ${m.atrPct.toFixed(1)}% < ${o.minAtrPct}%` });
      continue;
    }
    if (!(m.atrPct <= o.maxAtrPct)) {
      rejected.push({ symbol: c.symbol, reason: `too volatile: ATR ${m.atrPct.toFixed(1)}% > ${o.maxAtrPct}%` });
      continue;
    }
    const edge =
      m.modelScore !== null ? Math.min(1, Math.abs(m.modelScore - 0.5) * 2) : Math.min(1, Math.abs(m.momentum * 100) / (m.atrPct * Math.sqrt(20)));
    const absGap = Math.abs(m.gapPct);
    const gapped = absGap >= o.gapFlagPct;
    const gapTerm = gapped ? Math.min(1, absGap / (3 * o.gapFlagPct)) : 0;
    const liquidity = Math.max(0, Math.min(1, Math.log10(m.avgDollarVolume / o.minDollarVolume) / 2));
    const score = 0.65 * edge + 0.2 * gapTerm + 0.15 * liquidity;
    const anomaly = m.atrPct > 0 && absGap >= o.anomalyAtrMultiple * m.atrPct;
    const reasons = [
      liq,
      `ATR ${m.atrPct.toFixed(1)}%`,
      `gap ${signed(m.gapPct)}%${gapped ? ' (gap)' : ''}`,
      m.modelScore !== null ? `model ${m.modelScore.toFixed(2)}` : `momentum ${signed(m.momentum * 100)}% (no model)`,
    ];
    const flags: FocusPick['flags'] = [];
    if (gapped) flags.push('gap');
    if (anomaly) {
      flags.push('anomaly');
      reasons.push(`ANOMALY: gap is ${(absGap / m.atrPct).toFixed(1)}× the daily ATR`);
    }
    ranked.push({ symbol: c.symbol, score, reasons, flags, metrics: m });
  }
  ranked.sort((a, b) => b.score - a.score || a.symbol.localeCompare(b.symbol));
  const picks = ranked.slice(0, o.maxPicks).map((p, i) => ({ ...p, rank: i + 1 }));
  ranked.slice(o.maxPicks).forEach((p, i) => {
    rejected.push({ symbol: p.symbol, reason: `ranked #${o.maxPicks + i + 1} (score ${p.score.toFixed(2)}), below the top ${o.maxPicks}: ${p.reasons.join(', ')}` });
  });
  return { date: input.date, picks, rejected };
}

// ---------------------------------------------------------------- storage

export interface StoredFocusList {
  date: string;
  createdAt: number;
  picks: Array<{ symbol: string; score: number; reasons: string[] }>;
  rejected: FocusRejection[];
}

/** The wire/stored shape of a built list. */
export function toStored(list: FocusList, createdAt: number): StoredFocusList {
  return {
    date: list.date,
    createdAt,
    picks: list.picks.map((p) => ({ symbol: p.symbol, score: p.score, reasons: [...p.reasons] })),
    rejected: list.rejected.map((r) => ({ ...r })),
  };
}

/** The focus_lists table (migration 5): one list per session date, the latest build wins. */
export class FocusListStore {
  constructor(private readonly db: Db) {}

  save(list: StoredFocusList): void {
    this.db
      .prepare('INSERT INTO focus_lists (date, created_at, json) VALUES (?, ?, ?) ON CONFLICT(date) DO UPDATE SET created_at = excluded.created_at, json = excluded.json')
      .run(list.date, list.createdAt, JSON.stringify(list));
  }

  get(date: string): StoredFocusList | null {
    const row = this.db.prepare('SELECT json FROM focus_lists WHERE date = ?').get(date) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as StoredFocusList) : null;
  }

  latest(): StoredFocusList | null {
    const row = this.db.prepare('SELECT json FROM focus_lists ORDER BY date DESC LIMIT 1').get() as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as StoredFocusList) : null;
  }
}

// ---------------------------------------------------------------- schedule

export interface FocusJobOptions {
  /** Minutes before the 09:30 open the list is built (default 15: 09:15 New York). */
  minutesBeforeOpen?: number;
  onError?: (sessionDate: string, error: unknown) => void;
}

/**
 * Fires `run(sessionDate)` at 09:15 New York on each trading day (the calendar decides: weekends and
 * holidays have no session, so no run), on the engine clock, re-armed after each run like the
 * nightly job. `catchUp()` runs the current session's list once when the clock is already past 09:15
 * but before the close (a simulated session starts at 09:30; an engine restarted mid-day).
 */
export class FocusListJob extends SessionJob {
  constructor(clock: Clock, calendar: NyseCalendar, run: (sessionDate: string) => void, options: FocusJobOptions = {}) {
    const beforeOpenMs = (options.minutesBeforeOpen ?? 15) * 60_000;
    if (!(beforeOpenMs >= 0 && beforeOpenMs <= 5.5 * 3_600_000)) throw new RangeError(`minutesBeforeOpen must be in [0, 330], got ${options.minutesBeforeOpen}`);
    super(clock, calendar, { moment: { anchor: 'open', offsetMs: -beforeOpenMs }, run, ...(options.onError ? { onError: options.onError } : {}) });
  }
}
