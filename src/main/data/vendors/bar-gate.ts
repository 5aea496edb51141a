// Keeps each symbol's bars moving forward across live messages, REST backfill and reconnects: a bar
// is passed on once, in time order; a correction is passed only for the latest bar, the one the data
// engine can still replace (it drops anything older than its last bar).
import type { Bar } from '../../../shared/domain';

export type BarKind = 'new' | 'correction';
export type GateVerdict = 'pass' | 'duplicate_bar' | 'out_of_order_bar' | 'stale_correction';

export class BarGate {
  private readonly lastStart = new Map<string, number>();

  constructor(resumeAfter: Readonly<Record<string, number>> = {}) {
    for (const [symbol, start] of Object.entries(resumeAfter)) this.lastStart.set(symbol, start);
  }

  /** The start of the latest bar passed on for `symbol`, if any. */
  last(symbol: string): number | undefined {
    return this.lastStart.get(symbol);
  }

  /** Symbols with a known latest bar: the ones a reconnect can backfill. */
  symbols(): string[] {
    return [...this.lastStart.keys()];
  }

  admit(bar: Bar, kind: BarKind): GateVerdict {
    const last = this.lastStart.get(bar.symbol);
    if (last === undefined || bar.start > last) {
      // A correction for a bar we never saw is still the newest word on that minute.
      this.lastStart.set(bar.symbol, bar.start);
      return 'pass';
    }
    if (bar.start === last) return kind === 'correction' ? 'pass' : 'duplicate_bar';
    return kind === 'correction' ? 'stale_correction' : 'out_of_order_bar';
  }
}
