// The approval desk: every proposed signal waits here for the trader (or the session's auto policy),
// is executed through the execution engine, vetoed, or expires on the engine clock; each decision is
// written to the SQLite audit trail. A restart never executes a signal late: what was pending expires.
import type { z } from 'zod';
import { DeskModeSchema, SignalSchema } from '../../shared/contract';
import type { Bar } from '../../shared/domain';
import type { CancelTimer, Clock } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import type { EngineBus } from '../engine/topics';
import type { EntryProposal, EntryResult } from '../risk/risk-engine';
import type { Logger } from '../logging/logger';
import type { Db } from '../store/database';
import type { Statement } from 'better-sqlite3';

export type Signal = z.output<typeof SignalSchema>;
export type DeskMode = z.output<typeof DeskModeSchema>;
export type SignalStatus = Signal['status'];
export type Decision = 'approved' | 'vetoed' | 'expired' | 'auto-approved' | 'refused';
export type DecidedBy = 'trader' | 'auto' | 'timeout' | 'policy';

/**
 * A backtest's decision policy: what it does with each new signal. Approve (with a size no larger than
 * proposed), veto with a reason, or leave it pending (it then expires like an unanswered one).
 */
export type PolicyDecision = { decision: 'approve'; qty: number } | { decision: 'veto'; reason: string } | null;
export type DeskPolicy = (signal: Signal) => PolicyDecision;

export interface DecisionRecord {
  id: number;
  signalId: string;
  decision: Decision;
  by: DecidedBy;
  at: number;
  qty: number | null;
  modelVersion: string | null;
  inputs: unknown;
  detail: string;
}

/** What the desk needs of the order path: the risk engine's entry submission (a fake in unit tests). */
export type EntrySubmitter = { submitEntry(proposal: EntryProposal): Promise<EntryResult> };

export interface DeskParts {
  bus: EngineBus;
  clock: Clock;
  db: Db;
  execution: EntrySubmitter;
  log: Logger;
}

export interface DeskOptions {
  /** Mode at start (default 'manual': nothing executes without the trader). */
  mode?: DeskMode;
  /** Confidence at or above which 'auto' executes (default 0.75). */
  threshold?: number;
  /** Signals kept in memory and served by `signals.list` (default 200). */
  capacity?: number;
  /** Decides every new signal in place of the trader (a backtest's policy); the mode is not consulted. */
  policy?: DeskPolicy;
}

/** A trader action the desk would not take, with the reason (crosses IPC as REFUSED). */
export type DeskResult = { ok: true; signal: Signal } | { ok: false; reason: string };

const DEFAULT_THRESHOLD = 0.75;

/** The statements every signal runs (prepared once per desk). */
const SQL = {
  insertSignal: 'INSERT INTO signals (id, json, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  updateSignal: 'UPDATE signals SET json = ?, status = ? WHERE id = ?',
  insertDecision: 'INSERT INTO decisions (signal_id, decision, by, at, qty, model_version, inputs_json, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  signalExists: 'SELECT 1 FROM signals WHERE id = ?',
} as const;

