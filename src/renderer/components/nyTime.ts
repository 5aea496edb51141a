// New York (exchange) time for display. The engine speaks epoch ms UTC; the trader reads ET.
// The offset comes from Intl, so daylight-saving dates follow the platform's tz database.
const NY_ZONE = 'America/New_York';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

// One formatter for the whole renderer: building an Intl formatter is costly and it holds no state.
const nyFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: NY_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export interface NyWallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The New York wall-clock reading at an instant. */
export function nyWallClock(ms: number): NyWallClock {
  const out: NyWallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of nyFormatter.formatToParts(ms)) {
    if (part.type in out) out[part.type as keyof NyWallClock] = Number(part.value);
  }
  return out;
}

/** New York's offset from UTC at an instant, in ms (-4 h in summer, -5 h in winter). */
export function nyOffsetMs(ms: number): number {
  const w = nyWallClock(ms);
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  // Offsets are whole minutes; rounding absorbs the seconds' fraction the formatter drops.
  return Math.round((wallAsUtc - ms) / MINUTE_MS) * MINUTE_MS;
}

/**
 * Returns a function that shifts an instant to New York wall-clock time expressed as if it were UTC,
 * which is how lightweight-charts is shown a time zone. The offset is cached per UTC day; on the two
 * days a year the offset changes inside the day, it is computed per call instead.
 */
export function createNyTimeShifter(): (ms: number) => number {
  const offsetByDay = new Map<number, number | null>();
  return (ms) => {
    const day = Math.floor(ms / DAY_MS);
    let offset = offsetByDay.get(day);
    if (offset === undefined) {
      const atStart = nyOffsetMs(day * DAY_MS);
      const atEnd = nyOffsetMs((day + 1) * DAY_MS - 1);
      offset = atStart === atEnd ? atStart : null;
      offsetByDay.set(day, offset);
    }
    return ms + (offset ?? nyOffsetMs(ms));
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `2024-03-15 09:31:05 ET`: the status bar's clock. */
export function formatNyClock(ms: number): string {
  const w = nyWallClock(ms);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)} ET`;
}

/** `09:31:05`: a time of day in ET, for lists where the date is implied. */
export function formatNyTime(ms: number): string {
  const w = nyWallClock(ms);
  return `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** `2024-03-15`: the New York calendar date of an instant (form defaults). */
export function nyDate(ms: number): string {
  const w = nyWallClock(ms);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}
