// Baselines a backtest is reported beside: buy-and-hold (SPY, and the traded symbols equally weighted),
// and random entries with the strategy's sizing, stops and exits, over the same days. Pure and fast:
// bars come in as typed columns, each random run is one seeded stream, nothing is kept between calls.
import type { Bar, Side } from '../../shared/domain';
import type { Baselines } from '../../shared/backtest';
import type { NyseCalendar } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import { SeededRandom } from '../engine/random';
import { feesForFill, validateFeeSchedule, type FeeSchedule } from '../execution/fees';
import { limitFillPrice, marketFillPrice, slippageAmount, validateFillModel, withSlippage, type SlippageModel } from '../execution/fill-model';
import { toTick } from '../execution/ticks';
import { stepExits, trackPosition, type ExitReason, type ExitRules, type TrackedPosition } from '../risk/exits';
import { flattenTimeOf, type RiskLimits } from '../risk/pre-trade';
import { DEFAULT_MARKETABLE_LIMIT_PCT } from '../risk/risk-engine';
import { sizePosition, type SizingMethod } from '../risk/sizing';
import { PART_CODE, type BarColumns } from '../store/history-store';

const MINUTE = 60_000;
/** Bars before the first entry decision: ATR(14) needs 14 true ranges, the first from the second bar. */
export const WARMUP_BARS = 14;

// ---------------------------------------------------------------- buy and hold

/** One regular session of a symbol for buy-and-hold: first open, last close, low, and optionally each minute's close. */
export interface BuyHoldDay {
  open: number;
  close: number;
  low: number;
  minuteCloses?: Float64Array;
}

export interface BuyHoldResult {
  totalReturn: number;
  /** Largest fall from a previous high of the marked value, as a positive fraction (0.12 = 12%). */
  maxDrawdown: number;
}

/**
 * Buys at the first session's open and sells at the last session's close, marked on the way at every
 * minute close when given, else at each day's open, low and close (the low stands in for the day's
 * trough; the high's time is unknown, so no intraday high is assumed). No fees: one round trip.
 */
export function buyAndHold(days: readonly BuyHoldDay[]): BuyHoldResult | null {
  return days.length === 0 ? null : buyAndHoldBasket([days]);
}

/**
 * The bankroll split equally across symbols at the first open, each part held to the end. Fractional
 * shares are fine for a baseline: whole shares would only add a rounding residue that depends on the
 * bankroll. Every symbol must cover the same sessions (the caller aligns them). A day is marked per
 * minute when every symbol gives the same number of minute closes, else at open, low and close; the
 * lows of several symbols need not coincide, so their weighted sum is a conservative (deeper) trough.
 */
export function buyAndHoldBasket(perSymbol: ReadonlyArray<readonly BuyHoldDay[]>): BuyHoldResult | null {
  const n = perSymbol.length;
  const days = n === 0 ? 0 : perSymbol[0]!.length;
  if (days === 0) return null;
  for (const symbolDays of perSymbol) {
    if (symbolDays.length !== days) throw new RangeError(`buy-and-hold: every symbol needs the same ${days} sessions, one has ${symbolDays.length}`);
    for (const d of symbolDays) checkDay(d);
  }
  const entry = perSymbol.map((s) => s[0]!.open);
  const value = (d: number, price: (day: BuyHoldDay) => number): number => {
    let v = 0;
    for (let s = 0; s < n; s++) v += price(perSymbol[s]![d]!) / entry[s]!;
    return v / n;
  };
  const drawdown = drawdownTracker();
  for (let d = 0; d < days; d++) {
    if (d > 0) drawdown.mark(value(d, (x) => x.open));
    const minutes = alignedMinutes(perSymbol, d);
    if (minutes < 0) drawdown.mark(value(d, (x) => x.low));
    for (let k = 0; k < minutes; k++) drawdown.mark(value(d, (x) => x.minuteCloses![k]!));
    drawdown.mark(value(d, (x) => x.close));
  }
  return { totalReturn: value(days - 1, (x) => x.close) - 1, maxDrawdown: drawdown.max() };
}

