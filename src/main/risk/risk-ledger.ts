// The day's risk budget, persisted: limits fixed from config at the day's first use, capital at risk
// reserved and released by single guarded SQL statements (two reservations can never both squeeze past
// the cap, whichever connection sends them), and the realised loss that moves the day to REDUCING.
import { nyDateKey } from '../calendar/ny-time';
import type { Clock } from '../engine/clock';
import type { Db } from '../store/database';
import type { TradingState } from '../../shared/domain';

/** Config for a new trading day, in dollars. Later config changes do not touch a day already started. */
export interface RiskLimits {
  /** Largest total position value held at once. */
  positionValueLimit: number;
  /** Most capital that may be at risk (sum of entry-to-stop exposure) at once. */
  capitalAtRiskCap: number;
  /** Realised loss (a positive number of dollars) at which the day turns to REDUCING. */
  maxDailyLoss: number;
}

export interface RiskDay {
  tradingDay: string;
  positionValueLimit: number;
  capitalAtRiskCap: number;
  capitalAtRiskUsed: number;
  realizedPnl: number;
  maxDailyLoss: number;
  state: TradingState;
  updatedAt: number;
}

export type ReserveResult =
  | { ok: true; day: RiskDay }
  | { ok: false; code: 'cap_exceeded' | 'not_active'; reason: string; day: RiskDay };

export interface RealizedResult {
  day: RiskDay;
  /** True when this loss moved the day from ACTIVE to REDUCING. */
  reducing: boolean;
}

interface RiskDayRow {
  trading_day: string;
  position_value_limit: number;
  capital_at_risk_cap: number;
  capital_at_risk_used: number;
  realized_pnl: number;
  max_daily_loss: number;
  state: TradingState;
  updated_at: number;
}

const cents = (dollars: number): number => Math.round(dollars * 100) / 100;

function checkAmount(what: string, amount: number, allowNegative = false): void {
  // A NaN or negative reservation is a bug upstream, not a value to store.
  if (!Number.isFinite(amount) || (!allowNegative && amount < 0)) throw new RangeError(`${what} must be a finite${allowNegative ? '' : ', non-negative'} dollar amount, got ${amount}`);
}

function toDay(row: RiskDayRow): RiskDay {
  return {
    tradingDay: row.trading_day,
    positionValueLimit: row.position_value_limit,
    capitalAtRiskCap: row.capital_at_risk_cap,
    capitalAtRiskUsed: row.capital_at_risk_used,
    realizedPnl: row.realized_pnl,
    maxDailyLoss: row.max_daily_loss,
    state: row.state,
    updatedAt: row.updated_at,
  };
}

function prepareStatements(db: Db) {
  return {
    openDay: db.prepare(`
      INSERT INTO risk_days (trading_day, position_value_limit, capital_at_risk_cap, max_daily_loss, updated_at)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (trading_day) DO NOTHING`),
    get: db.prepare('SELECT * FROM risk_days WHERE trading_day = ?'),
    // The check and the increment are one statement: SQLite serialises writers, so the cap always holds.
    reserve: db.prepare(`
      UPDATE risk_days SET capital_at_risk_used = ROUND(capital_at_risk_used + @amount, 2), updated_at = @at
      WHERE trading_day = @day AND state = 'ACTIVE' AND ROUND(capital_at_risk_used + @amount, 2) <= capital_at_risk_cap`),
    release: db.prepare(`
      UPDATE risk_days SET capital_at_risk_used = MAX(0, ROUND(capital_at_risk_used - @amount, 2)), updated_at = @at
      WHERE trading_day = @day`),
    realized: db.prepare(`
      UPDATE risk_days SET realized_pnl = ROUND(realized_pnl + @pnl, 2),
        state = CASE WHEN state = 'ACTIVE' AND ROUND(realized_pnl + @pnl, 2) <= -max_daily_loss THEN 'REDUCING' ELSE state END,
        updated_at = @at
      WHERE trading_day = @day`),
    setState: db.prepare('UPDATE risk_days SET state = @state, updated_at = @at WHERE trading_day = @day'),
  };
}

