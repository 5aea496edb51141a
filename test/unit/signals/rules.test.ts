import { describe, expect, it } from 'vitest';
import {
  createRuleGenerators,
  LaguerreCross,
  MomentumBreakout,
  OpeningRangeBreakout,
  resolveRulesConfig,
  SupportResistanceBreak,
  VwapBounce,
  VwapReversion,
} from '../../../src/main/signals/rules';
import type { Proposal, SignalGenerator } from '../../../src/main/signals/types';
import { at, bar, row } from './rows';

function expectSaneLevels(p: Proposal): void {
  if (p.side === 'long') {
    expect(p.stopPrice).toBeLessThan(p.entryPrice);
    if (p.targetPrice !== null) expect(p.targetPrice).toBeGreaterThan(p.entryPrice);
  } else {
    expect(p.stopPrice).toBeGreaterThan(p.entryPrice);
    if (p.targetPrice !== null) expect(p.targetPrice).toBeLessThan(p.entryPrice);
  }
  expect(p.confidence).toBeGreaterThanOrEqual(0);
  expect(p.confidence).toBeLessThanOrEqual(1);
}

describe('opening-range breakout', () => {
  const orb = (close: number, start: number, up: number, down: number, z = 2.1) =>
    [row('SPY', start, { or_breakout_up: up, or_breakout_down: down, volume_z_20: z, atr_pct: 0.002 }, { or_high: 127.3, or_low: 126.5 }), bar('SPY', start, close)] as const;

  it('when the range is still forming then it stays silent', () => {
    const g = new OpeningRangeBreakout();
    expect(g.onRow(row('SPY', at(-70), {}, {}), bar('SPY', at(-70), 128))).toBeNull();
  });

  it('when the first close clears the OR high then it goes long with the stop at the OR low and says so', () => {
    const g = new OpeningRangeBreakout();
    expect(g.onRow(...orb(127.1, at(0), 0, 0))).toBeNull();
    const p = g.onRow(...orb(127.42, at(1), 1, 0))!;
    expect(p).toMatchObject({ source: 'orb', symbol: 'SPY', side: 'long', entryPrice: 127.42, stopPrice: 126.5, start: at(1) });
    expect(p.targetPrice).toBeCloseTo(127.42 + 2 * (127.42 - 126.5), 10);
    expect(p.reasons).toEqual(['ORB: close 127.42 > OR high 127.30 (vol z 2.1)']);
    expectSaneLevels(p);
  });

  it('when price stays above, falls back in and breaks out again the same session then it fires only once; next session again', () => {
    const g = new OpeningRangeBreakout();
    expect(g.onRow(...orb(127.42, at(1), 1, 0))).not.toBeNull();
    expect(g.onRow(...orb(127.5, at(2), 1, 0))).toBeNull();
    expect(g.onRow(...orb(127.2, at(3), 0, 0))).toBeNull();
    expect(g.onRow(...orb(127.6, at(60), 1, 0))).toBeNull();
    expect(g.onRow(...orb(127.6, at(0, 5), 1, 0))?.side).toBe('long');
  });

  it('when the close breaks the OR low then it goes short with the stop at the OR high', () => {
    const p = new OpeningRangeBreakout().onRow(...orb(126.3, at(1), 0, 1))!;
    expect(p).toMatchObject({ side: 'short', stopPrice: 127.3 });
    expect(p.reasons[0]).toBe('ORB: close 126.30 < OR low 126.50 (vol z 2.1)');
    expectSaneLevels(p);
  });

  it('when the stop mode is ATR then the stop is entry − 1.5 ATR; a volume filter holds back a thin breakout', () => {
    const c = resolveRulesConfig({ orb: { stopMode: 'atr', minVolumeZ: 1.5 } });
    const g = new OpeningRangeBreakout(c.orb);
    expect(g.onRow(...orb(127.42, at(1), 1, 0, 1.0))).toBeNull();
    const g2 = new OpeningRangeBreakout(c.orb);
    const p = g2.onRow(...orb(127.42, at(1), 1, 0, 2.0))!;
    expect(p.stopPrice).toBeCloseTo(127.42 - 1.5 * 0.002 * 127.42, 10);
  });
});

