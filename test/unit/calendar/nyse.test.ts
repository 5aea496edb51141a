import { describe, expect, it } from 'vitest';
import { easterSunday, NyseCalendar, nyClock } from '../../../src/main/calendar/nyse';
import { nyWallToUtc } from '../../../src/main/calendar/ny-time';

const cal = new NyseCalendar();

describe('NYSE calendar', () => {
  it('2015-12-24 closes early at 13:00 New York', () => {
    const s = cal.session('2015-12-24')!;
    expect(s.earlyClose).toBe(true);
    expect(nyClock(s.close)).toBe('2015-12-24 13:00');
    expect(cal.session('2015-12-25')).toBeNull();
  });

  it('2025-01-09 is closed (National Day of Mourning, an override)', () => {
    expect(cal.session('2025-01-09')).toBeNull();
    expect(cal.closureReason('2025-01-09')).toMatch(/Carter/);
    expect(cal.isTradingDay('2025-01-08')).toBe(true);
    expect(cal.isTradingDay('2025-01-10')).toBe(true);
  });

  it('Juneteenth is a holiday from 2022 on, observed on the nearest weekday', () => {
    expect(cal.isTradingDay('2021-06-18')).toBe(true);
    expect(cal.closureReason('2022-06-20')).toBe('Juneteenth'); // June 19 2022 was a Sunday
    expect(cal.closureReason('2023-06-19')).toBe('Juneteenth');
    expect(cal.closureReason('2026-06-19')).toBe('Juneteenth');
  });

  it('Good Friday is closed', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2011)).toBe('2011-04-24');
    expect(cal.closureReason('2024-03-29')).toBe('Good Friday');
    expect(cal.closureReason('2011-04-22')).toBe('Good Friday');
  });

  it('2011-01-17 (Martin Luther King Jr. Day) is closed', () => {
    expect(cal.closureReason('2011-01-17')).toBe('Martin Luther King Jr. Day');
  });

  it('keeps 09:30 New York across the DST switch weeks', () => {
    // 2024: DST began Sunday March 10 and ended Sunday November 3.
    expect(cal.session('2024-03-08')!.open).toBe(Date.UTC(2024, 2, 8, 14, 30));
    expect(cal.session('2024-03-11')!.open).toBe(Date.UTC(2024, 2, 11, 13, 30));
    expect(cal.session('2024-11-01')!.open).toBe(Date.UTC(2024, 10, 1, 13, 30));
    expect(cal.session('2024-11-04')!.open).toBe(Date.UTC(2024, 10, 4, 14, 30));
    expect(cal.session('2024-03-11')!.close - cal.session('2024-03-11')!.open).toBe(390 * 60_000);
  });

  it('other early closes: July 3 before a weekday Fourth, the day after Thanksgiving', () => {
    expect(cal.session('2024-07-03')!.earlyClose).toBe(true);
    expect(cal.session('2024-11-29')!.earlyClose).toBe(true);
    expect(cal.session('2020-07-02')!.earlyClose).toBe(false); // July 4 2020 was a Saturday
    expect(cal.session('2020-07-03')).toBeNull(); // observed Independence Day
    expect(cal.session('2021-12-24')).toBeNull(); // observed Christmas
  });

  it("New Year's Day on a Saturday is not observed on the Friday before", () => {
    expect(cal.isTradingDay('2021-12-31')).toBe(true);
    expect(cal.isTradingDay('2022-01-03')).toBe(true);
    expect(cal.closureReason('2023-01-02')).toBe("New Year's Day"); // Jan 1 2023 was a Sunday
  });

  it('tags bars pre / regular / post / closed by their start time', () => {
    expect(cal.partOf(nyWallToUtc(2011, 1, 3, 9, 29))).toBe('pre');
    expect(cal.partOf(nyWallToUtc(2011, 1, 3, 9, 30))).toBe('regular');
    expect(cal.partOf(nyWallToUtc(2011, 1, 3, 15, 59))).toBe('regular');
    expect(cal.partOf(nyWallToUtc(2011, 1, 3, 16, 0))).toBe('post');
    expect(cal.partOf(nyWallToUtc(2011, 1, 3, 20, 0))).toBe('closed');
    expect(cal.partOf(nyWallToUtc(2011, 1, 17, 10, 0))).toBe('closed');
    expect(cal.partOf(nyWallToUtc(2015, 12, 24, 13, 0))).toBe('post');
  });

  it('gives the next open and close across weekends and holidays', () => {
    const fridayAfterClose = nyWallToUtc(2011, 1, 14, 17, 0);
    expect(nyClock(cal.nextOpen(fridayAfterClose))).toBe('2011-01-18 09:30'); // skips MLK Monday
    expect(nyClock(cal.nextClose(nyWallToUtc(2015, 12, 24, 10, 0)))).toBe('2015-12-24 13:00');
    expect(nyClock(cal.nextOpen(nyWallToUtc(2025, 1, 8, 12, 0)))).toBe('2025-01-10 09:30');
  });

  it('an override added at run time closes a day', () => {
    const c = new NyseCalendar();
    expect(c.isTradingDay('2030-03-05')).toBe(true);
    c.addOverride({ date: '2030-03-05', kind: 'closed', reason: 'test closure' });
    expect(c.session('2030-03-05')).toBeNull();
  });

  it('January 2011 has 20 trading days (the SPY file)', () => {
    expect(cal.tradingDays('2011-01-01', '2011-01-31')).toHaveLength(20);
  });
});

describe('New York time fast path', () => {
  it('agrees with Intl minute by minute across both 2024 DST switches and a normal day', async () => {
    const { nyParts, nyPartsReference } = await import('../../../src/main/calendar/ny-time');
    const ranges = [Date.UTC(2024, 2, 10, 0), Date.UTC(2024, 10, 3, 0), Date.UTC(2011, 0, 3, 0)];
    for (const from of ranges) {
      for (let t = from; t < from + 24 * 3_600_000; t += 60_000) {
        expect(nyParts(t)).toEqual(nyPartsReference(t));
      }
    }
  });
});
