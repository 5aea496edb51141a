// Watches one backtest engine's bus and keeps the book a trader reads afterwards: every fill turned
// into round-trip trades (flat to flat, per symbol), cash and the minute-by-minute equity marked at
// each bar's close, the days' P&L, how long positions were open, and what the desk did with each
// signal. It only listens (presentation phase, after execution), so it cannot change a run.
import type { BacktestTrade, DailyPnl } from '../../shared/backtest';
import type { Bar, Fill, Order } from '../../shared/domain';
import type { AppliedOrderEvent } from '../../shared/messages';
import { nyDateKey } from '../calendar/ny-time';
import type { EngineBus } from '../engine/topics';

const MINUTE = 60_000;

interface OpenTrade {
  symbol: string;
  dir: 1 | -1;
  /** Shares held now (unsigned). */
  held: number;
  entryQty: number;
  entryValue: number;
  exitQty: number;
  exitValue: number;
  /** Exit shares per rule (the trade's exit rule is the one that closed the most). */
  exitRules: Map<string, number>;
  fees: number;
  entryTime: number;
  lastFillTime: number;
  signalId: string | null;
  /** Best and worst price seen while open (from the bars' highs and lows). */
  best: number;
  worst: number;
  barsHeld: number;
}

export interface SignalTally {
  proposed: number;
  approved: number;
  vetoed: number;
  refused: number;
}

export interface CollectedRun {
  trades: BacktestTrade[];
  /** Every fill in the order it was applied: order id, intent, side, shares, price, fees, time. */
  fills: Array<{ clientOrderId: string; intent: string; side: string; qty: number; price: number; fees: number; time: number }>;
  /** Minute marks (bar close time, equity before drawdown is derived). */
  marks: Array<{ t: number; equity: number }>;
  daily: DailyPnl[];
  signals: SignalTally;
  exposureMinutes: number;
  sessionMinutes: number;
  tradedNotional: number;
  bars: number;
  sessions: number;
  startEquity: number;
  endEquity: number;
}

export class ResultCollector {
  private cash: number;
  private readonly held = new Map<string, number>();
  private readonly lastClose = new Map<string, number>();
  private readonly open = new Map<string, OpenTrade>();
  private readonly trades: BacktestTrade[] = [];
  private readonly fills: CollectedRun['fills'] = [];
  private readonly marks: Array<{ t: number; equity: number }> = [];
  private readonly daily: DailyPnl[] = [];
  /** Sources and reasons of the signals approved for an order, until that order's trade is booked. */
  private readonly signalInfo = new Map<string, { sources: string[]; reasons: string[] }>();
  /** Signals not yet decided (pending, or approved with the order in flight); decided ones are only counted. */
  private readonly undecided = new Set<string>();
  private readonly tally: SignalTally = { proposed: 0, approved: 0, vetoed: 0, refused: 0 };
  private readonly unsubscribe: Array<() => void> = [];
  private day: { date: string; startEquity: number; fees: number; trades: number } | null = null;
  private minute = -1;
  private minuteOpen = false;
  private exposureMinutes = 0;
  private sessionMinutes = 0;
  private tradedNotional = 0;
  private bars = 0;
  private sessions = 0;

  constructor(
    bus: EngineBus,
    private readonly startEquity: number,
  ) {
    this.cash = startEquity;
    this.unsubscribe.push(
      bus.subscribe('execution.applied', (e) => this.onApplied(e), 'presentation'),
      bus.subscribe('market.bar', (b) => this.onBar(b), 'presentation'),
      bus.subscribe('signals.update', (s) => this.onSignal(s.id, s.status, s.sources, s.reasons), 'presentation'),
    );
  }

