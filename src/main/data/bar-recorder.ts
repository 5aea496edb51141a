// Keeps live vendor bars in the SQLite history: buffered, then written in one transaction a few
// times a minute (with the derived bars of the touched sessions), so the history grows during the
// session and a reconnect's backfill knows where the store ends.
import type { Bar } from '../../shared/domain';
import type { NyseCalendar } from '../calendar/nyse';
import { rebuildDerived } from './import/importer';
import type { Logger } from '../logging/logger';
import type { HistoryStore, StoredBar } from '../store/history-store';

export class BarRecorder {
  private buffer: StoredBar[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly store: HistoryStore,
    private readonly calendar: NyseCalendar,
    private readonly log: Logger,
    private readonly flushEveryMs = 15_000,
  ) {}

  record(bar: Bar): void {
    const part = this.calendar.partOf(bar.start);
    if (part === 'closed') return;
    this.buffer.push({ ...bar, part });
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.flushEveryMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }

  /** Writes what is buffered; a failure keeps the bars for the next try and is logged. */
  flush(): number {
    if (this.buffer.length === 0) return 0;
    const bars = this.buffer;
    this.buffer = [];
    try {
      // A corrected bar replaces nothing stored (first write wins); corrections arrive within the minute,
      // before the flush, and the buffer keeps only the last version of each bar.
      const latest = new Map<string, StoredBar>();
      for (const b of bars) latest.set(`${b.symbol}@${b.start}`, b);
      const bySymbol = new Map<string, StoredBar[]>();
      for (const b of latest.values()) bySymbol.set(b.symbol, [...(bySymbol.get(b.symbol) ?? []), b]);
      let inserted = 0;
      this.store.db.transaction(() => {
        for (const [symbol, list] of bySymbol) {
          list.sort((a, b) => a.start - b.start);
          inserted += this.store.insertBars('1m', list).inserted;
          rebuildDerived(this.store, this.calendar, symbol, list[0]!.start, list[list.length - 1]!.start);
        }
      })();
      return inserted;
    } catch (error) {
      this.buffer = bars.concat(this.buffer);
      this.log.error('recording bars to the history failed; will retry', { error });
      return 0;
    }
  }
}