function checkDay(d: BuyHoldDay): void {
  if (!(d.open > 0 && d.close > 0 && d.low > 0)) throw new RangeError(`buy-and-hold: prices must be positive and finite (open ${d.open}, low ${d.low}, close ${d.close})`);
  if (d.minuteCloses) for (const c of d.minuteCloses) if (!(c > 0)) throw new RangeError(`buy-and-hold: a minute close is not a positive price (${c})`);
}

/** Minute closes per symbol that day when every symbol has the same number (and at least one), else -1. */
function alignedMinutes(perSymbol: ReadonlyArray<readonly BuyHoldDay[]>, d: number): number {
  let len = -1;
  for (const s of perSymbol) {
    const m = s[d]!.minuteCloses;
    if (!m || m.length === 0 || (len >= 0 && m.length !== len)) return -1;
    len = m.length;
  }
  return len;
}

function drawdownTracker(): { mark(value: number): void; max(): number } {
  let peak = 1; // the value at the buy
  let worst = 0;
  return {
    mark(value: number): void {
      if (value > peak) peak = value;
      else worst = Math.max(worst, 1 - value / peak);
    },
    max: () => worst,
  };
}

/** The day's buy-and-hold facts from its regular-session bars. */
export function buyHoldDayOf(bars: SessionBars): BuyHoldDay {
  let low = Number.POSITIVE_INFINITY;
  for (const l of bars.low) low = Math.min(low, l);
  return { open: bars.open[0]!, close: bars.close[bars.close.length - 1]!, low, minuteCloses: bars.close };
}

// ---------------------------------------------------------------- session bars

/** One symbol's regular-session 1-minute bars of one day, oldest first; `start` is the bar's start, epoch ms UTC. */
export type SessionBars = Pick<BarColumns, 'symbol' | 'start' | 'open' | 'high' | 'low' | 'close' | 'volume'>;

/** The regular-session bars of stored columns (HistoryStore.loadColumns), per New York date; views, not copies. */
export function regularSessions(columns: BarColumns): Map<string, SessionBars> {
  const out = new Map<string, SessionBars>();
  let i = 0;
  while (i < columns.length) {
    if (columns.part[i] !== PART_CODE.regular) {
      i++;
      continue;
    }
    const date = nyDateKey(columns.start[i]!);
    let j = i + 1;
    while (j < columns.length && columns.part[j] === PART_CODE.regular && nyDateKey(columns.start[j]!) === date) j++;
    const view = (a: Float64Array): Float64Array => a.subarray(i, j);
    out.set(date, { symbol: columns.symbol, start: view(columns.start), open: view(columns.open), high: view(columns.high), low: view(columns.low), close: view(columns.close), volume: view(columns.volume) });
    i = j;
  }
  return out;
}

/** A session's flatten time (close − flattenMinutesBeforeClose) and entry cutoff (close − entryCutoffMinutes); null on a closed day. */
export function sessionWindow(calendar: NyseCalendar, date: string, limits: Pick<RiskLimits, 'flattenMinutesBeforeClose' | 'entryCutoffMinutes'>): { flattenAt: number; entryCutoff: number } | null {
  const s = calendar.session(date);
  if (!s) return null;
  return { flattenAt: s.close - limits.flattenMinutesBeforeClose * MINUTE, entryCutoff: s.close - limits.entryCutoffMinutes * MINUTE };
}

/** ATR(14) of 1-minute bars as the features define it (TR from the second bar, first ATR the mean of 14, then Wilder); NaN before bar 14. */
export function atr14(high: Float64Array, low: Float64Array, close: Float64Array): Float64Array {
  const out = new Float64Array(close.length).fill(Number.NaN);
  let trSum = 0;
  let atr = Number.NaN;
  for (let i = 1; i < close.length; i++) {
    const prev = close[i - 1]!;
    const tr = Math.max(high[i]! - low[i]!, Math.abs(high[i]! - prev), Math.abs(low[i]! - prev));
    if (i < WARMUP_BARS) trSum += tr;
    else if (i === WARMUP_BARS) atr = (trSum + tr) / WARMUP_BARS;
    else atr += (tr - atr) / WARMUP_BARS;
    if (i >= WARMUP_BARS) out[i] = atr;
  }
  return out;
}


