import { describe, expect, it } from 'vitest';
import { nyParts } from '../../../src/main/calendar/ny-time';
import { checkBar } from '../../../src/main/data/validate-bar';
import { manualEngine } from '../../helpers/engine';

describe('the embedded synthetic market in the engine', () => {
  it('streams one bar per symbol per minute of the regular session, 09:30 to 16:00 New York, 390 each', async () => {
    const m = manualEngine();
    await m.engine.start();
    m.minutes(400);
    const spy = m.bars.filter((b) => b.symbol === 'SPY' && nyParts(b.start).day === 3);
    expect(spy).toHaveLength(390);
    const first = nyParts(spy[0]!.start);
    const last = nyParts(spy.at(-1)!.start);
    expect([first.hour, first.minute]).toEqual([9, 30]);
    expect([last.hour, last.minute]).toEqual([15, 59]);
    await m.engine.stop();
  });

  it('never publishes a bar before it has closed (no look-ahead)', async () => {
    const m = manualEngine();
    const late: string[] = [];
    m.engine.bus.subscribe('market.bar', (b) => {
      if (m.clock.now() < b.start + 60_000) late.push(`${b.symbol}@${b.start} seen at ${m.clock.now()}`);
    });
    await m.engine.start();
    m.minutes(120);
    expect(m.bars.length).toBe(120 * m.engine.config.watchlist.length);
    expect(late).toEqual([]);
    await m.engine.stop();
  });

  it('gives sound, tick-rounded bars at realistic levels', async () => {
    const m = manualEngine();
    await m.engine.start();
    m.minutes(390);
    for (const b of m.bars) {
      expect(checkBar(b)).toBeNull();
      expect(Math.round(b.close * 100) / 100).toBe(b.close);
      expect(b.volume % 100).toBe(0);
    }
    const spy = m.bars.find((b) => b.symbol === 'SPY')!;
    expect(spy.close).toBeGreaterThan(400);
    expect(spy.close).toBeLessThan(800);
    await m.engine.stop();
  });

  it('is deterministic for a seed and different for another seed', async () => {
    const run = async (seed: string) => {
      const m = manualEngine({ TRADING_SIM_SEED: seed });
      await m.engine.start();
      m.minutes(60);
      await m.engine.stop();
      return m.bars.map((b) => `${b.symbol}:${b.start}:${b.open}:${b.high}:${b.low}:${b.close}:${b.volume}`);
    };
    const a = await run('7');
    expect(await run('7')).toEqual(a);
    expect(await run('8')).not.toEqual(a);
  });

  it('moves the symbols together through a market factor', async () => {
    const m = manualEngine();
    await m.engine.start();
    m.minutes(390);
    const returns = (s: string) => {
      const closes = m.bars.filter((b) => b.symbol === s).map((b) => b.close);
      return closes.slice(1).map((c, i) => Math.log(c / closes[i]!));
    };
    const corr = (x: number[], y: number[]) => {
      const mx = x.reduce((a, b) => a + b, 0) / x.length;
      const my = y.reduce((a, b) => a + b, 0) / y.length;
      let sxy = 0, sxx = 0, syy = 0;
      for (let i = 0; i < x.length; i++) {
        sxy += (x[i]! - mx) * (y[i]! - my);
        sxx += (x[i]! - mx) ** 2;
        syy += (y[i]! - my) ** 2;
      }
      return sxy / Math.sqrt(sxx * syy);
    };
    expect(corr(returns('SPY'), returns('QQQ'))).toBeGreaterThan(0.3);
    await m.engine.stop();
  });

  it('skips the night and the weekend: Friday 16:00 is followed by Monday 09:30', async () => {
    const m = manualEngine({}, '2025-03-07'); // a Friday
    await m.engine.start();
    m.minutes(390);
    const friday = m.bars.length;
    // Step through the clock's timers (other components have some) until the next bar arrives.
    while (m.bars.length === friday) m.clock.advanceTo(m.clock.nextTimerAt()!);
    const next = m.bars[friday]!;
    const p = nyParts(next.start);
    expect([p.weekday, p.hour, p.minute]).toEqual([1, 9, 30]);
    expect(m.bars.length).toBe(friday + m.engine.config.watchlist.length);
    await m.engine.stop();
  });
});
