import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Bar } from '../../../src/shared/domain';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { SimBroker } from '../../../src/main/execution/sim-broker';
import type { Fill, OrderRequest } from '../../../src/main/execution/types';

const MIN = 60_000;
const T0 = Date.UTC(2024, 5, 3, 14, 0);

const barArb = fc
  .record({
    open: fc.integer({ min: 9000, max: 11000 }),
    up: fc.integer({ min: 0, max: 300 }),
    down: fc.integer({ min: 0, max: 300 }),
    closeFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    volume: fc.integer({ min: 0, max: 5000 }),
  })
  .map(({ open, up, down, closeFrac, volume }) => {
    const o = open / 100;
    const high = (open + up) / 100;
    const low = (open - down) / 100;
    return { open: o, high, low, close: Math.round((low + (high - low) * closeFrac) * 100) / 100, volume };
  });

const priceArb = fc.integer({ min: 8800, max: 11200 }).map((c) => c / 100);
const orderArb = fc.record({
  side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
  qty: fc.integer({ min: 1, max: 2000 }),
  type: fc.constantFrom<OrderRequest['type']>('market', 'limit', 'stop', 'stop_limit', 'trailing_stop'),
  timeInForce: fc.constantFrom<'day' | 'ioc'>('day', 'ioc'),
  limitPrice: priceArb,
  stopPrice: priceArb,
  trailPrice: fc.integer({ min: 1, max: 300 }).map((c) => c / 100),
  withBracket: fc.boolean(),
});

describe('SimBroker invariants', () => {
  it('whatever bars and orders: filled qty never exceeds order qty, position is the signed sum of fills, fills lie in the bar range', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(barArb, fc.array(orderArb, { maxLength: 3 })), { minLength: 1, maxLength: 30 }),
        fc.constantFrom(null, 0.1, 1),
        fc.constantFrom(0, 5, 50),
        (steps, maxParticipation, bps) => {
          const clock = new SimulatedClock(T0);
          const broker = new SimBroker(clock, { idPrefix: 'sim', fillModel: { maxParticipation, slippage: { kind: 'bps', bps } } });
          const fills: Array<{ fill: Fill; bar: Bar }> = [];
          let current: Bar | null = null;
          broker.onEvent((e) => {
            if (e.type === 'fill') fills.push({ fill: e.fill, bar: current! });
            expect(e.order.filledQty).toBeLessThanOrEqual(e.order.qty);
          });
          let n = 0;
          steps.forEach(([b, orders], i) => {
            const bar: Bar = { symbol: 'X', timeframe: '1m', start: T0 + i * MIN, ...b };
            current = bar;
            clock.advanceTo(bar.start + MIN);
            broker.onBar(bar);
            for (const o of orders) {
              const mid = b.close;
              const bracket = o.withBracket
                ? o.side === 'buy' ? { takeProfit: mid + 1, stopLoss: Math.max(0.01, mid - 1) } : { takeProfit: Math.max(0.01, mid - 1), stopLoss: mid + 1 }
                : undefined;
              broker.submitNow({
                clientOrderId: `o${n++}`, symbol: 'X', side: o.side, qty: o.qty, type: o.type,
                timeInForce: o.withBracket ? 'day' : o.timeInForce,
                limitPrice: o.limitPrice, stopPrice: o.stopPrice, trailPrice: o.trailPrice, bracket, intent: 'entry', reason: 'prop',
              });
            }
          });
          const byOrder = new Map<string, number>();
          let signed = 0;
          for (const { fill, bar } of fills) {
            expect(fill.price).toBeGreaterThanOrEqual(bar.low);
            expect(fill.price).toBeLessThanOrEqual(bar.high);
            expect(fill.time).toBe(bar.start + MIN);
            byOrder.set(fill.clientOrderId, (byOrder.get(fill.clientOrderId) ?? 0) + fill.qty);
            signed += fill.side === 'buy' ? fill.qty : -fill.qty;
          }
          for (const [id, qty] of byOrder) {
            const o = broker.order(id)!;
            expect(qty).toBe(o.filledQty);
            expect(qty).toBeLessThanOrEqual(o.qty);
          }
          expect(broker.position('X').qty).toBe(signed);
          if (maxParticipation !== null) {
            // per bar, fills never take more than the cap
            const perBar = new Map<number, number>();
            for (const { fill, bar } of fills) perBar.set(bar.start, (perBar.get(bar.start) ?? 0) + fill.qty);
            for (const { bar } of fills) expect(perBar.get(bar.start)!).toBeLessThanOrEqual(Math.floor(bar.volume * maxParticipation + 1e-9));
          }
        },
      ),
      { numRuns: 300, seed: 20240603 },
    );
  });

  it('is deterministic: the same inputs give the same events', () => {
    const run = (): string => {
      const clock = new SimulatedClock(T0);
      const broker = new SimBroker(clock, { idPrefix: 'sim', fillModel: { maxParticipation: 0.1, slippage: { kind: 'bps', bps: 5 } } });
      const log: unknown[] = [];
      broker.onEvent((e) => log.push(e));
      for (let i = 0; i < 20; i++) {
        const p = 100 + Math.sin(i) * 2;
        clock.advanceTo(T0 + (i + 1) * MIN);
        broker.onBar({ symbol: 'X', timeframe: '1m', start: T0 + i * MIN, open: p, high: p + 1, low: p - 1, close: p, volume: 1000 });
        if (i % 3 === 0) broker.submitNow({ clientOrderId: `o${i}`, symbol: 'X', side: i % 2 ? 'sell' : 'buy', qty: 150, type: 'market', timeInForce: 'day', intent: 'entry', reason: 'd' });
      }
      return JSON.stringify(log);
    };
    expect(run()).toBe(run());
  });
});
