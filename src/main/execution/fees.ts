// Trading costs of one fill: the broker's commission (per share, per order) and the regulatory pass-through
// fees on sells (SEC Section 31 fee on notional, FINRA Trading Activity Fee per share with a per-trade cap).
// Rates change every year or so, so they are config; the presets say which date they were taken from.

export interface FeeSchedule {
  /** Label for the audit trail, e.g. 'alpaca-regulatory-2024-05-22'. */
  readonly name: string;
  /** Commission per share, dollars (default 0). */
  readonly perShare: number;
  /** Commission per order, dollars, charged once on the order's first fill (default 0). */
  readonly perOrder: number;
  /** SEC Section 31 fee on sells: dollars per dollar of notional (e.g. 27.80 / 1e6). */
  readonly secFeeRate: number;
  /** FINRA TAF on sells: dollars per share sold. */
  readonly finraTafPerShare: number;
  /** FINRA TAF cap per trade (one fill counts as one trade), dollars. */
  readonly finraTafMaxPerTrade: number;
}

export const NO_FEES: FeeSchedule = Object.freeze({
  name: 'none',
  perShare: 0,
  perOrder: 0,
  secFeeRate: 0,
  finraTafPerShare: 0,
  finraTafMaxPerTrade: 0,
});

/**
 * Alpaca: commission-free US equities, regulatory fees passed through on sells and rounded up to the cent.
 * Rates as of 2024-05-22: SEC $27.80 per $1M of sales (fiscal 2024 rate, effective 2024-05-22);
 * FINRA TAF $0.000166 per share sold, max $8.30 per trade (effective 2024-01-01).
 * Note: the SEC set the Section 31 rate to $0.00 per $1M from 2025-05-14; use `ALPACA_REGULATORY_FEES_2025_05`
 * for later periods and check the SEC and FINRA notices when a new fiscal year starts.
 */
export const ALPACA_REGULATORY_FEES_2024_05: FeeSchedule = Object.freeze({
  name: 'alpaca-regulatory-2024-05-22',
  perShare: 0,
  perOrder: 0,
  secFeeRate: 27.8 / 1_000_000,
  finraTafPerShare: 0.000166,
  finraTafMaxPerTrade: 8.3,
});

/** As above with the SEC rate at $0.00 per $1M (effective 2025-05-14); FINRA TAF unchanged in this preset. */
export const ALPACA_REGULATORY_FEES_2025_05: FeeSchedule = Object.freeze({
  ...ALPACA_REGULATORY_FEES_2024_05,
  name: 'alpaca-regulatory-2025-05-14',
  secFeeRate: 0,
});

/** Fees of one fill, broken down. Every part is rounded to the cent (regulatory parts rounded up, as brokers do). */
export interface FeeBreakdown {
  commission: number;
  secFee: number;
  finraTaf: number;
  total: number;
}

const EPS = 1e-9;
/** Rounds up to the cent, ignoring float noise just above a whole cent. */
const ceilCent = (x: number): number => (x <= 0 ? 0 : Math.ceil(x * 100 - EPS) / 100);
const roundCent = (x: number): number => Math.round(x * 100) / 100;

export function feesForFill(
  schedule: FeeSchedule,
  fill: { side: 'buy' | 'sell'; qty: number; price: number; firstFillOfOrder: boolean },
): FeeBreakdown {
  const commission = roundCent(schedule.perShare * fill.qty + (fill.firstFillOfOrder ? schedule.perOrder : 0));
  let secFee = 0;
  let finraTaf = 0;
  if (fill.side === 'sell') {
    secFee = ceilCent(schedule.secFeeRate * fill.qty * fill.price);
    finraTaf = ceilCent(Math.min(schedule.finraTafPerShare * fill.qty, schedule.finraTafMaxPerTrade));
  }
  return { commission, secFee, finraTaf, total: roundCent(commission + secFee + finraTaf) };
}

export function validateFeeSchedule(schedule: FeeSchedule): void {
  for (const k of ['perShare', 'perOrder', 'secFeeRate', 'finraTafPerShare', 'finraTafMaxPerTrade'] as const) {
    const v = schedule[k];
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`fee schedule ${schedule.name}: ${k} must be finite and >= 0, got ${v}`);
  }
}

/** The fee schedule a backtest's (or paper session's) fill setting names. */
export function feeScheduleOf(fees: 'alpaca-2024-05' | 'alpaca-2025-05' | 'none' | { perShare: number; perOrder: number }): FeeSchedule {
  if (fees === 'none') return NO_FEES;
  if (fees === 'alpaca-2024-05') return ALPACA_REGULATORY_FEES_2024_05;
  if (fees === 'alpaca-2025-05') return ALPACA_REGULATORY_FEES_2025_05;
  return Object.freeze({ ...NO_FEES, name: `commission ${fees.perShare}/share + ${fees.perOrder}/order`, perShare: fees.perShare, perOrder: fees.perOrder });
}