// ---------------------------------------------------------------- random entries

export interface RandomBaselineSession {
  date: string;
  /** Epoch ms UTC: the calendar close − flattenMinutesBeforeClose (sessionWindow); must agree with the calendar and `exits`. */
  flattenAt: number;
  /** Epoch ms UTC: no entry is decided at or after this (close − entryCutoffMinutes). */
  entryCutoff: number;
  /**
   * Entries the strategy took this session. A random run takes as many on the same day, so it faces the
   * same days and the same trading frequency and differs only in when, where and which way it enters.
   */
  strategyTrades: number;
  /** Each traded symbol's regular-session bars (a symbol without bars that day is simply left out). */
  bars: readonly SessionBars[];
}

export interface RandomBaselineInput {
  sessions: readonly RandomBaselineSession[];
  /** The calendar the exit rules read the flatten time from. */
  calendar: NyseCalendar;
  sizing: {
    /** Share of the day's risk budget (limits.dailyRiskPct of limits.bankroll) one entry risks: 0.1 as the live default. */
    riskPerTradeShare: number;
    /** Bankroll, daily risk %, max order value and qty, daily position limit, symbol cap: as the live risk engine. */
    limits: Readonly<RiskLimits>;
    /** The live engine values and sizes a market entry at a marketable limit this far through the last close, in percent (default DEFAULT_MARKETABLE_LIMIT_PCT). */
    marketableLimitPct?: number;
  };
  /** Stop distance = atrMultiple × ATR(14) from the decision bar's close; target = rewardRisk × that distance on the other side. */
  stop: { atrMultiple: number; rewardRisk: number };
  /** Trailing, peak, time stop and flatten minutes as the live position manager runs them (the ML exit has no model here and is off). */
  exits: ExitRules;
  /** limitFill as the simulated broker's (default 'through'): entries are marketable limits filled or canceled on the next bar. */
  fills: { slippage: SlippageModel; fees: FeeSchedule; limitFill?: 'through' | 'touch' };
  seed: number;
  runs: number;
  /** Index of the first run (default 0): run k is the same whichever call computes it, so runs can be split across workers. */
  firstRun?: number;
}

/** One trade of a random run, for audits and tests (the runs themselves keep only the total). */
export interface RandomTrade {
  date: string;
  symbol: string;
  side: 'long' | 'short';
  qty: number;
  entryTime: number;
  entryPrice: number;
  /** For a stop or target, the end of the bar it filled in; for a market exit, the start of its fill bar. */
  exitTime: number;
  exitPrice: number;
  exitRule: ExitReason;
  /** Net of both fills' fees. */
  pnl: number;
  fees: number;
}

/**
 * Total returns on the bankroll of `runs` random-entry runs (runs firstRun … firstRun + runs − 1).
 * Each session with m strategy trades: entry slots are the (symbol, minute) pairs from bar 14 on whose
 * decision (the bar's end) is before the entry cutoff and the flatten time, with a next bar to fill on.
 * They are drawn by selection sampling (each slot taken with probability left-to-take / slots-left), so
 * without conflicts every m-subset is equally likely; a slot whose symbol is not flat is passed over, so a
 * day can end with fewer than m entries when random positions stay open into the cutoff. Side is a coin
 * flip. Sizing is the live one (sizePosition over open positions and reserved risk; a size of 0 is no
 * entry); the entry fills at the next bar's open plus slippage; exits are exits.ts's stepExits bar by bar:
 * the stop fills at the stop or the open on a gap (plus slippage), the target at its level, the others
 * (trailing, peak, time, end-of-day flatten) as market orders at the next bar's open; fees per fill.
 * Not modelled: the order throttle, the daily loss limit, sector caps (each symbol its own sector).
 * The bankroll does not compound: sizing reads limits.bankroll every day, as the live limits do.
 */
