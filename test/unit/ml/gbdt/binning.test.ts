import { describe, expect, it } from 'vitest';
import { binFeatures, binOf } from '../../../../src/main/ml/gbdt/binning';
import { SeededRandom } from '../../../../src/main/engine/random';

function column(values: number[]): Float32Array {
  return Float32Array.from(values);
}

describe('quantile binning', () => {
  it('when a feature has few distinct values then each value gets its own bin', () => {
    const x = column([3, 1, 2, 2, 1, 3, 3]);
    const { mapper, columns } = binFeatures(x, 7, 1, 256);
    expect(Array.from(mapper.cuts[0]!)).toEqual([2, 3]);
    expect(mapper.numBins[0]).toBe(3);
    expect(mapper.missingBin[0]).toBe(-1);
    expect(Array.from(columns)).toEqual([2, 0, 1, 1, 0, 2, 2]);
  });

  it('when values are continuous then bins hold about equal counts and stay within maxBin', () => {
    const rng = new SeededRandom(3);
    const n = 20_000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = rng.normal();
    const { mapper, columns } = binFeatures(x, n, 1, 16);
    expect(mapper.numBins[0]).toBe(16);
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < n; i++) counts[columns[i]!]!++;
    for (const c of counts) expect(Math.abs(c - n / 16)).toBeLessThan(n / 16 / 10);
  });

  it('when a feature has NaN then NaN gets the bin after the value bins and the total stays within maxBin', () => {
    const rng = new SeededRandom(4);
    const n = 5_000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = i % 10 === 0 ? Number.NaN : rng.next();
    const { mapper, columns } = binFeatures(x, n, 1, 8);
    expect(mapper.numBins[0]).toBe(7);
    expect(mapper.missingBin[0]).toBe(7);
    for (let i = 0; i < n; i += 10) expect(columns[i]).toBe(7);
  });

  it('when values tie heavily then a tie is never split across bins', () => {
    const values: number[] = [];
    for (let i = 0; i < 1000; i++) values.push(0);
    for (let i = 0; i < 100; i++) values.push(i + 1);
    const { mapper, columns } = binFeatures(column(values), values.length, 1, 4);
    const zeroBins = new Set(values.map((v, i) => (v === 0 ? columns[i] : -1)).filter((b) => b !== -1));
    expect(zeroBins.size).toBe(1);
    expect(mapper.numBins[0]).toBeLessThanOrEqual(4);
  });

  it('bins are the number of float32 cuts at or below the value, negative numbers and -0 included', () => {
    const rng = new SeededRandom(5);
    const n = 3_000;
    const x = new Float32Array(n * 2);
    for (let i = 0; i < n * 2; i++) x[i] = (rng.next() - 0.5) * 1e6;
    x[0] = -0;
    x[2] = 0;
    const { mapper, columns } = binFeatures(x, n, 2, 64);
    for (let f = 0; f < 2; f++) {
      const cuts = mapper.cuts[f]!;
      for (let j = 1; j < cuts.length; j++) expect(cuts[j]!).toBeGreaterThan(cuts[j - 1]!);
      for (let i = 0; i < n; i++) {
        const v = x[i * 2 + f]!;
        let expected = 0;
        for (const c of cuts) if (c <= v) expected++;
        expect(columns[f * n + i]).toBe(expected);
        expect(binOf(mapper, f, v)).toBe(expected);
      }
    }
  });
});
