// The NYSE trading calendar: regular sessions (09:30–16:00 New York), early closes (13:00), holidays
// from rules, and a table of one-off closures (national days of mourning, storms) that can be
// extended at run time. Pre-market 04:00–09:30 and post-market until 20:00 on trading days.
import { addDays, nyWallToUtc, nyDateKey, nyParts, parseDateKey, weekdayOf } from './ny-time';

export type SessionPart = 'pre' | 'regular' | 'post' | 'closed';

export interface TradingSession {
  date: string;
  /** UTC instants. */
  preOpen: number;
  open: number;
  close: number;
  postClose: number;
  earlyClose: boolean;
}

export interface CalendarOverride {
  date: string;
  kind: 'closed' | 'early-close';
  reason: string;
}

/** One-off events the rules cannot know. */
export const BUILT_IN_OVERRIDES: readonly CalendarOverride[] = [
  { date: '2001-09-11', kind: 'closed', reason: 'September 11 attacks' },
  { date: '2001-09-12', kind: 'closed', reason: 'September 11 attacks' },
  { date: '2001-09-13', kind: 'closed', reason: 'September 11 attacks' },
  { date: '2001-09-14', kind: 'closed', reason: 'September 11 attacks' },
  { date: '2004-06-11', kind: 'closed', reason: 'National Day of Mourning, President Reagan' },
  { date: '2007-01-02', kind: 'closed', reason: 'National Day of Mourning, President Ford' },
  { date: '2012-10-29', kind: 'closed', reason: 'Hurricane Sandy' },
  { date: '2012-10-30', kind: 'closed', reason: 'Hurricane Sandy' },
  { date: '2018-12-05', kind: 'closed', reason: 'National Day of Mourning, President George H. W. Bush' },
  { date: '2025-01-09', kind: 'closed', reason: 'National Day of Mourning, President Carter' },
];