export function randomEntryRuns(input: RandomBaselineInput): number[] {
  const ctx = prepare(input);
  const first = input.firstRun ?? 0;
  const out: number[] = [];
  for (let r = 0; r < input.runs; r++) out.push(runOne(ctx, first + r, null) / ctx.limits.bankroll);
  return out;
}

/** The trades of one random run (the same run `randomEntryRuns` computes at that index). */
export function randomEntryTrades(input: RandomBaselineInput, run: number): RandomTrade[] {
  const trades: RandomTrade[] = [];
  runOne(prepare(input), run, (t) => trades.push(t));
  return trades;
}

/** The stream of run `run` under `seed`: a hash of both, so no run's draws depend on another's. */
export function runStreamSeed(seed: number, run: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((run >>> 0) + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

interface PreparedSession {
  readonly date: string;
  readonly flattenAt: number;
  readonly entryCutoff: number;
  readonly trades: number;
  readonly bars: readonly SessionBars[];
  readonly atr: readonly Float64Array[];
  /** Every bar of every symbol in time order (ties in symbol order): symbol index and bar index. */
  readonly eventSymbol: Uint16Array;
  readonly eventBar: Uint32Array;
  /** 1 where the event's bar is an entry slot. */
  readonly slot: Uint8Array;
  readonly slots: number;
}

interface RunContext {
  readonly sessions: readonly PreparedSession[];
  readonly calendar: NyseCalendar;
  readonly limits: Readonly<RiskLimits>;
  readonly method: SizingMethod;
  readonly throughPct: number;
  readonly atrMultiple: number;
  readonly rewardRisk: number;
  readonly exits: ExitRules;
  readonly slippage: SlippageModel;
  readonly limitFill: 'through' | 'touch';
  readonly fees: FeeSchedule;
  readonly seed: number;
  readonly maxSymbols: number;
}

function prepare(input: RandomBaselineInput): RunContext {
  const { sizing, stop, exits, fills } = input;
  if (!Number.isInteger(input.runs) || input.runs < 0) throw new RangeError(`random baseline: runs must be a whole number >= 0, got ${input.runs}`);
  if (!Number.isInteger(input.seed)) throw new RangeError(`random baseline: seed must be an integer, got ${input.seed}`);
  const first = input.firstRun ?? 0;
  if (!Number.isInteger(first) || first < 0) throw new RangeError(`random baseline: firstRun must be a whole number >= 0, got ${first}`);
  if (!(sizing.riskPerTradeShare > 0 && sizing.riskPerTradeShare <= 1)) throw new RangeError(`random baseline: riskPerTradeShare must be in (0, 1], got ${sizing.riskPerTradeShare}`);
  if (!(stop.atrMultiple > 0 && Number.isFinite(stop.atrMultiple))) throw new RangeError(`random baseline: atrMultiple must be > 0, got ${stop.atrMultiple}`);
  if (!(stop.rewardRisk > 0 && Number.isFinite(stop.rewardRisk))) throw new RangeError(`random baseline: rewardRisk must be > 0, got ${stop.rewardRisk}`);
  const throughPct = sizing.marketableLimitPct ?? DEFAULT_MARKETABLE_LIMIT_PCT;
  if (!(throughPct >= 0 && Number.isFinite(throughPct))) throw new RangeError(`random baseline: marketableLimitPct must be >= 0, got ${throughPct}`);
  const limitFill = fills.limitFill ?? 'through';
  validateFillModel({ slippage: fills.slippage, limitFill, maxParticipation: null });
  validateFeeSchedule(fills.fees);
  const sessions = input.sessions.map((s) => prepareSession(s, input.calendar, exits.flattenMinutesBeforeClose));
  return {
    sessions,
    calendar: input.calendar,
    limits: sizing.limits,
    method: { kind: 'riskOfDailyLimit', riskPct: sizing.riskPerTradeShare * 100 },
    throughPct,
    atrMultiple: stop.atrMultiple,
    rewardRisk: stop.rewardRisk,
    exits: { ...exits, mlExitThreshold: undefined },
    slippage: fills.slippage,
    limitFill,
    fees: fills.fees,
    seed: input.seed,
    maxSymbols: sessions.reduce((m, s) => Math.max(m, s.bars.length), 0),
  };
}

function prepareSession(s: RandomBaselineSession, calendar: NyseCalendar, flattenMinutes: number): PreparedSession {
  if (!Number.isInteger(s.strategyTrades) || s.strategyTrades < 0) throw new RangeError(`random baseline ${s.date}: strategyTrades must be a whole number >= 0, got ${s.strategyTrades}`);
  // The exit rules take the flatten time from the calendar: a session that says otherwise is a bug upstream.
  const expected = flattenTimeOf(calendar, s.flattenAt - 1, flattenMinutes);
  if (expected !== s.flattenAt) throw new RangeError(`random baseline ${s.date}: flattenAt ${s.flattenAt} is not the calendar's close − ${flattenMinutes} min (${expected})`);
  if (s.bars.length > 0xffff) throw new RangeError(`random baseline ${s.date}: too many symbols (${s.bars.length})`);
  for (const b of s.bars) checkColumns(s.date, b);
  const atr = s.bars.map((b) => atr14(b.high, b.low, b.close));
  const events: Array<[number, number]> = [];
  s.bars.forEach((b, sym) => {
    for (let i = 0; i < b.start.length; i++) events.push([sym, i]);
  });
  events.sort((x, y) => s.bars[x[0]]!.start[x[1]]! - s.bars[y[0]]!.start[y[1]]! || x[0] - y[0]);
  const lastDecision = Math.min(s.entryCutoff, s.flattenAt);
  const eventSymbol = new Uint16Array(events.length);
  const eventBar = new Uint32Array(events.length);
  const slot = new Uint8Array(events.length);
  let slots = 0;
  events.forEach(([sym, i], e) => {
    const b = s.bars[sym]!;
    eventSymbol[e] = sym;
    eventBar[e] = i;
    if (i >= WARMUP_BARS && i + 1 < b.start.length && b.start[i]! + MINUTE < lastDecision) {
      slot[e] = 1;
      slots++;
    }
  });
  return { date: s.date, flattenAt: s.flattenAt, entryCutoff: s.entryCutoff, trades: s.strategyTrades, bars: s.bars, atr, eventSymbol, eventBar, slot, slots };
}

function checkColumns(date: string, b: SessionBars): void {
  const n = b.start.length;
  for (const c of [b.open, b.high, b.low, b.close, b.volume]) if (c.length !== n) throw new RangeError(`random baseline ${date} ${b.symbol}: columns of different lengths`);
  for (let i = 0; i < n; i++) {
    if (i > 0 && !(b.start[i]! > b.start[i - 1]!)) throw new RangeError(`random baseline ${date} ${b.symbol}: bar starts are not increasing at ${i}`);
    if (!(b.open[i]! > 0 && b.high[i]! > 0 && b.low[i]! > 0 && b.close[i]! > 0 && b.high[i]! >= b.low[i]!)) throw new RangeError(`random baseline ${date} ${b.symbol}: bar ${i} has a bad price`);
  }
}

// ---- one run

const FLAT = 0;
const PENDING_ENTRY = 1;
const HELD = 2;
const PENDING_EXIT = 3;

/** One run's book, one slot per symbol of a session; reused across sessions, so a bar allocates nothing here. */
interface Book {
  state: Uint8Array;
  /** Signed shares. */
  qty: Float64Array;
  /** Cost basis for exposure: the sizing price while pending, the fill after. */
  value: Float64Array;
  /** Capital at risk reserved by the entry, given back when flat (as the live ledger does). */
  risk: Float64Array;
  stop: Float64Array;
  target: Float64Array;
  /** The marketable limit an entry was sent at (IOC on the next bar, as the live engine sends it). */
  limit: Float64Array;
  entryPrice: Float64Array;
  entryTime: Float64Array;
  entryFees: Float64Array;
  position: Array<TrackedPosition | null>;
  pendingExit: ExitReason[];
  /** The bar handed to the exit rules, overwritten for each event. */
  bar: Bar;
}

type TradeSink = ((t: RandomTrade) => void) | null;

function runOne(ctx: RunContext, run: number, sink: TradeSink): number {
  const rng = new SeededRandom(runStreamSeed(ctx.seed, run));
  const book = newBook(ctx.maxSymbols);
  let pnl = 0;
  for (const s of ctx.sessions) pnl += runSession(ctx, s, book, rng, sink);
  return pnl;
}

function newBook(n: number): Book {
  const f = (): Float64Array => new Float64Array(n);
  return {
    state: new Uint8Array(n),
    qty: f(),
    value: f(),
    risk: f(),
    stop: f(),
    target: f(),
    limit: f(),
    entryPrice: f(),
    entryTime: f(),
    entryFees: f(),
    position: new Array<TrackedPosition | null>(n).fill(null),
    pendingExit: new Array<ExitReason>(n).fill('eodFlatten'),
    bar: { symbol: '', timeframe: '1m', start: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 },
  };
}

function runSession(ctx: RunContext, ps: PreparedSession, book: Book, rng: SeededRandom, sink: TradeSink): number {
  book.state.fill(FLAT);
  let pnl = 0;
  let toTake = ps.trades;
  let slotsLeft = ps.slots;
  for (let e = 0; e < ps.eventBar.length; e++) {
    const s = ps.eventSymbol[e]!;
    const i = ps.eventBar[e]!;
    const bar = loadBar(book.bar, ps.bars[s]!, i);
    if (book.state[s] === PENDING_ENTRY) pnl += fillEntry(ctx, ps, book, s);
    else if (book.state[s] === PENDING_EXIT) pnl += closePosition(ctx, ps, book, s, marketFillPrice(exitSide(book, s), bar, slip(ctx, ps, s, i, bar.open)), bar.start, book.pendingExit[s]!, sink);
    if (book.state[s] === HELD) pnl += manageExits(ctx, ps, book, s, i, sink);
    if (ps.slot[e] === 1) {
      if (toTake > 0 && book.state[s] === FLAT && rng.next() * slotsLeft < toTake && proposeEntry(ctx, ps, book, s, i, rng.next() < 0.5 ? 'buy' : 'sell')) toTake--;
      slotsLeft--;
    }
  }
  return pnl + closeLeftovers(ctx, ps, book, sink);
}

function loadBar(bar: Bar, b: SessionBars, i: number): Bar {
  bar.symbol = b.symbol;
  bar.start = b.start[i]!;
  bar.open = b.open[i]!;
  bar.high = b.high[i]!;
  bar.low = b.low[i]!;
  bar.close = b.close[i]!;
  bar.volume = b.volume[i]!;
  return bar;
}

/** Slippage per share of a fill in bar i, from the ATR known before it (bar i − 1). */
function slip(ctx: RunContext, ps: PreparedSession, s: number, i: number, price: number): number {
  const atr = i > 0 ? ps.atr[s]![i - 1]! : Number.NaN;
  return slippageAmount(ctx.slippage, price, Number.isNaN(atr) ? undefined : atr);
}

const exitSide = (book: Book, s: number): Side => (book.qty[s]! > 0 ? 'sell' : 'buy');

/** Sizes an entry decided at bar i's close like the live risk engine and reserves its risk; false when it gets no shares. */
function proposeEntry(ctx: RunContext, ps: PreparedSession, book: Book, s: number, i: number, side: Side): boolean {
  const atr = ps.atr[s]![i]!;
  if (!(atr > 0)) return false; // no range, no stop distance: no defined risk
  const ref = ps.bars[s]!.close[i]!;
  const dir = side === 'buy' ? 1 : -1;
  const distance = ctx.atrMultiple * atr;
  const stopRaw = ref - dir * distance;
  const targetRaw = ref + dir * ctx.rewardRisk * distance;
  if (!(stopRaw > 0 && targetRaw > 0)) return false;
  const stop = toTick(stopRaw);
  // As the live engine: a market entry is valued and sized at a marketable limit a little through the last trade.
  const through = ctx.throughPct / 100;
  const priced = side === 'buy' ? Math.ceil(ref * (1 + through) * 100 - 1e-6) / 100 : Math.floor(ref * (1 - through) * 100 + 1e-6) / 100;
  let positionValueOpen = 0;
  let capitalAtRiskUsed = 0;
  for (let k = 0; k < ps.bars.length; k++) {
    if (book.state[k] === FLAT) continue;
    positionValueOpen += book.value[k]!;
    capitalAtRiskUsed += book.risk[k]!;
  }
  const { qty } = sizePosition({ method: ctx.method, side, entryPrice: priced, stopPrice: stop, positionValueOpen, capitalAtRiskUsed, symbolExposure: 0, sectorExposure: 0 }, ctx.limits);
  if (qty === 0) return false;
  book.state[s] = PENDING_ENTRY;
  book.qty[s] = dir * qty;
  book.value[s] = qty * priced;
  book.limit[s] = priced;
  book.risk[s] = qty * Math.abs(priced - stop);
  book.stop[s] = stop;
  book.target[s] = toTick(targetRaw);
  return true;
}

/**
 * The pending entry, a marketable limit IOC as the live engine sends it, fills on this bar as the
 * simulated broker fills a limit (the open when it is inside the limit, else the limit when the bar
 * trades through it), or is canceled: unfilled, or the bar is past the flatten time. Returns the entry fee, negated.
 */
function fillEntry(ctx: RunContext, ps: PreparedSession, book: Book, s: number): number {
  const bar = book.bar;
  const side: Side = book.qty[s]! > 0 ? 'buy' : 'sell';
  const price = bar.start >= ps.flattenAt ? null : limitFillPrice(side, book.limit[s]!, bar, ctx.limitFill);
  if (price === null) {
    book.state[s] = FLAT;
    return 0;
  }
  const qty = Math.abs(book.qty[s]!);
  const fee = feesForFill(ctx.fees, { side, qty, price, firstFillOfOrder: true }).total;
  book.state[s] = HELD;
  book.value[s] = qty * price;
  book.entryPrice[s] = price;
  book.entryTime[s] = bar.start;
  book.entryFees[s] = fee;
  book.position[s] = trackPosition({ symbol: bar.symbol, qty: book.qty[s]!, avgEntryPrice: price }, bar.start, { stopPrice: book.stop[s]!, targetPrice: book.target[s]! });
  return -fee;
}

/** The exit rules on bar i: a stop or target fills inside the bar, any other exit at the next bar's open. */
function manageExits(ctx: RunContext, ps: PreparedSession, book: Book, s: number, i: number, sink: TradeSink): number {
  const bar = book.bar;
  const end = bar.start + MINUTE;
  const step = stepExits(book.position[s]!, bar, end, ctx.exits, ctx.calendar);
  book.position[s] = step.position;
  const exit = step.exit;
  if (exit === null) return 0;
  const side = exitSide(book, s);
  if (exit.reason === 'hardStop') return closePosition(ctx, ps, book, s, withSlippage(side, exit.triggerPrice, slip(ctx, ps, s, i, exit.triggerPrice), bar), end, exit.reason, sink);
  // A resting target is a limit: its level (or the open, when the bar opened through it), no slippage.
  if (exit.reason === 'target') return closePosition(ctx, ps, book, s, exit.triggerPrice, end, exit.reason, sink);
  if (i + 1 < ps.bars[s]!.start.length) {
    book.state[s] = PENDING_EXIT;
    book.pendingExit[s] = exit.reason;
    return 0;
  }
  return closePosition(ctx, ps, book, s, withSlippage(side, bar.close, slip(ctx, ps, s, i + 1, bar.close), bar), end, exit.reason, sink);
}

/** Closes the whole position at `price`: returns the P&L of the exit fill net of its fee (the entry fee was booked at entry). */
function closePosition(ctx: RunContext, ps: PreparedSession, book: Book, s: number, price: number, time: number, reason: ExitReason, sink: TradeSink): number {
  const q = book.qty[s]!;
  const qty = Math.abs(q);
  const fee = feesForFill(ctx.fees, { side: q > 0 ? 'sell' : 'buy', qty, price, firstFillOfOrder: true }).total;
  const gross = q * (price - book.entryPrice[s]!);
  if (sink) {
    const fees = fee + book.entryFees[s]!;
    sink({ date: ps.date, symbol: ps.bars[s]!.symbol, side: q > 0 ? 'long' : 'short', qty, entryTime: book.entryTime[s]!, entryPrice: book.entryPrice[s]!, exitTime: time, exitPrice: price, exitRule: reason, pnl: gross - fees, fees });
  }
  book.state[s] = FLAT;
  book.position[s] = null;
  return gross - fee;
}

/** What is still open when a symbol's bars run out before the flatten: closed at its last close (an entry still pending is dropped). */
function closeLeftovers(ctx: RunContext, ps: PreparedSession, book: Book, sink: TradeSink): number {
  let pnl = 0;
  for (let s = 0; s < ps.bars.length; s++) {
    const st = book.state[s];
    if (st === PENDING_ENTRY) book.state[s] = FLAT;
    if (st !== HELD && st !== PENDING_EXIT) continue;
    const b = ps.bars[s]!;
    const last = b.start.length - 1;
    const bar = loadBar(book.bar, b, last);
    pnl += closePosition(ctx, ps, book, s, withSlippage(exitSide(book, s), bar.close, slip(ctx, ps, s, last + 1, bar.close), bar), bar.start + MINUTE, st === PENDING_EXIT ? book.pendingExit[s]! : 'eodFlatten', sink);
  }
  return pnl;
}

// ---------------------------------------------------------------- summary

/**
 * Where the strategy's total return stands among the random runs: median, 5th and 95th percentiles
 * (linear interpolation between order statistics), and the strategy's percentile (percent of runs
 * strictly below it, ties counted half). beatenByRandom: the strategy did not beat the median run
 * (strategyReturn <= median), the line the report leads with. With no runs there is nothing to compare:
 * zeros, percentile 50, not beaten.
 */
export function summariseRandom(strategyReturn: number, runs: readonly number[]): Baselines['random'] & { beatenByRandom: boolean } {
  if (!Number.isFinite(strategyReturn)) throw new RangeError(`random baseline: the strategy's return is not finite (${strategyReturn})`);
  for (const r of runs) if (!Number.isFinite(r)) throw new RangeError(`random baseline: a run's return is not finite (${r})`);
  if (runs.length === 0) return { runs: 0, medianReturn: 0, p5Return: 0, p95Return: 0, strategyPercentile: 50, beatenByRandom: false };
  const sorted = Float64Array.from(runs).sort();
  let below = 0;
  let ties = 0;
  for (const r of sorted) {
    if (r < strategyReturn) below++;
    else if (r === strategyReturn) ties++;
  }
  const medianReturn = quantile(sorted, 0.5);
  return {
    runs: sorted.length,
    medianReturn,
    p5Return: quantile(sorted, 0.05),
    p95Return: quantile(sorted, 0.95),
    strategyPercentile: (100 * (below + ties / 2)) / sorted.length,
    beatenByRandom: strategyReturn <= medianReturn,
  };
}

/** Quantile of sorted values by linear interpolation between order statistics (h = (n − 1)·p). */
export function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
