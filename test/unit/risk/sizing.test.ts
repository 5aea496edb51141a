import { describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { nyWallToUtc } from '../../../src/main/calendar/ny-time';
import { checkPreTrade, riskLimits } from '../../../src/main/risk/pre-trade';
import { sizePosition, type SizingInput } from '../../../src/main/risk/sizing';

// bankroll $20 000: daily risk budget $2 000, symbol cap $5 000, sector cap $10 000, daily position limit $5 000.
const LIMITS = riskLimits({ maxOrderValue: 100_000, maxOrderQty: 100_000 });

const input = (over: Partial<SizingInput> = {}): SizingInput => ({
  method: { kind: 'riskOfDailyLimit', riskPct: 10 },
  side: 'buy',
  entryPrice: 100,
  stopPrice: 95,
  positionValueOpen: 0,
  capitalAtRiskUsed: 0,
  symbolExposure: 0,
  sectorExposure: 0,
  ...over,
});

describe('position sizing', () => {
  it('risk 10% of the $2 000 daily budget over a $5 stop gives 40 shares', () => {
    expect(sizePosition(input(), LIMITS)).toMatchObject({ qty: 40, boundBy: 'method' });
  });

  it('a short sizes on the stop above the entry', () => {
    expect(sizePosition(input({ side: 'sell', stopPrice: 104 }), LIMITS)).toMatchObject({ qty: 50, boundBy: 'method' });
  });

  it('volatility sizing: $20 000 × 1% / ATR $4 (4% of $100) = 50 shares', () => {
    expect(sizePosition(input({ method: { kind: 'volatility', riskBudgetPct: 1, atr: 4 } }), LIMITS)).toMatchObject({ qty: 50, boundBy: 'method' });
  });

  it('capped by the per-symbol cap: $4 000 held leaves $1 000 = 10 shares', () => {
    expect(sizePosition(input({ symbolExposure: 4_000 }), LIMITS)).toMatchObject({ qty: 10, boundBy: 'symbolCap' });
  });

  it('capped by the sector cap: $9 900 in the sector leaves 1 share', () => {
    expect(sizePosition(input({ sectorExposure: 9_900 }), LIMITS)).toMatchObject({ qty: 1, boundBy: 'sectorCap' });
  });

  it('capped by the remaining daily position value: $4 700 open leaves 3 shares', () => {
    expect(sizePosition(input({ positionValueOpen: 4_700 }), LIMITS)).toMatchObject({ qty: 3, boundBy: 'dailyPositionValue' });
  });

  it('capped by the remaining capital at risk: $1 990 used leaves $10 = 2 shares at a $5 stop', () => {
    expect(sizePosition(input({ capitalAtRiskUsed: 1_990 }), LIMITS)).toMatchObject({ qty: 2, boundBy: 'capitalAtRisk' });
  });

  it('capped by the order value and quantity limits', () => {
    expect(sizePosition(input(), riskLimits({ maxOrderValue: 2_500 }))).toMatchObject({ qty: 25, boundBy: 'maxOrderValue' });
    expect(sizePosition(input(), riskLimits({ maxOrderQty: 7 }))).toMatchObject({ qty: 7, boundBy: 'maxOrderQty' });
  });

  it('whole shares, floored: $999.99 of room at $100 is 9 shares; float noise is not a lost share', () => {
    expect(sizePosition(input({ positionValueOpen: 4_000.01 }), LIMITS).qty).toBe(9);
    // room $0.30 at $0.10: 0.3 / 0.1 = 2.9999999999999996 in floats, still 3 shares
    const cheap = sizePosition(input({ entryPrice: 0.1, stopPrice: 0.05, positionValueOpen: 4_999.7 }), LIMITS);
    expect(cheap).toMatchObject({ qty: 3, boundBy: 'dailyPositionValue' });
  });

  it('zero when nothing is left, with a note', () => {
    const r = sizePosition(input({ positionValueOpen: 5_000 }), LIMITS);
    expect(r.qty).toBe(0);
    expect(r.note).toMatch(/Nothing left/);
    expect(sizePosition(input({ positionValueOpen: 6_000 }), LIMITS).qty).toBe(0);
    expect(sizePosition(input({ capitalAtRiskUsed: 2_000 }), LIMITS).qty).toBe(0);
  });

  it('zero when the stop is on the wrong side of the entry', () => {
    expect(sizePosition(input({ stopPrice: 101 }), LIMITS).qty).toBe(0);
    expect(sizePosition(input({ side: 'sell', stopPrice: 99 }), LIMITS).qty).toBe(0);
  });

  it('a NaN price is a bug and throws', () => {
    expect(() => sizePosition(input({ entryPrice: Number.NaN }), LIMITS)).toThrow(RangeError);
  });

  it('a sized order passes the exposure checks it was capped by', () => {
    const cal = new NyseCalendar();
    const now = nyWallToUtc(2024, 11, 26, 11, 0);
    const limits = riskLimits();
    const ctx = {
      now,
      calendar: cal,
      tradingState: 'ACTIVE' as const,
      lastBar: { symbol: 'AAA', timeframe: '1m' as const, start: now - 60_000, open: 37.13, high: 37.13, low: 37.13, close: 37.13, volume: 1 },
      lastTradePrice: 37.13,
      symbolStatus: null,
      featuresWarm: true,
      market: { spyGapPct: 0, vix: 12 },
      recentSubmits: [],
      positions: [{ symbol: 'AAA', qty: 30, avgEntryPrice: 40 }],
      positionValueOpen: 3_217.45,
      capitalAtRiskUsed: 1_874.2,
      sectorOf: new Map<string, string>(),
    };
    const sized = sizePosition(
      input({ method: { kind: 'riskOfDailyLimit', riskPct: 50 }, entryPrice: 37.13, stopPrice: 36.41, positionValueOpen: ctx.positionValueOpen, capitalAtRiskUsed: ctx.capitalAtRiskUsed, symbolExposure: 1_200, sectorExposure: 1_200 }),
      limits,
    );
    expect(sized.qty).toBeGreaterThan(0);
    const order = { clientOrderId: 'x', symbol: 'AAA', side: 'buy' as const, qty: sized.qty, type: 'limit' as const, timeInForce: 'day' as const, limitPrice: 37.13, bracket: { takeProfit: 39, stopLoss: 36.41 }, intent: 'entry' as const, reason: 't' };
    expect(checkPreTrade({ order }, ctx, limits)).toMatchObject({ ok: true });
    expect(checkPreTrade({ order: { ...order, qty: sized.qty + 1 } }, ctx, limits).ok).toBe(false);
  });
});
