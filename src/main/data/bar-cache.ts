// The engine's in-memory view of the market: recent 1-minute bars per symbol and the watchlist
// quote built from them. The data engine updates it before anyone hears about a bar.
import type { Bar, Quote } from '../../shared/domain';
import { nyDateKey } from '../calendar/ny-time';

interface SymbolCache {
  bars: Bar[];
  quote: Quote | null;
  sessionKey: string;
}

export class BarCache {
  private readonly symbols = new Map<string, SymbolCache>();

  constructor(private readonly maxBarsPerSymbol = 10_000) {}

  /** Adds a bar, or replaces the last one when it has the same start (a corrected forming bar). */
  add(bar: Bar): Quote {
    let entry = this.symbols.get(bar.symbol);
    if (!entry) {
      entry = { bars: [], quote: null, sessionKey: '' };
      this.symbols.set(bar.symbol, entry);
    }
    const last = entry.bars[entry.bars.length - 1];
    if (last && last.start === bar.start) entry.bars[entry.bars.length - 1] = bar;
    else entry.bars.push(bar);
    if (entry.bars.length > this.maxBarsPerSymbol * 1.25) entry.bars.splice(0, entry.bars.length - this.maxBarsPerSymbol);

    const sessionKey = nyDateKey(bar.start);
    const prev = entry.quote;
    let prevClose: number | null;
    let sessionOpen: number;
    let sessionVolume: number;
    if (!prev || sessionKey !== entry.sessionKey) {
      prevClose = prev ? prev.last : null;
      sessionOpen = bar.open;
      sessionVolume = bar.volume;
      entry.sessionKey = sessionKey;
    } else {
      prevClose = prev.prevClose;
      sessionOpen = prev.sessionOpen;
      sessionVolume = prev.sessionVolume + (last && last.start === bar.start ? bar.volume - last.volume : bar.volume);
    }
    const reference = prevClose ?? sessionOpen;
    const change = bar.close - reference;
    const quote: Quote = {
      symbol: bar.symbol,
      last: bar.close,
      prevClose,
      sessionOpen,
      change: Math.round(change * 100) / 100,
      changePct: reference > 0 ? (change / reference) * 100 : 0,
      sessionVolume,
      time: bar.start + 60_000,
    };
    entry.quote = quote;
    return quote;
  }

  lastBar(symbol: string): Bar | undefined {
    const bars = this.symbols.get(symbol)?.bars;
    return bars ? bars[bars.length - 1] : undefined;
  }

  /** The latest `limit` bars, oldest first (a copy). */
  bars(symbol: string, limit: number): Bar[] {
    const bars = this.symbols.get(symbol)?.bars ?? [];
    return bars.slice(Math.max(0, bars.length - limit));
  }

  quote(symbol: string): Quote | null {
    return this.symbols.get(symbol)?.quote ?? null;
  }
}