describe('VWAP reversion', () => {
  const mk = (dist: number, open: number, close: number) =>
    [row('AAPL', at(5), { vwap_dist: dist, atr_pct: 0.005 }, { vwap: close / (1 + dist) }), bar('AAPL', at(5), close, { open })] as const;

  it('when price is 4 ATR above VWAP on a down bar then it fades short with target VWAP', () => {
    const p = new VwapReversion().onRow(...mk(0.02, 102.3, 102))!;
    expect(p.side).toBe('short');
    expect(p.targetPrice).toBeCloseTo(100, 10);
    expect(p.stopPrice).toBeCloseTo(102 + 0.005 * 102, 10);
    expect(p.reasons[0]).toMatch(/^VWAP reversion: close 102\.00 is 4\.0 ATR above VWAP 100\.00/);
    expectSaneLevels(p);
  });

  it('when price is 4 ATR below VWAP on an up bar then it fades long', () => {
    const p = new VwapReversion().onRow(...mk(-0.02, 97.8, 98))!;
    expect(p.side).toBe('long');
    expect(p.targetPrice).toBeCloseTo(100, 10);
    expectSaneLevels(p);
  });

  it('when the bar still runs away from VWAP, or the stretch is under 2.5 ATR, then nothing', () => {
    expect(new VwapReversion().onRow(...mk(0.02, 101.5, 102))).toBeNull();
    expect(new VwapReversion().onRow(...mk(0.01, 102.3, 102))).toBeNull();
    expect(new VwapReversion().onRow(row('AAPL', at(5), { vwap_dist: 0.02 }, { vwap: 100 }), bar('AAPL', at(5), 102, { open: 103 }))).toBeNull();
  });
});

describe('momentum breakout', () => {
  const mk = (start: number, close: number, resistance: number, z: number) =>
    [row('NVDA', start, { volume_z_20: z, atr_pct: 0.004 }, { resistance_60: resistance }), bar('NVDA', start, close)] as const;

  it('when the close clears the previous 60-bar high on volume z > 2 then long; thin volume or no break then nothing', () => {
    const g = new MomentumBreakout();
    expect(g.onRow(...mk(at(0), 99.5, 100, 3))).toBeNull(); // no previous level yet
    const p = g.onRow(...mk(at(1), 100.5, 100.51, 2.5))!;
    expect(p).toMatchObject({ side: 'long', entryPrice: 100.5 });
    expect(p.stopPrice).toBeCloseTo(100.5 - 1.5 * 0.004 * 100.5, 10);
    expect(p.reasons[0]).toBe('Momentum breakout: close 100.50 > 60-bar high 100.00 (vol z 2.5 > 2.0)');
    expectSaneLevels(p);
    const thin = new MomentumBreakout();
    thin.onRow(...mk(at(0), 99.5, 100, 3));
    expect(thin.onRow(...mk(at(1), 100.5, 100.51, 1.5))).toBeNull();
    const under = new MomentumBreakout();
    under.onRow(...mk(at(0), 99.5, 100, 3));
    expect(under.onRow(...mk(at(1), 99.9, 100, 3))).toBeNull();
  });

  it('when a bar is corrected then it is compared with the level before it, not its own', () => {
    const g = new MomentumBreakout({ ...resolveRulesConfig().momentumBreakout, cooldownMinutes: 0 });
    g.onRow(...mk(at(0), 99.5, 100, 3));
    expect(g.onRow(...mk(at(1), 99.8, 100, 3))).toBeNull();
    expect(g.onRow(...mk(at(1), 100.4, 100.41, 3))?.reasons[0]).toContain('60-bar high 100.00');
  });
});

describe('VWAP bounce', () => {
  const feed = (g: SignalGenerator, n: number, above: boolean): void => {
    for (let i = 0; i < n; i++) {
      const c = above ? 101 : 99;
      g.onRow(row('MSFT', at(i), { atr_pct: 0.005 }, { vwap: 100 }), bar('MSFT', at(i), c));
    }
  };

  it('when ten closes above VWAP are followed by a touch and a close back above then long, stop under VWAP', () => {
    const g = new VwapBounce();
    feed(g, 10, true);
    const p = g.onRow(row('MSFT', at(10), { atr_pct: 0.005 }, { vwap: 100 }), bar('MSFT', at(10), 100.3, { open: 100.5, low: 99.98 }))!;
    expect(p.side).toBe('long');
    expect(p.stopPrice).toBeCloseTo(100 - 0.5 * 0.005 * 100.3, 10);
    expect(p.stopPrice).toBeLessThan(100);
    expect(p.reasons[0]).toContain('10 closes above VWAP');
    expectSaneLevels(p);
  });

  it('when the trend above VWAP is too short, or the low never reaches VWAP, then nothing', () => {
    const g = new VwapBounce();
    feed(g, 5, true);
    expect(g.onRow(row('MSFT', at(10), { atr_pct: 0.005 }, { vwap: 100 }), bar('MSFT', at(10), 100.3, { low: 99.98 }))).toBeNull();
    const h = new VwapBounce();
    feed(h, 12, true);
    expect(h.onRow(row('MSFT', at(12), { atr_pct: 0.005 }, { vwap: 100 }), bar('MSFT', at(12), 100.6, { low: 100.4 }))).toBeNull();
  });

  it('when a downtrend below VWAP rallies to it and closes back below then short', () => {
    const g = new VwapBounce();
    feed(g, 10, false);
    const p = g.onRow(row('MSFT', at(10), { atr_pct: 0.005 }, { vwap: 100 }), bar('MSFT', at(10), 99.7, { open: 99.6, high: 100.02 }))!;
    expect(p.side).toBe('short');
    expect(p.stopPrice).toBeGreaterThan(100);
    expectSaneLevels(p);
  });
});

