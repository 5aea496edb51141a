// Replace-last-bar: a vendor sends bar t, then a corrected bar t (same start, other values). The
// engine must give exactly the row, and every later row, that it gives when only the corrected bar
// was ever sent: the rollback leaves no trace in any window, sum, sorted volume list or daily bar.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeatureEngine } from '../../../src/main/features/feature-engine';
import type { Bar } from '../../../src/shared/domain';
import { generateBars, genParams, rng } from './generated';
import { firstDifference, interleave, newEngine, qqqMonth, readVix, sessionOf, spyMonth, type Setup } from './month';

interface Fed {
  values: Float64Array;
  overlays: Float64Array;
}

function feed(engine: FeatureEngine, bars: readonly Bar[]): Fed[] {
  return bars.map((bar) => {
    const row = engine.onBar(bar);
    if (!row) throw new Error(`engine refused ${bar.symbol} ${new Date(bar.start).toISOString()}`);
    return { values: Float64Array.from(row.values), overlays: Float64Array.from(row.overlays) };
  });
}

function sameRows(a: readonly Fed[], b: readonly Fed[]): string | null {
  if (a.length !== b.length) return `${a.length} rows vs ${b.length}`;
  return (
    firstDifference(
      a.map((r) => r.values),
      b.map((r) => r.values),
    ) ??
    firstDifference(
      a.map((r) => r.overlays),
      b.map((r) => r.overlays),
    )
  );
}

const cents = (x: number): number => Math.max(0.01, Math.round(x * 100) / 100);

/** A corrected version of a bar: same symbol and start, other prices and volume. */
function correction(bar: Bar, rand: () => number): Bar {
  const tick = 0.01 * Math.max(1, bar.close / 100);
  const open = rand() < 0.5 ? bar.open : cents(bar.open + Math.round((rand() - 0.5) * 6) * tick);
  const closePx = cents(bar.close + Math.round((rand() - 0.5) * 10) * tick);
  return {
    ...bar,
    open,
    close: closePx,
    high: cents(Math.max(open, closePx) + Math.floor(rand() * 3) * tick),
    low: cents(Math.min(open, closePx) - Math.floor(rand() * 3) * tick),
    volume: rand() < 0.1 ? bar.volume : rand() < 0.05 ? 0 : Math.round(bar.volume * (0.2 + rand() * 2)) + 1,
  };
}

/**
 * Feeds `bars` with the bar at `j` first sent as is and then corrected (each of `fixes` in turn), and
 * again with only the last correction; asserts both give the same rows from bar j on.
 */
function expectCorrectionLeavesNoTrace(bars: readonly Bar[], j: number, fixes: readonly Bar[], setup: Setup = {}): void {
  const withOriginal = newEngine(setup);
  feed(withOriginal, bars.slice(0, j + 1));
  const corrected = feed(withOriginal, fixes);
  const afterA = feed(withOriginal, bars.slice(j + 1));

  const onlyFinal = newEngine(setup);
  feed(onlyFinal, bars.slice(0, j));
  const final = feed(onlyFinal, [fixes[fixes.length - 1]!]);
  const afterB = feed(onlyFinal, bars.slice(j + 1));

  const where = `${bars[j]!.symbol} bar #${j} of ${bars.length} (${sessionOf(bars[j]!.start).date})`;
  expect(sameRows(corrected.slice(-1), final), `${where}: the corrected row`).toBeNull();
  expect(sameRows(afterA, afterB), `${where}: the rows after it`).toBeNull();
}

describe('a corrected bar gives exactly the rows of a feed that only ever had the corrected bar', () => {
  it('on the real month: every 97th bar and every session’s first bar of SPY corrected, with QQQ interleaved and the VIX set', () => {
    const spy = spyMonth();
    const all = interleave(spy, qqqMonth());
    const rand = rng(97);
    const targets = new Set(spy.filter((b, t) => t % 97 === 5 || t === 0 || sessionOf(b.start).date !== sessionOf(spy[t - 1]?.start ?? 0).date));
    const fixed = new Map([...targets].map((b) => [b, correction(b, rand)]));
    const setup: Setup = { vix: readVix() };

    const a = newEngine(setup);
    const rowsA: Fed[] = [];
    for (const bar of all) {
      const fix = fixed.get(bar);
      const first = feed(a, [bar]);
      rowsA.push(...(fix ? feed(a, [fix]) : first));
    }
    const rowsB = feed(
      newEngine(setup),
      all.map((b) => fixed.get(b) ?? b),
    );
    expect(targets.size).toBeGreaterThan(90);
    expect(sameRows(rowsA, rowsB)).toBeNull();
  });

  it('property: random corrections (one to three in a row), at any bar, a session’s first bar, a symbol’s first bar or the last bar', () => {
    const mode = fc.constantFrom('any', 'session-first', 'symbol-first', 'last');
    fc.assert(
      fc.property(genParams(['SPY', 'QQQ', 'AAPL']), mode, fc.integer({ min: 1, max: 3 }), fc.nat(), (p, m, count, pick) => {
        const bars = generateBars(p);
        fc.pre(bars.length > 1);
        const candidates = bars
          .map((b, j) => ({ b, j }))
          .filter(({ b, j }) => {
            const earlier = bars.slice(0, j).filter((x) => x.symbol === b.symbol);
            const prev = earlier[earlier.length - 1];
            if (m === 'symbol-first') return !prev;
            if (m === 'session-first') return !prev || sessionOf(prev.start).date !== sessionOf(b.start).date;
            if (m === 'last') return j === bars.length - 1;
            return true;
          });
        fc.pre(candidates.length > 0);
        const { b, j } = candidates[pick % candidates.length]!;
        const rand = rng(p.seed ^ pick);
        const fixes = Array.from({ length: count }, () => correction(b, rand));
        expectCorrectionLeavesNoTrace(bars, j, fixes);
      }),
      { numRuns: 60, seed: 4_2011 },
    );
  });

  it('a correction identical to the bar gives the same row again', () => {
    const spy = spyMonth().slice(0, 800);
    const engine = newEngine();
    const rows = feed(engine, spy.slice(0, 391));
    const again = feed(engine, [{ ...spy[390]! }]);
    expect(sameRows(again, rows.slice(-1))).toBeNull();
  });

  it('a bar older than the last one is refused and changes nothing', () => {
    const spy = spyMonth().slice(0, 500);
    const engine = newEngine();
    feed(engine, spy.slice(0, 400));
    expect(engine.onBar({ ...spy[398]!, close: spy[398]!.close + 1 })).toBeNull();
    const after = feed(engine, spy.slice(400));
    const clean = feed(newEngine(), spy).slice(400);
    expect(sameRows(after, clean)).toBeNull();
  });
});
