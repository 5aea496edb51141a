// New York wall-clock time from UTC epoch milliseconds and back, across DST, using the platform's
// IANA time-zone data (Intl). Timestamps stay UTC everywhere else; this is only for calendars and display.

export const NY_TZ = 'America/New_York';

export interface NyParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// A formatter holds no engine state; one per process is fine and saves the costly construction.
const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: NY_TZ,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
});

function nyPartsIntl(utcMs: number): NyParts {
  const out: NyParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const p of formatter.formatToParts(new Date(utcMs))) {
    switch (p.type) {
      case 'year': out.year = Number(p.value); break;
      case 'month': out.month = Number(p.value); break;
      case 'day': out.day = Number(p.value); break;
      case 'hour': out.hour = Number(p.value); break;
      case 'minute': out.minute = Number(p.value); break;
      case 'second': out.second = Number(p.value); break;
      case 'weekday': out.weekday = WEEKDAYS[p.value] ?? 0; break;
      default: break;
    }
  }
  return out;
}

const HOUR = 3_600_000;
// New York's UTC offset changes only on a whole UTC hour (02:00 local), so one Intl lookup per UTC
// hour is exact. Intl costs microseconds and importers and features convert every bar. A bounded
// cache of facts about time, not engine state.
const offsetByHour = new Map<number, number>();

/** Minutes to add to UTC to get New York wall time at that instant (-300 in winter, -240 in summer). */
export function nyOffsetMinutes(utcMs: number): number {
  const hour = Math.floor(utcMs / HOUR);
  let off = offsetByHour.get(hour);
  if (off === undefined) {
    const probe = hour * HOUR;
    const p = nyPartsIntl(probe);
    off = Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - probe) / 60_000);
    if (offsetByHour.size > 200_000) offsetByHour.clear();
    offsetByHour.set(hour, off);
  }
  return off;
}

export function nyParts(utcMs: number): NyParts {
  const local = new Date(utcMs + nyOffsetMinutes(utcMs) * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: local.getUTCDay(),
  };
}

/** The same parts straight from Intl: the reference the fast path is tested against. */
export const nyPartsReference = nyPartsIntl;

/** The UTC instant of a New York wall-clock time (for times that exist; exchange hours always do). */
export function nyWallToUtc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  let guess = naive - nyOffsetMinutes(naive) * 60_000;
  // One correction covers the DST switch days.
  guess = naive - nyOffsetMinutes(guess) * 60_000;
  return guess;
}

/** 'YYYY-MM-DD' of the New York date at that instant. */
export function nyDateKey(utcMs: number): string {
  // New York midnight is a whole UTC hour too, so the date is constant within a UTC hour.
  const hour = Math.floor(utcMs / HOUR);
  let key = dateKeyByHour.get(hour);
  if (key === undefined) {
    key = new Date(utcMs + nyOffsetMinutes(utcMs) * 60_000).toISOString().slice(0, 10);
    if (dateKeyByHour.size > 200_000) dateKeyByHour.clear();
    dateKeyByHour.set(hour, key);
  }
  return key;
}
const dateKeyByHour = new Map<number, string>();

/** Parses 'YYYY-MM-DD' into its parts. */
export function parseDateKey(key: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m) throw new RangeError(`not a date YYYY-MM-DD: ${key}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** The date key `days` calendar days after `key`. */
export function addDays(key: string, days: number): string {
  const { year, month, day } = parseDateKey(key);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return d.toISOString().slice(0, 10);
}

/** Day of week of a date key (0 = Sunday). */
export function weekdayOf(key: string): number {
  const { year, month, day } = parseDateKey(key);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

// ---------------------------------------------------------------- any IANA zone (importers)

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = zoneFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zoneFormatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    zoneFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(timeZone).formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** The UTC instant of a wall-clock time in `timeZone` ('UTC' is fast-pathed). */
export function zonedWallToUtc(timeZone: string, year: number, month: number, day: number, hour: number, minute: number, second = 0): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute, second);
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return naive;
  let guess = naive - zoneOffsetMs(timeZone, naive);
  guess = naive - zoneOffsetMs(timeZone, guess);
  return guess;
}
