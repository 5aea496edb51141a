// 1-minute bars into 5-minute, 15-minute and daily bars, session-aware: buckets are aligned to the
// New York clock, so none spans the 09:30 open or the 16:00 (or 13:00) close, and daily bars are
// built from regular-session minutes only. One streaming aggregator; the batch form replays it.
import type { Timeframe } from '../../shared/domain';
import type { NyseCalendar, SessionPart } from '../calendar/nyse';
import { nyDateKey, nyOffsetMinutes } from '../calendar/ny-time';
import type { StoredBar } from '../store/history-store';

const MINUTE = 60_000;
const BUCKET_MINUTES: Record<Exclude<Timeframe, '1m' | '1d'>, number> = { '5m': 5, '15m': 15 };

interface Bucket {
  key: number;
  end: number;
  bar: StoredBar;
}

/** The bucket a 1-minute bar belongs to: its start and end (UTC), and whether it is tradable at all. */
function bucketOf(bar: StoredBar, timeframe: Exclude<Timeframe, '1m'>, calendar: NyseCalendar): { start: number; end: number } | null {
  if (timeframe === '1d') {
    if (bar.part !== 'regular') return null;
    const s = calendar.session(nyDateKey(bar.start));
    return s ? { start: s.open, end: s.close } : null;
  }
  const size = BUCKET_MINUTES[timeframe] * MINUTE;
  // Align on New York wall-clock minutes: 09:30, 16:00 and 13:00 are multiples of 5 and 15 minutes.
  const offset = nyOffsetMinutes(bar.start) * MINUTE;
  const start = Math.floor((bar.start + offset) / size) * size - offset;
  return { start, end: start + size };
}

export class BarAggregator {
  private current: Bucket | null = null;

  constructor(
    readonly symbol: string,
    readonly timeframe: Exclude<Timeframe, '1m'>,
    private readonly calendar: NyseCalendar,
  ) {}

  /**
   * Adds a closed 1-minute bar; returns the aggregated bars that are complete after it (at most two:
   * the previous bucket, closed by this bar's arrival, and this bucket when this bar was its last minute).
   */
  push(bar: StoredBar): StoredBar[] {
    const out: StoredBar[] = [];
    const b = bucketOf(bar, this.timeframe, this.calendar);
    if (!b) return out;
    if (this.current && this.current.key !== b.start) {
      out.push(this.current.bar);
      this.current = null;
    }
    if (!this.current) {
      this.current = {
        key: b.start,
        end: b.end,
        bar: { ...bar, timeframe: this.timeframe, start: b.start },
      };
    } else {
      const agg = this.current.bar;
      agg.high = Math.max(agg.high, bar.high);
      agg.low = Math.min(agg.low, bar.low);
      agg.close = bar.close;
      agg.volume += bar.volume;
    }
    if (bar.start + MINUTE >= this.current.end) {
      out.push(this.current.bar);
      this.current = null;
    }
    return out;
  }

  /** The bucket still forming (e.g. at the end of a file), emitted as it is. */
  flush(): StoredBar[] {
    const out = this.current ? [this.current.bar] : [];
    this.current = null;
    return out;
  }
}

/** Batch aggregation of time-ordered 1-minute bars of one symbol. */
export function aggregateBars(bars: readonly StoredBar[], timeframe: Exclude<Timeframe, '1m'>, calendar: NyseCalendar): StoredBar[] {
  if (bars.length === 0) return [];
  const agg = new BarAggregator(bars[0]!.symbol, timeframe, calendar);
  const out: StoredBar[] = [];
  for (const b of bars) out.push(...agg.push(b));
  out.push(...agg.flush());
  return out;
}

export type { SessionPart };
