// Order prices on the tick grid (whole cents from $1, hundredths of a cent below).
import { describe, expect, it } from 'vitest';
import { tickSize, toTick } from '../../../src/main/execution/ticks';

describe('order prices on the tick grid', () => {
  it('when a level is computed to many decimals then the order carries the nearest cent, or the cent on the side asked', () => {
    expect(toTick(229.817732810429)).toBe(229.82);
    expect(toTick(98.004)).toBe(98);
    expect(toTick(100.123, 'down')).toBe(100.12);
    expect(toTick(100.121, 'up')).toBe(100.13);
  });

  it('when a price is already on the grid (up to float noise) then it stays, whatever the side', () => {
    expect(toTick(0.1 + 0.2 + 100, 'up')).toBe(100.3);
    expect(toTick(100.3, 'down')).toBe(100.3);
    expect(toTick(135.86, 'up')).toBe(135.86);
  });

  it('when a price is under a dollar then the tick is a hundredth of a cent', () => {
    expect(tickSize(0.5)).toBe(0.0001);
    expect(tickSize(1)).toBe(0.01);
    expect(toTick(0.123456)).toBe(0.1235);
    expect(toTick(0.123456, 'down')).toBe(0.1234);
  });

  it('when a price is not positive and finite then it is refused', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => toTick(bad)).toThrow(RangeError);
  });
});
