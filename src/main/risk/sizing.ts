// Position sizing: how many whole shares an entry gets. A raw size from the method (a share of the
// daily risk budget over the stop distance, or a volatility budget over ATR), then capped by every
// limit the pre-trade checks enforce, so a sized order passes them; zero when nothing is left.
import type { Side } from '../../shared/domain';
import type { RiskLimits } from './pre-trade';

export type SizingMethod =
  /** Risk `riskPct` percent of the daily capital-at-risk budget (dailyRiskPct × bankroll) between entry and stop. */
  | { kind: 'riskOfDailyLimit'; riskPct: number }
  /**
   * Volatility sizing: bankroll × riskBudgetPct / (ATR% × price), i.e. bankroll × budget / ATR in dollars,
   * so one ATR move costs the budget. `atr` is in dollars.
   */
  | { kind: 'volatility'; riskBudgetPct: number; atr: number };

export interface SizingInput {
  method: SizingMethod;
  side: Side;
  entryPrice: number;
  stopPrice: number;
  /** From the risk ledger: open position value at cost basis. */
  positionValueOpen: number;
  /** From the risk ledger: capital at risk already used today. */
  capitalAtRiskUsed: number;
  /** Cost-basis exposure already held in the symbol (see pre-trade's symbolExposure). */
  symbolExposure: number;
  /** Cost-basis exposure already held in the symbol's sector (see pre-trade's sectorExposure). */
  sectorExposure: number;
}

/** What set the final size. */
export type SizingBound = 'method' | 'symbolCap' | 'sectorCap' | 'dailyPositionValue' | 'capitalAtRisk' | 'maxOrderValue' | 'maxOrderQty';

export interface SizingResult {
  qty: number;
  boundBy: SizingBound;
  /** Each candidate in whole shares (for the audit trail). */
  candidates: Readonly<Record<SizingBound, number>>;
  /** A trader-readable line. */
  note: string;
}

// Floor to whole shares, forgiving float noise just under an integer (0.3 / 0.1 = 2.9999999999999996).
const wholeShares = (x: number): number => (x > 0 ? Math.max(0, Math.floor(x + 1e-9)) : 0);

export function sizePosition(input: SizingInput, limits: Readonly<RiskLimits>): SizingResult {
  const { entryPrice, stopPrice, side, method } = input;
  for (const [name, x] of Object.entries({ entryPrice, stopPrice, positionValueOpen: input.positionValueOpen, capitalAtRiskUsed: input.capitalAtRiskUsed, symbolExposure: input.symbolExposure, sectorExposure: input.sectorExposure })) {
    if (!Number.isFinite(x)) throw new RangeError(`sizing: ${name} is not a finite number (${x})`);
  }
  if (entryPrice <= 0) throw new RangeError(`sizing: entryPrice must be positive (${entryPrice})`);
  const stopDistance = side === 'buy' ? entryPrice - stopPrice : stopPrice - entryPrice;

  const riskCap = (limits.dailyRiskPct / 100) * limits.bankroll;
  let raw: number;
  if (stopDistance <= 0) raw = 0; // a stop on the wrong side has no defined risk: no size
  else if (method.kind === 'riskOfDailyLimit') raw = ((method.riskPct / 100) * riskCap) / stopDistance;
  else raw = method.atr > 0 ? (limits.bankroll * (method.riskBudgetPct / 100)) / method.atr : 0;

  const room = (cap: number, used: number): number => Math.max(0, cap - used);
  const candidates: Record<SizingBound, number> = {
    method: wholeShares(raw),
    symbolCap: wholeShares(room((limits.symbolCapPct / 100) * limits.bankroll, input.symbolExposure) / entryPrice),
    sectorCap: wholeShares(room((limits.sectorCapPct / 100) * limits.bankroll, input.sectorExposure) / entryPrice),
    dailyPositionValue: wholeShares(room(limits.dailyPositionLimit, input.positionValueOpen) / entryPrice),
    capitalAtRisk: stopDistance > 0 ? wholeShares(room(riskCap, input.capitalAtRiskUsed) / stopDistance) : 0,
    maxOrderValue: wholeShares(limits.maxOrderValue / entryPrice),
    maxOrderQty: Math.floor(limits.maxOrderQty),
  };
  let boundBy: SizingBound = 'method';
  for (const k of Object.keys(candidates) as SizingBound[]) if (candidates[k] < candidates[boundBy]) boundBy = k;
  const qty = candidates[boundBy];
  const note =
    stopDistance <= 0
      ? `Stop ${stopPrice} is on the wrong side of the ${entryPrice} entry: size 0`
      : qty === 0
        ? `Nothing left: ${boundBy} allows 0 shares`
        : `${qty} shares, bound by ${boundBy}`;
  return { qty, boundBy, candidates: Object.freeze(candidates), note };
}
