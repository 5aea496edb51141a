// Bars in the SQLite history: 1-minute bars as imported or streamed, and the 5-minute, 15-minute and
// daily bars derived from them. Every write is one transaction: a crash loses nothing committed and
// leaves no half-written batch.
import type { Bar, Timeframe } from '../../shared/domain';
import type { SessionPart } from '../calendar/nyse';
import type { Db } from './database';

export const PART_CODE: Record<Exclude<SessionPart, 'closed'>, number> = { pre: 0, regular: 1, post: 2 };
export const PART_NAME = ['pre', 'regular', 'post'] as const;

export interface StoredBar extends Bar {
  part: Exclude<SessionPart, 'closed'>;
}

/** Columns of one symbol's bars, oldest first: what the features and replay read. */
export interface BarColumns {
  symbol: string;
  timeframe: Timeframe;
  length: number;
  start: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  part: Uint8Array;
}

const TABLE: Record<Timeframe, string> = { '1m': 'bars_1m', '5m': 'bars_5m', '15m': 'bars_15m', '1d': 'bars_1d' };

export class HistoryStore {
  constructor(readonly db: Db) {}

  /**
   * Inserts bars; a bar already stored (same symbol and start) is left as it is, so re-importing a
   * file changes nothing. Returns how many rows were new.
   */
  insertBars(timeframe: Timeframe, bars: readonly StoredBar[]): { inserted: number; unchanged: number } {
    const stmt = this.db.prepare(
      `INSERT INTO ${TABLE[timeframe]} (symbol, start, open, high, low, close, volume, part)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (symbol, start) DO NOTHING`,
    );
    let inserted = 0;
    this.db.transaction(() => {
      for (const b of bars) inserted += stmt.run(b.symbol, b.start, b.open, b.high, b.low, b.close, b.volume, PART_CODE[b.part]).changes;
    })();
    return { inserted, unchanged: bars.length - inserted };
  }

  /** Replaces derived bars for a symbol within [from, to): derived data is recomputed, never merged. */
  replaceBars(timeframe: Timeframe, symbol: string, from: number, to: number, bars: readonly StoredBar[]): void {
    const del = this.db.prepare(`DELETE FROM ${TABLE[timeframe]} WHERE symbol = ? AND start >= ? AND start < ?`);
    const ins = this.db.prepare(
      `INSERT INTO ${TABLE[timeframe]} (symbol, start, open, high, low, close, volume, part) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      del.run(symbol, from, to);
      for (const b of bars) ins.run(b.symbol, b.start, b.open, b.high, b.low, b.close, b.volume, PART_CODE[b.part]);
    })();
  }

  /** One symbol's bars in [from, to) as columns. */
  loadColumns(symbol: string, timeframe: Timeframe, from = 0, to = Number.MAX_SAFE_INTEGER): BarColumns {
    const count = (
      this.db.prepare(`SELECT count(*) AS n FROM ${TABLE[timeframe]} WHERE symbol = ? AND start >= ? AND start < ?`).get(symbol, from, to) as { n: number }
    ).n;
    const cols: BarColumns = {
      symbol,
      timeframe,
      length: count,
      start: new Float64Array(count),
      open: new Float64Array(count),
      high: new Float64Array(count),
      low: new Float64Array(count),
      close: new Float64Array(count),
      volume: new Float64Array(count),
      part: new Uint8Array(count),
    };
    const stmt = this.db
      .prepare(`SELECT start, open, high, low, close, volume, part FROM ${TABLE[timeframe]} WHERE symbol = ? AND start >= ? AND start < ? ORDER BY start`)
      .raw(true);
    let i = 0;
    for (const row of stmt.iterate(symbol, from, to) as Iterable<[number, number, number, number, number, number, number]>) {
      if (i >= count) break;
      cols.start[i] = row[0];
      cols.open[i] = row[1];
      cols.high[i] = row[2];
      cols.low[i] = row[3];
      cols.close[i] = row[4];
      cols.volume[i] = row[5];
      cols.part[i] = row[6];
      i++;
    }
    return cols;
  }

  loadBars(symbol: string, timeframe: Timeframe, from = 0, to = Number.MAX_SAFE_INTEGER): StoredBar[] {
    const c = this.loadColumns(symbol, timeframe, from, to);
    const out: StoredBar[] = new Array(c.length);
    for (let i = 0; i < c.length; i++) {
      out[i] = {
        symbol,
        timeframe,
        start: c.start[i]!,
        open: c.open[i]!,
        high: c.high[i]!,
        low: c.low[i]!,
        close: c.close[i]!,
        volume: c.volume[i]!,
        part: PART_NAME[c.part[i]!]!,
      };
    }
    return out;
  }

  countBars(timeframe: Timeframe, symbol?: string): number {
    const sql = `SELECT count(*) AS n FROM ${TABLE[timeframe]}${symbol ? ' WHERE symbol = ?' : ''}`;
    const stmt = this.db.prepare(sql);
    return (symbol ? (stmt.get(symbol) as { n: number }) : (stmt.get() as { n: number })).n;
  }

  symbols(timeframe: Timeframe = '1m'): string[] {
    return (this.db.prepare(`SELECT DISTINCT symbol FROM ${TABLE[timeframe]} ORDER BY symbol`).all() as Array<{ symbol: string }>).map((r) => r.symbol);
  }

  range(symbol: string, timeframe: Timeframe = '1m'): { first: number; last: number } | null {
    const row = this.db.prepare(`SELECT min(start) AS first, max(start) AS last FROM ${TABLE[timeframe]} WHERE symbol = ?`).get(symbol) as {
      first: number | null;
      last: number | null;
    };
    return row.first === null || row.last === null ? null : { first: row.first, last: row.last };
  }
}