export class ApprovalDesk extends BaseComponent {
  private mode: DeskMode;
  private threshold: number;
  private readonly capacity: number;
  private readonly signals = new Map<string, Signal>();
  private readonly expiryTimers = new Map<string, CancelTimer>();
  private readonly decide: DeskPolicy | null;
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly parts: DeskParts,
    options: DeskOptions = {},
    onStatus: StatusListener = () => {},
  ) {
    super('desk', onStatus);
    this.mode = options.mode ?? 'manual';
    this.threshold = checkThreshold(options.threshold ?? DEFAULT_THRESHOLD);
    this.capacity = options.capacity ?? 200;
    this.decide = options.policy ?? null;
  }

  // ---- lifecycle ----

  protected onStart(): void {
    const { db, clock } = this.parts;
    const now = clock.now();
    // What was pending when the last process stopped is expired, never executed late.
    const stale = db.prepare("SELECT json FROM signals WHERE status = 'pending' ORDER BY created_at").all() as Array<{ json: string }>;
    for (const row of stale) {
      const signal = SignalSchema.parse(JSON.parse(row.json));
      this.settle({ ...signal, status: 'expired' }, { decision: 'expired', by: 'timeout', at: now, qty: null, detail: 'expired at restart' });
    }
    const recent = db.prepare('SELECT json FROM signals ORDER BY created_at DESC, rowid DESC LIMIT ?').all(this.capacity) as Array<{ json: string }>;
    for (const row of recent.reverse()) {
      const s = SignalSchema.parse(JSON.parse(row.json));
      this.signals.set(s.id, s);
    }
  }

  protected onStop(): void {
    for (const cancel of this.expiryTimers.values()) cancel();
    this.expiryTimers.clear();
  }

  // ---- mode ----

  policy(): { mode: DeskMode; threshold: number } {
    return { mode: this.mode, threshold: this.threshold };
  }

  /** Applies to signals proposed from now on; a pending one is not re-judged. */
  setMode(mode: DeskMode, threshold?: number): { mode: DeskMode; threshold: number } {
    this.mode = DeskModeSchema.parse(mode);
    if (threshold !== undefined) this.threshold = checkThreshold(threshold);
    this.parts.log.info('desk mode', { mode: this.mode, threshold: this.threshold });
    return this.policy();
  }

  // ---- signals ----

  /** The session's signals: pending first (soonest expiry first), then the rest newest first. */
  list(): Signal[] {
    const all = [...this.signals.values()];
    const pending = all.filter((s) => s.status === 'pending').sort((a, b) => a.expiresAt - b.expiresAt);
    const rest = all.filter((s) => s.status !== 'pending').sort((a, b) => b.createdAt - a.createdAt);
    return [...pending, ...rest];
  }

  get(id: string): Signal | undefined {
    return this.signals.get(id);
  }

  /** Every decision on one signal (or all), oldest first, from the audit trail. */
  decisions(signalId?: string): DecisionRecord[] {
    const rows = (
      signalId === undefined
        ? this.parts.db.prepare('SELECT * FROM decisions ORDER BY id').all()
        : this.parts.db.prepare('SELECT * FROM decisions WHERE signal_id = ? ORDER BY id').all(signalId)
    ) as Array<{ id: number; signal_id: string; decision: Decision; by: DecidedBy; at: number; qty: number | null; model_version: string | null; inputs_json: string; detail: string }>;
    return rows.map((r) => ({
      id: r.id,
      signalId: r.signal_id,
      decision: r.decision,
      by: r.by,
      at: r.at,
      qty: r.qty,
      modelVersion: r.model_version,
      inputs: JSON.parse(r.inputs_json) as unknown,
      detail: r.detail,
    }));
  }

  /**
   * Takes a signal in (sizes come with it): stored as pending, expiring at `expiresAt` on the engine
   * clock; in 'auto' a confident one is executed at once. A malformed signal is a bug and throws.
   */
  async propose(input: Signal): Promise<Signal> {
    if (!this.isActive) throw new Error(`the approval desk is not running; signal ${input.id} was not taken`);
    const parsed = SignalSchema.parse(input);
    if (this.signals.has(parsed.id) || this.row(parsed.id)) throw new Error(`signal ${parsed.id} was already proposed`);
    const signal: Signal = { ...parsed, status: 'pending' };
    this.stmt(SQL.insertSignal)
      .run(signal.id, JSON.stringify(signal), signal.status, signal.createdAt, signal.expiresAt);
    this.remember(signal);
    this.parts.bus.publish('signals.update', signal);
    this.expiryTimers.set(
      signal.id,
      this.parts.clock.at(signal.expiresAt, () => this.expire(signal.id)),
    );
    if (this.decide) return this.applyPolicy(signal, this.decide(signal));
    if (this.mode === 'auto' && signal.confidence >= this.threshold && signal.qty > 0) {
      return this.execute(signal, signal.qty, 'auto');
    }
    return signal;
  }

  /** The trader's approval; `qty` may lower the proposed size, never raise it. */
  async approve(id: string, qty?: number): Promise<DeskResult> {
    const signal = this.signals.get(id);
    if (!signal) return { ok: false, reason: `no signal ${id}` };
    if (signal.status !== 'pending') return { ok: false, reason: `signal ${id} is ${signal.status}, not pending` };
    const size = qty ?? signal.qty;
    if (!Number.isInteger(size) || size <= 0) {
      return this.refuseRequest(signal, size, `qty must be a positive whole number of shares (got ${size}${qty === undefined ? ', the proposed size' : ''})`);
    }
    if (size > signal.qty) return this.refuseRequest(signal, size, `qty ${size} is above the signal's ${signal.qty}; a size may only be lowered`);
    if (this.mode === 'paper-only') {
      const approved = this.settle({ ...signal, status: 'approved' }, { decision: 'approved', by: 'trader', at: this.parts.clock.now(), qty: size, detail: 'paper-only: recorded, not executed' });
      return { ok: true, signal: approved };
    }
    return { ok: true, signal: await this.execute(signal, size, 'trader') };
  }

  veto(id: string, reason: string): DeskResult {
    const signal = this.signals.get(id);
    if (!signal) return { ok: false, reason: `no signal ${id}` };
    if (signal.status !== 'pending') return { ok: false, reason: `signal ${id} is ${signal.status}, not pending` };
    const vetoed = this.settle({ ...signal, status: 'vetoed' }, { decision: 'vetoed', by: 'trader', at: this.parts.clock.now(), qty: null, detail: reason });
    return { ok: true, signal: vetoed };
  }

  // ---- internals ----

  private applyPolicy(signal: Signal, d: PolicyDecision): Promise<Signal> | Signal {
    if (d === null) return signal;
    if (d.decision === 'veto') {
      return this.settle({ ...signal, status: 'vetoed' }, { decision: 'vetoed', by: 'policy', at: this.parts.clock.now(), qty: null, detail: d.reason });
    }
    const qty = Math.min(d.qty, signal.qty);
    if (!Number.isInteger(qty) || qty <= 0) {
      return this.settle({ ...signal, status: 'vetoed' }, { decision: 'vetoed', by: 'policy', at: this.parts.clock.now(), qty: null, detail: `no size to approve (policy ${d.qty}, proposed ${signal.qty})` });
    }
    return this.execute(signal, qty, 'policy');
  }

  private expire(id: string): void {
    this.expiryTimers.delete(id);
    const signal = this.signals.get(id);
    if (!signal || signal.status !== 'pending') return;
    this.settle({ ...signal, status: 'expired' }, { decision: 'expired', by: 'timeout', at: this.parts.clock.now(), qty: null, detail: 'no answer before expiry: vetoed by default' });
  }

  private async execute(signal: Signal, qty: number, by: 'trader' | 'auto' | 'policy'): Promise<Signal> {
    const { clock, execution } = this.parts;
    // Out of pending before the await: a second approve, a veto or the expiry cannot act on it meanwhile.
    this.cancelExpiry(signal.id);
    const inFlight = this.store({ ...signal, status: 'approved' });
    let result: EntryResult;
    try {
      result = await execution.submitEntry({
        symbol: signal.symbol,
        side: signal.side === 'long' ? 'buy' : 'sell',
        stopPrice: signal.stopPrice,
        ...(signal.targetPrice !== null ? { targetPrice: signal.targetPrice } : {}),
        qty,
        reason: `signal ${signal.id} (${signal.sources.join('+')}, ${by})`,
        // One signal can never become two orders.
        clientOrderId: `sig-${signal.id}`,
        signalId: signal.id,
      });
    } catch (error) {
      result = { ok: false, check: 'broker', reason: error instanceof Error ? error.message : String(error) };
    }
    const at = clock.now();
    if (result.ok) {
      return this.settle({ ...inFlight, status: 'executed' }, { decision: by === 'trader' ? 'approved' : 'auto-approved', by, at, qty, detail: `order ${result.order.clientOrderId} ${result.order.status}` });
    }
    return this.settle({ ...inFlight, status: 'refused' }, { decision: 'refused', by, at, qty, detail: `${result.check}: ${result.reason}` });
  }

  /** A trader request the desk will not carry out: recorded, the signal stays pending. */
  private refuseRequest(signal: Signal, qty: number, reason: string): DeskResult {
    this.record(signal, { decision: 'refused', by: 'trader', at: this.parts.clock.now(), qty: Number.isInteger(qty) ? qty : null, detail: `approve refused, still pending: ${reason}` });
    return { ok: false, reason };
  }

  /** Writes the new status and its decision in one transaction, then tells the cockpit. */
  private settle(signal: Signal, decision: Omit<DecisionRecord, 'id' | 'signalId' | 'modelVersion' | 'inputs'>): Signal {
    this.cancelExpiry(signal.id);
    this.parts.db.transaction(() => {
      this.write(signal);
      this.record(signal, decision);
    })();
    this.remember(signal);
    this.parts.bus.publish('signals.update', signal);
    this.parts.log.info('signal decision', { id: signal.id, symbol: signal.symbol, decision: decision.decision, by: decision.by, status: signal.status, detail: decision.detail });
    return signal;
  }

  /** A status change without a decision (an approval in flight). */
  private store(signal: Signal): Signal {
    this.write(signal);
    this.remember(signal);
    this.parts.bus.publish('signals.update', signal);
    return signal;
  }

  private write(signal: Signal): void {
    this.stmt(SQL.updateSignal).run(JSON.stringify(signal), signal.status, signal.id);
  }

  private record(signal: Signal, d: Omit<DecisionRecord, 'id' | 'signalId' | 'modelVersion' | 'inputs'>): void {
    const inputs = {
      symbol: signal.symbol,
      side: signal.side,
      sources: signal.sources,
      confidence: signal.confidence,
      reasons: signal.reasons,
      entryPrice: signal.entryPrice,
      stopPrice: signal.stopPrice,
      targetPrice: signal.targetPrice,
      qty: signal.qty,
      dollarsAtRisk: signal.dollarsAtRisk,
      conflictsWith: signal.conflictsWith,
      mode: this.mode,
      threshold: this.threshold,
    };
    this.stmt(SQL.insertDecision)
      .run(signal.id, d.decision, d.by, d.at, d.qty, signal.modelVersion, JSON.stringify(inputs), d.detail);
  }

  private stmt(sql: (typeof SQL)[keyof typeof SQL]): Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.parts.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  private row(id: string): boolean {
    return this.stmt(SQL.signalExists).get(id) !== undefined;
  }

  private remember(signal: Signal): void {
    this.signals.delete(signal.id);
    this.signals.set(signal.id, signal);
    if (this.signals.size <= this.capacity) return;
    // The oldest finished signals drop out of memory first (they stay in the database).
    for (const [id, s] of this.signals) {
      if (this.signals.size <= this.capacity) break;
      if (s.status !== 'pending' && s.status !== 'approved') this.signals.delete(id);
    }
  }

  private cancelExpiry(id: string): void {
    this.expiryTimers.get(id)?.();
    this.expiryTimers.delete(id);
  }
}