describe('Laguerre crossover', () => {
  const mk = (t: number, fast: number, slow: number) => [row('QQQ', at(t), { atr_pct: 0.003 }, { laguerre: fast, laguerre_adaptive: slow }), bar('QQQ', at(t), 400)] as const;

  it('when the fast filter crosses above the adaptive one then long, staying above is quiet, crossing below is short', () => {
    const g = new LaguerreCross();
    expect(g.onRow(...mk(0, 399.9, 400))).toBeNull();
    const p = g.onRow(...mk(1, 400.2, 400))!;
    expect(p.side).toBe('long');
    expect(p.reasons[0]).toBe('Laguerre cross: fast 400.20 crossed above adaptive 400.00 (close 400.00)');
    expectSaneLevels(p);
    expect(g.onRow(...mk(2, 400.3, 400))).toBeNull();
    const s = g.onRow(...mk(3, 399.8, 400))!;
    expect(s.side).toBe('short');
    expectSaneLevels(s);
  });

  it('keeps its state per symbol', () => {
    const g = new LaguerreCross();
    g.onRow(...mk(0, 399.9, 400));
    expect(g.onRow(row('IWM', at(1), { atr_pct: 0.003 }, { laguerre: 200.2, laguerre_adaptive: 200 }), bar('IWM', at(1), 200))).toBeNull();
  });
});

describe('support / resistance break', () => {
  const mk = (t: number, close: number) => [row('TSLA', at(t), { atr_pct: 0.01, volume_z_20: 1 }, { support_60: Math.min(95, close), resistance_60: Math.max(105, close) }), bar('TSLA', at(t), close)] as const;

  it('when the close clears the prior resistance then long with the stop half an ATR back under it', () => {
    const g = new SupportResistanceBreak();
    expect(g.onRow(...mk(0, 100))).toBeNull();
    expect(g.onRow(...mk(1, 104.9))).toBeNull();
    const p = g.onRow(...mk(2, 106))!;
    expect(p.side).toBe('long');
    expect(p.stopPrice).toBeCloseTo(105 - 0.5 * 0.01 * 106, 10);
    expect(p.reasons[0]).toBe('Resistance break: close 106.00 > 60-bar resistance 105.00 (vol z 1.0)');
    expectSaneLevels(p);
  });

  it('when the close breaks the prior support then short', () => {
    const g = new SupportResistanceBreak();
    g.onRow(...mk(0, 100));
    const p = g.onRow(...mk(1, 94))!;
    expect(p.side).toBe('short');
    expect(p.stopPrice).toBeCloseTo(95 + 0.5 * 0.01 * 94, 10);
    expectSaneLevels(p);
  });
});

describe('rule configuration', () => {
  it('each rule is switched on and off on its own', () => {
    expect(createRuleGenerators().map((g) => g.id)).toEqual(['orb', 'vwap_reversion', 'momentum_breakout', 'vwap_bounce', 'laguerre_cross', 'sr_break']);
    expect(createRuleGenerators({ orb: { enabled: false }, laguerreCross: { enabled: false } }).map((g) => g.id)).toEqual(['vwap_reversion', 'momentum_breakout', 'vwap_bounce', 'sr_break']);
  });

  it('refuses nonsense settings and freezes the result', () => {
    expect(() => resolveRulesConfig({ vwapReversion: { stretchAtr: 0 } })).toThrow(/stretchAtr/);
    expect(() => resolveRulesConfig({ orb: { baseConfidence: 0.9, maxConfidence: 0.5 } })).toThrow(/Confidence/);
    expect(Object.isFrozen(resolveRulesConfig().orb)).toBe(true);
  });

  it('refuses a row that belongs to another bar', () => {
    expect(() => new VwapReversion().onRow(row('AAPL', at(0)), bar('MSFT', at(0), 1))).toThrow(/does not belong/);
  });
});
