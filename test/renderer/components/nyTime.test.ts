// New York time for display: offsets across daylight saving and the status bar's clock text.
import { describe, expect, it } from 'vitest';
import { createNyTimeShifter, formatNyClock, formatNyTime, nyDate, nyOffsetMs } from '../../../src/renderer/components/nyTime';

const HOUR = 3_600_000;

describe('New York time', () => {
  it('when it is winter then New York is UTC-5, and in summer UTC-4', () => {
    expect(nyOffsetMs(Date.UTC(2024, 0, 15, 15))).toBe(-5 * HOUR);
    expect(nyOffsetMs(Date.UTC(2024, 6, 15, 15))).toBe(-4 * HOUR);
  });

  it('when the market opens on a summer day then the chart time reads 09:30 as if UTC', () => {
    const shift = createNyTimeShifter();
    const open = Date.UTC(2024, 6, 15, 13, 30);
    expect(new Date(shift(open)).toISOString()).toBe('2024-07-15T09:30:00.000Z');
  });

  it('when daylight saving starts inside a UTC day then instants either side of 2 AM shift differently', () => {
    const shift = createNyTimeShifter();
    // 2024-03-10: 01:59 EST is 06:59 UTC; 03:00 EDT is 07:00 UTC.
    expect(new Date(shift(Date.UTC(2024, 2, 10, 6, 59))).toISOString()).toBe('2024-03-10T01:59:00.000Z');
    expect(new Date(shift(Date.UTC(2024, 2, 10, 7, 0))).toISOString()).toBe('2024-03-10T03:00:00.000Z');
    expect(new Date(shift(Date.UTC(2024, 2, 10, 14, 30))).toISOString()).toBe('2024-03-10T10:30:00.000Z');
  });

  it('when the engine clock ticks then the status bar shows the ET date and time', () => {
    const t = Date.UTC(2024, 2, 15, 13, 31, 5);
    expect(formatNyClock(t)).toBe('2024-03-15 09:31:05 ET');
    expect(formatNyTime(t)).toBe('09:31:05');
    expect(nyDate(Date.UTC(2024, 2, 16, 3))).toBe('2024-03-15');
  });

  it('when it is midnight in New York then the hour reads 00, not 24', () => {
    expect(formatNyTime(Date.UTC(2024, 0, 16, 5, 0, 0))).toBe('00:00:00');
  });
});
