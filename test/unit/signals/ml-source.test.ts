import { describe, expect, it } from 'vitest';
import { FEATURE_INDEX } from '../../../src/main/features/spec';
import { MlSignalSource } from '../../../src/main/signals/ml-source';
import { at, bar, row } from './rows';

const scores = (probUp: number[], start = at(0), symbols = ['AAA', 'BBB', 'CCC', 'DDD'].slice(0, probUp.length)) => ({ start, symbols, probUp: Float32Array.from(probUp), modelId: 'gbdt-7' });

function primed(src: MlSignalSource, symbols: string[], start = at(0)): void {
  for (const s of symbols) expect(src.onRow(row(s, start, { atr_pct: 0.01 }), bar(s, start, 50))).toBeNull();
}

describe('ML source thresholds', () => {
  it('when P(up) ≥ 0.6 then long, ≤ 0.4 then short, in between nothing', () => {
    const src = new MlSignalSource();
    primed(src, ['AAA', 'BBB', 'CCC', 'DDD']);
    const out = src.onScores(scores([0.7, 0.3, 0.5, 0.6]));
    expect(out.map((p) => [p.symbol, p.side])).toEqual([['AAA', 'long'], ['BBB', 'short'], ['DDD', 'long']]);
    const long = out[0]!;
    expect(long.confidence).toBeCloseTo(0.7, 6);
    expect(out[1]!.confidence).toBeCloseTo(0.7, 6);
    expect(long).toMatchObject({ source: 'ml', entryPrice: 50, modelVersion: 'gbdt-7', start: at(0) });
    expect(long.stopPrice).toBeCloseTo(50 - 1.5 * 0.5, 10);
    expect(long.targetPrice).toBeCloseTo(50 + 3 * 0.5, 10);
    expect(out[1]!.stopPrice).toBeGreaterThan(50);
    expect(long.reasons[0]).toBe('ML gbdt-7: P(up) 0.70 ≥ 0.60');
  });

  it('when a custom threshold is set then it decides; a threshold outside (0.5, 1) is refused', () => {
    const src = new MlSignalSource({ threshold: 0.75 });
    primed(src, ['AAA', 'BBB']);
    expect(src.onScores(scores([0.7, 0.2])).map((p) => p.side)).toEqual(['short']);
    expect(() => new MlSignalSource({ threshold: 0.5 })).toThrow(/threshold/);
  });

  it('when the symbol has no row of that minute then it cannot be priced and is skipped', () => {
    const src = new MlSignalSource();
    primed(src, ['AAA'], at(-1));
    expect(src.onScores(scores([0.9]))).toEqual([]);
    expect(new MlSignalSource().onScores(scores([0.9]))).toEqual([]);
  });

  it('appends the reasons of the explain function (e.g. top features)', () => {
    const src = new MlSignalSource({}, ({ row: r, probUp }) => [`top: atr_pct ${r.values[FEATURE_INDEX['atr_pct']!]!.toFixed(2)} (p ${probUp.toFixed(1)})`]);
    primed(src, ['AAA']);
    expect(src.onScores(scores([0.8]))[0]!.reasons.at(-1)).toBe('top: atr_pct 0.01 (p 0.8)');
  });
});
