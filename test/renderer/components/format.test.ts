// Watchlist number formatting and the colour direction of a change.
import { describe, expect, it } from 'vitest';
import {
  directionOf,
  formatChange,
  formatChangePct,
  formatPrice,
  formatVolume,
} from '../../../src/renderer/components/format';

describe('watchlist formatting', () => {
  it('when a price is shown then it has two decimals and no currency sign, so it parses back', () => {
    expect(formatPrice(187.3)).toBe('187.30');
    expect(Number(formatPrice(187.3))).toBe(187.3);
  });

  it('when a change is a gain, a loss or rounds to zero then it is signed +, - or not at all', () => {
    expect(formatChange(1.234)).toBe('+1.23');
    expect(formatChange(-0.5)).toBe('-0.50');
    expect(formatChange(-0.001)).toBe('0.00');
    expect(formatChangePct(0.456)).toBe('+0.46%');
    expect(formatChangePct(-2)).toBe('-2.00%');
  });

  it('when a change rounds to zero then it is coloured flat, not red', () => {
    expect(directionOf(0.01)).toBe('up');
    expect(directionOf(-0.01)).toBe('down');
    expect(directionOf(-0.004)).toBe('flat');
  });

  it('when the session volume is large then it is shown compactly', () => {
    expect(formatVolume(950)).toBe('950');
    expect(formatVolume(1_234_567)).toBe('1.23M');
  });
});
