// Bookkeeping for one chart series, kept apart from lightweight-charts so it can be tested: which
// bars the series holds, and whether a streamed bar appends, replaces the forming bar or is stale.
// lightweight-charts throws on out-of-order times, so every bar passes through here first.
import type { Bar, Timeframe } from '../../../shared/domain';

export type BarAction = 'append' | 'replace' | 'ignore';

export interface SeriesBook {
  /** Bars in the series now. */
  readonly count: number;
  /** Timeframe of the bars in the series; null while empty. */
  readonly timeframe: Timeframe | null;
  /** Orders a snapshot by chart time, keeping the last bar of any time seen twice; becomes the series. */
  load(bars: readonly Bar[]): Bar[];
  /** Decides what a streamed bar does to the series and records it. */
  accept(bar: Bar): BarAction;
  clear(): void;
}

/** `chartTime` maps a bar to the time the chart shows it at (seconds); it need not be injective. */
export function createSeriesBook(chartTime: (bar: Bar) => number): SeriesBook {
  let count = 0;
  let lastTime = -Infinity;
  let timeframe: Timeframe | null = null;

  return {
    get count() {
      return count;
    },
    get timeframe() {
      return timeframe;
    },
    load(bars) {
      const keyed = bars.map((bar, i) => ({ bar, time: chartTime(bar), i }));
      keyed.sort((a, b) => a.time - b.time || a.i - b.i);
      const out: Bar[] = [];
      let prev = -Infinity;
      for (const { bar, time } of keyed) {
        // Two bars at one chart time (a repeated hour when daylight saving ends): the later one wins.
        if (time === prev) out[out.length - 1] = bar;
        else out.push(bar);
        prev = time;
      }
      count = out.length;
      lastTime = prev;
      timeframe = out[out.length - 1]?.timeframe ?? null;
      return out;
    },
    accept(bar) {
      // The chart shows one timeframe; bars of another are for someone else.
      if (timeframe !== null && bar.timeframe !== timeframe) return 'ignore';
      const time = chartTime(bar);
      if (time < lastTime) return 'ignore';
      timeframe = bar.timeframe;
      if (time === lastTime) return 'replace';
      lastTime = time;
      count += 1;
      return 'append';
    },
    clear() {
      count = 0;
      lastTime = -Infinity;
      timeframe = null;
    },
  };
}