function checkThreshold(t: number): number {
  if (!(t >= 0 && t <= 1)) throw new RangeError(`desk threshold must be within 0..1, got ${t}`);
  return t;
}

/** True range average over the last `period` bars (simple mean), or null with too few bars. */
export function averageTrueRange(bars: readonly Bar[], period = 14): number | null {
  if (bars.length < period + 1) return null;
  const recent = bars.slice(-(period + 1));
  let sum = 0;
  for (let i = 1; i < recent.length; i++) {
    const b = recent[i]!;
    const prevClose = recent[i - 1]!.close;
    sum += Math.max(b.high - b.low, Math.abs(b.high - prevClose), Math.abs(b.low - prevClose));
  }
  return sum / period;
}

const cents = (x: number): number => Math.round(x * 100) / 100;

/**
 * SIMULATED TEST HOOK (behind `signals.proposeTest`): a signal from the symbol's latest bar, entry at
 * the last close and the stop one ATR (or 0.5% without enough bars) away, for end-to-end tests of the
 * desk without the generators. Not a trading rule.
 */
export function simulatedTestSignal(args: {
  id: string;
  symbol: string;
  side: 'long' | 'short';
  source: string;
  confidence: number;
  bars: readonly Bar[];
  now: number;
  ttlMs: number;
  /** Whole shares for an entry/stop pair (the risk manager's sizing). */
  size: (entryPrice: number, stopPrice: number) => number;
}): Signal | null {
  const last = args.bars.at(-1);
  if (!last) return null;
  const entryPrice = last.close;
  const atr = averageTrueRange(args.bars);
  const distance = Math.max(0.01, cents(atr !== null && atr > 0 ? atr : entryPrice * 0.005));
  const stopPrice = cents(args.side === 'long' ? entryPrice - distance : entryPrice + distance);
  const qty = args.size(entryPrice, stopPrice);
  return {
    id: args.id,
    symbol: args.symbol,
    side: args.side,
    sources: [args.source],
    confidence: args.confidence,
    reasons: [`simulated test signal: ${args.side} at ${entryPrice} with a stop ${atr !== null ? '1 ATR' : '0.5%'} away (${stopPrice})`],
    entryPrice,
    stopPrice,
    targetPrice: null,
    qty,
    dollarsAtRisk: cents(qty * Math.abs(entryPrice - stopPrice)),
    createdAt: args.now,
    expiresAt: args.now + args.ttlMs,
    status: 'pending',
    conflictsWith: null,
    modelVersion: null,
  };
}