  detach(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** The run's book; a position still open (none after the end-of-day flatten) is marked at its last close. */
  finish(): CollectedRun {
    for (const [symbol, t] of [...this.open]) {
      const price = this.lastClose.get(symbol) ?? t.entryValue / t.entryQty;
      this.closeTrade(symbol, t, t.held, price, t.lastFillTime, 'openAtEnd');
    }
    this.closeDay();
    const tally: SignalTally = { ...this.tally };
    // Numbered in entry order (they were booked as they closed).
    const trades = [...this.trades].sort((a, b) => a.entryTime - b.entryTime || a.n - b.n).map((t, i) => ({ ...t, n: i + 1 }));
    return {
      trades,
      fills: this.fills,
      marks: this.marks,
      daily: this.daily,
      signals: tally,
      exposureMinutes: this.exposureMinutes,
      sessionMinutes: this.sessionMinutes,
      tradedNotional: this.tradedNotional,
      bars: this.bars,
      sessions: this.sessions,
      startEquity: this.startEquity,
      endEquity: this.equity(),
    };
  }

  private onSignal(id: string, status: string, sources: readonly string[], reasons: readonly string[]): void {
    if (status === 'pending' || status === 'approved') {
      if (!this.undecided.has(id)) {
        this.undecided.add(id);
        this.tally.proposed++;
      }
      if (status === 'approved') this.signalInfo.set(id, { sources: [...sources], reasons: [...reasons] });
      return;
    }
    if (!this.undecided.delete(id)) return; // a decided signal heard again, or one from before the run
    if (status === 'executed') this.tally.approved++;
    else if (status === 'vetoed' || status === 'expired') this.tally.vetoed++;
    else if (status === 'refused') this.tally.refused++;
    if (status !== 'executed') this.signalInfo.delete(id);
  }

  private equity(): number {
    let e = this.cash;
    for (const [symbol, qty] of this.held) if (qty !== 0) e += qty * (this.lastClose.get(symbol) ?? 0);
    return e;
  }

  private onBar(bar: Bar): void {
    this.bars++;
    const date = nyDateKey(bar.start);
    if (!this.day || this.day.date !== date) {
      this.closeDay();
      this.day = { date, startEquity: this.daily.at(-1)?.equity ?? this.startEquity, fees: 0, trades: 0 };
      this.sessions++;
    }
    if (bar.start !== this.minute) {
      this.minute = bar.start;
      this.sessionMinutes++;
      this.minuteOpen = false;
    }
    this.lastClose.set(bar.symbol, bar.close);
    const t = this.open.get(bar.symbol);
    if (t) {
      t.barsHeld++;
      if (t.dir === 1) {
        t.best = Math.max(t.best, bar.high);
        t.worst = Math.min(t.worst, bar.low);
      } else {
        t.best = Math.min(t.best, bar.low);
        t.worst = Math.max(t.worst, bar.high);
      }
    }
    if (!this.minuteOpen && this.open.size > 0) {
      this.minuteOpen = true;
      this.exposureMinutes++;
    }
    const at = bar.start + MINUTE;
    const equity = this.equity();
    const last = this.marks.at(-1);
    if (last && last.t === at) last.equity = equity;
    else this.marks.push({ t: at, equity });
  }

  private closeDay(): void {
    if (!this.day) return;
    const equity = this.equity();
    this.daily.push({ date: this.day.date, pnl: equity - this.day.startEquity, fees: this.day.fees, trades: this.day.trades, equity });
    this.day = null;
  }

  private onApplied(e: AppliedOrderEvent): void {
    if (e.type !== 'fill' || !e.fill) return;
    this.onFill(e.order, e.fill);
  }

  private onFill(order: Order, fill: Fill): void {
    this.fills.push({ clientOrderId: fill.clientOrderId, intent: order.intent, side: fill.side, qty: fill.qty, price: fill.price, fees: fill.fees, time: fill.time });
    const dir = fill.side === 'buy' ? 1 : -1;
    this.cash -= dir * fill.qty * fill.price + fill.fees;
    this.tradedNotional += fill.qty * fill.price;
    if (this.day) this.day.fees += fill.fees;
    const before = this.held.get(fill.symbol) ?? 0;
    this.held.set(fill.symbol, before + dir * fill.qty);
    let qty = fill.qty;
    let fees = fill.fees;
    let t = this.open.get(fill.symbol);
    if (t && t.dir !== dir) {
      // Reducing: this fill closes shares of the open trade (and any rest opens a new one the other way).
      const closing = Math.min(qty, t.held);
      const closingFees = (fees * closing) / qty;
      t.exitQty += closing;
      t.exitValue += closing * fill.price;
      t.fees += closingFees;
      t.held -= closing;
      t.lastFillTime = fill.time;
      const rule = order.exitRule ?? order.intent;
      t.exitRules.set(rule, (t.exitRules.get(rule) ?? 0) + closing);
      qty -= closing;
      fees -= closingFees;
      if (t.held === 0) this.closeTrade(fill.symbol, t, 0, fill.price, fill.time, rule);
      if (qty === 0) return;
      t = undefined;
    }
    if (!t) {
      t = {
        symbol: fill.symbol,
        dir,
        held: 0,
        entryQty: 0,
        entryValue: 0,
        exitQty: 0,
        exitValue: 0,
        exitRules: new Map(),
        fees: 0,
        entryTime: fill.time,
        lastFillTime: fill.time,
        signalId: order.signalId ?? null,
        best: fill.price,
        worst: fill.price,
        barsHeld: 0,
      };
      this.open.set(fill.symbol, t);
    }
    t.held += qty;
    t.entryQty += qty;
    t.entryValue += qty * fill.price;
    t.fees += fees;
    t.lastFillTime = fill.time;
    if (t.signalId === null && order.signalId !== undefined) t.signalId = order.signalId;
  }

  /** Books a round trip; `restQty` shares still held are closed at `price` (a mark, no fill). */
  private closeTrade(symbol: string, t: OpenTrade, restQty: number, price: number, time: number, lastRule: string): void {
    if (restQty > 0) {
      t.exitQty += restQty;
      t.exitValue += restQty * price;
      t.exitRules.set(lastRule, (t.exitRules.get(lastRule) ?? 0) + restQty);
      t.held = 0;
    }
    this.open.delete(symbol);
    const entryPrice = t.entryValue / t.entryQty;
    const exitPrice = t.exitValue / t.exitQty;
    const gross = t.dir * (t.exitValue - t.entryValue);
    let rule = lastRule;
    let most = -1;
    for (const [r, q] of t.exitRules) {
      if (q > most) {
        most = q;
        rule = r;
      }
    }
    const info = t.signalId ? this.signalInfo.get(t.signalId) : undefined;
    if (t.signalId) this.signalInfo.delete(t.signalId);
    this.trades.push({
      n: this.trades.length + 1,
      symbol,
      side: t.dir === 1 ? 'long' : 'short',
      qty: t.entryQty,
      entryTime: t.entryTime,
      entryPrice,
      exitTime: time,
      exitPrice,
      exitRule: rule,
      pnl: gross - t.fees,
      fees: t.fees,
      mfe: Math.max(0, t.dir * (t.best - entryPrice)),
      mae: Math.max(0, -t.dir * (t.worst - entryPrice)),
      barsHeld: t.barsHeld,
      sources: info?.sources ?? [],
      reasons: info?.reasons ?? [],
    });
    if (this.day) this.day.trades++;
  }
}