const key = (y: number, m: number, d: number): string => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The n-th given weekday of a month (n = -1 for the last). */
function nthWeekday(year: number, month: number, weekday: number, n: number): string {
  if (n > 0) {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    const day = 1 + ((weekday - first + 7) % 7) + (n - 1) * 7;
    return key(year, month, day);
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = new Date(Date.UTC(year, month - 1, lastDay)).getUTCDay();
  return key(year, month, lastDay - ((last - weekday + 7) % 7));
}

/** Western Easter Sunday (anonymous Gregorian algorithm). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return key(year, month, day);
}

/** A fixed-date holiday moved to Friday when on Saturday, Monday when on Sunday. */
function observed(date: string): string {
  const wd = weekdayOf(date);
  if (wd === 6) return addDays(date, -1);
  if (wd === 0) return addDays(date, 1);
  return date;
}

/** The rule-based NYSE holidays of a year, with their names. */
export function holidaysOf(year: number): Map<string, string> {
  const out = new Map<string, string>();
  // New Year's Day on a Saturday is not observed on the Friday before (NYSE rule 7.2).
  const newYear = key(year, 1, 1);
  if (weekdayOf(newYear) !== 6) out.set(observed(newYear), "New Year's Day");
  if (year >= 1998) out.set(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day');
  out.set(nthWeekday(year, 2, 1, 3), "Washington's Birthday");
  out.set(addDays(easterSunday(year), -2), 'Good Friday');
  out.set(nthWeekday(year, 5, 1, -1), 'Memorial Day');
  if (year >= 2022) out.set(observed(key(year, 6, 19)), 'Juneteenth');
  out.set(observed(key(year, 7, 4)), 'Independence Day');
  out.set(nthWeekday(year, 9, 1, 1), 'Labor Day');
  out.set(nthWeekday(year, 11, 4, 4), 'Thanksgiving Day');
  out.set(observed(key(year, 12, 25)), 'Christmas Day');
  return out;
}

/** Rule-based 13:00 closes: July 3 before a weekday Independence Day, the day after Thanksgiving, Christmas Eve. */
function earlyCloseReason(date: string): string | null {
  const { year, month, day } = parseDateKey(date);
  const wd = weekdayOf(date);
  if (wd === 0 || wd === 6) return null;
  if (month === 7 && day === 3 && wd >= 1 && wd <= 4) return 'Independence Day eve';
  if (date === addDays(nthWeekday(year, 11, 4, 4), 1)) return 'day after Thanksgiving';
  if (month === 12 && day === 24 && wd >= 1 && wd <= 4) return 'Christmas Eve';
  return null;
}

export class NyseCalendar {
  private readonly overrides = new Map<string, CalendarOverride>();
  private readonly holidayCache = new Map<number, Map<string, string>>();
  private readonly sessionCache = new Map<string, TradingSession | null>();

  constructor(overrides: readonly CalendarOverride[] = BUILT_IN_OVERRIDES) {
    for (const o of overrides) this.overrides.set(o.date, o);
  }

  /** Adds or replaces a one-off closure or early close (from the store's override table). */
  addOverride(override: CalendarOverride): void {
    parseDateKey(override.date);
    this.overrides.set(override.date, override);
    this.sessionCache.delete(override.date);
  }

  /** Why the market is closed on a weekday, or null when it is open. */
  closureReason(date: string): string | null {
    const o = this.overrides.get(date);
    if (o?.kind === 'closed') return o.reason;
    const wd = weekdayOf(date);
    if (wd === 0 || wd === 6) return 'weekend';
    const year = parseDateKey(date).year;
    let hol = this.holidayCache.get(year);
    if (!hol) {
      hol = holidaysOf(year);
      this.holidayCache.set(year, hol);
    }
    return hol.get(date) ?? null;
  }

  isTradingDay(date: string): boolean {
    return this.closureReason(date) === null;
  }

  /** The session on a New York date, or null when the market is closed that day. */
  session(date: string): TradingSession | null {
    // One lookup (closed days are cached as null, never as undefined): this runs for every bar.
    const cached = this.sessionCache.get(date);
    if (cached !== undefined) return cached;
    let result: TradingSession | null = null;
    if (this.isTradingDay(date)) {
      const { year, month, day } = parseDateKey(date);
      const early = this.overrides.get(date)?.kind === 'early-close' || earlyCloseReason(date) !== null;
      result = {
        date,
        preOpen: nyWallToUtc(year, month, day, 4, 0),
        open: nyWallToUtc(year, month, day, 9, 30),
        close: nyWallToUtc(year, month, day, early ? 13 : 16, 0),
        postClose: nyWallToUtc(year, month, day, early ? 17 : 20, 0),
        earlyClose: early,
      };
    }
    this.sessionCache.set(date, result);
    return result;
  }

  /** Which part of the day a bar starting at `startUtc` belongs to. */
  partOf(startUtc: number): SessionPart {
    const s = this.session(nyDateKey(startUtc));
    if (!s) return 'closed';
    if (startUtc >= s.open && startUtc < s.close) return 'regular';
    if (startUtc >= s.preOpen && startUtc < s.open) return 'pre';
    if (startUtc >= s.close && startUtc < s.postClose) return 'post';
    return 'closed';
  }

  /** The first trading session on or after `date`. */
  sessionOnOrAfter(date: string): TradingSession {
    let d = date;
    for (let i = 0; i < 30; i++) {
      const s = this.session(d);
      if (s) return s;
      d = addDays(d, 1);
    }
    throw new Error(`no trading session within 30 days of ${date}`);
  }

  /** The last trading session strictly before `date`. */
  sessionBefore(date: string): TradingSession {
    let d = addDays(date, -1);
    for (let i = 0; i < 30; i++) {
      const s = this.session(d);
      if (s) return s;
      d = addDays(d, -1);
    }
    throw new Error(`no trading session within 30 days before ${date}`);
  }

  /** The next regular open strictly after `utc`. */
  nextOpen(utc: number): number {
    const today = this.session(nyDateKey(utc));
    if (today && utc < today.open) return today.open;
    return this.sessionOnOrAfter(addDays(nyDateKey(utc), 1)).open;
  }

  /** The next regular close at or after `utc` (the current session's close while it is open). */
  nextClose(utc: number): number {
    const today = this.session(nyDateKey(utc));
    if (today && utc < today.close) return today.close;
    return this.sessionOnOrAfter(addDays(nyDateKey(utc), 1)).close;
  }

  /** Trading days between two dates inclusive. */
  tradingDays(from: string, to: string): string[] {
    const out: string[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) if (this.isTradingDay(d)) out.push(d);
    return out;
  }
}

/** New York date and minute of day, for display and tests. */
export function nyClock(utc: number): string {
  const p = nyParts(utc);
  return `${key(p.year, p.month, p.day)} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}