export class RiskLedger {
  private readonly stmts: ReturnType<typeof prepareStatements>;

  /** `limits` is read at each new day's first use, so a config change applies from the next day on. */
  constructor(
    private readonly db: Db,
    private readonly limits: RiskLimits | (() => RiskLimits),
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.stmts = prepareStatements(db);
  }

  /** The New York trading day of the clock's now. */
  today(): string {
    return nyDateKey(this.clock.now());
  }

  /** The day's ledger, opened from config if this is its first use. */
  day(tradingDay: string = this.today()): RiskDay {
    const existing = this.stmts.get.get(tradingDay) as RiskDayRow | undefined;
    if (existing) return toDay(existing);
    const limits = typeof this.limits === 'function' ? this.limits() : this.limits;
    checkAmount('positionValueLimit', limits.positionValueLimit);
    checkAmount('capitalAtRiskCap', limits.capitalAtRiskCap);
    checkAmount('maxDailyLoss', limits.maxDailyLoss);
    this.stmts.openDay.run(tradingDay, cents(limits.positionValueLimit), cents(limits.capitalAtRiskCap), cents(limits.maxDailyLoss), this.clock.now());
    return toDay(this.stmts.get.get(tradingDay) as RiskDayRow);
  }

  /** Reserves capital at risk for a new entry; refused when it would pass the cap or the day is not ACTIVE. */
  reserve(amount: number, tradingDay: string = this.today()): ReserveResult {
    checkAmount('reserved amount', amount);
    const day = this.day(tradingDay);
    const changed = this.stmts.reserve.run({ amount: cents(amount), at: this.clock.now(), day: tradingDay }).changes;
    const after = this.day(tradingDay);
    if (changed === 1) return { ok: true, day: after };
    if (after.state !== 'ACTIVE') return { ok: false, code: 'not_active', reason: `trading is ${after.state} for ${tradingDay}: no new risk`, day: after };
    return {
      ok: false,
      code: 'cap_exceeded',
      reason: `reserving $${cents(amount).toFixed(2)} would take capital at risk to $${cents(after.capitalAtRiskUsed + amount).toFixed(2)}, over the $${day.capitalAtRiskCap.toFixed(2)} cap`,
      day: after,
    };
  }

  /** Gives back capital at risk (an exit, a cancel); never below zero. */
  release(amount: number, tradingDay: string = this.today()): RiskDay {
    checkAmount('released amount', amount);
    this.day(tradingDay);
    this.stmts.release.run({ amount: cents(amount), at: this.clock.now(), day: tradingDay });
    return this.day(tradingDay);
  }

  /** Adds a realised profit (positive) or loss (negative); at the max daily loss an ACTIVE day turns REDUCING. */
  recordRealized(pnl: number, tradingDay: string = this.today()): RealizedResult {
    checkAmount('realised P&L', pnl, true);
    return this.db
      .transaction((): RealizedResult => {
        const before = this.day(tradingDay);
        this.stmts.realized.run({ pnl: cents(pnl), at: this.clock.now(), day: tradingDay });
        const after = this.day(tradingDay);
        return { day: after, reducing: before.state === 'ACTIVE' && after.state === 'REDUCING' };
      })
      .immediate();
  }

  /**
   * Sets the day's state by hand (the kill switch, or the trader resuming). The ledger itself only ever
   * moves ACTIVE → REDUCING; leaving REDUCING or HALTED is the trader's call.
   */
  setState(state: TradingState, tradingDay: string = this.today()): RiskDay {
    this.day(tradingDay);
    this.stmts.setState.run({ state, at: this.clock.now(), day: tradingDay });
    return this.day(tradingDay);
  }
}
