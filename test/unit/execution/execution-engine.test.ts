// Realised P&L of a fill against the position it meets: only the reducing part counts, net of fees.
import { describe, expect, it } from 'vitest';
import { realizedPnl } from '../../../src/main/execution/execution-engine';
import type { Fill } from '../../../src/main/execution/types';

const fill = (side: Fill['side'], qty: number, price: number, fees = 0): Fill => ({
  clientOrderId: 'x', brokerOrderId: 'sim-1', symbol: 'AAPL', side, qty, price, fees, time: 0, executionId: `e-${side}-${qty}`,
});

describe('realizedPnl', () => {
  it('when a sell closes a long then the gain is (exit − entry) × shares less fees', () => {
    expect(realizedPnl({ symbol: 'AAPL', qty: 10, avgEntryPrice: 100 }, fill('sell', 10, 101, 0.5))).toBeCloseTo(9.5);
  });
  it('when a buy covers part of a short at a higher price then the loss counts only the covered shares', () => {
    expect(realizedPnl({ symbol: 'AAPL', qty: -10, avgEntryPrice: 100 }, fill('buy', 4, 102))).toBeCloseTo(-8);
  });
  it('when a fill only adds to the position or there is none then nothing is realised', () => {
    expect(realizedPnl({ symbol: 'AAPL', qty: 10, avgEntryPrice: 100 }, fill('buy', 5, 99))).toBeNull();
    expect(realizedPnl(undefined, fill('buy', 5, 99))).toBeNull();
  });
});
