// Bars in the SQLite history: 1-minute bars as imported or streamed, and the 5-minute, 15-minute and
// daily bars derived from them. Rows are the record (one per bar, deduplicated by symbol and start);
// each New York day of bars is also kept as one packed block, so a symbol-year loads in a few ms.
// Every write is one transaction: a crash loses nothing committed and leaves no half-written batch.
import type { Bar, Timeframe } from '../../shared/domain';
import type { SessionPart } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
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
/** Rows per INSERT statement: multi-row statements cut the per-call cost about threefold. */
const CHUNK = 100;
const FIELDS = 7; // start, open, high, low, close, volume, part

/** One day of bars as the packed block `bar_blocks` holds (columns of Float64, oldest first). */
export function packBlock(bars: readonly StoredBar[]): Buffer {
  const n = bars.length;
  const a = new Float64Array(n * FIELDS);
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    a[i] = b.start;
    a[n + i] = b.open;
    a[2 * n + i] = b.high;
    a[3 * n + i] = b.low;
    a[4 * n + i] = b.close;
    a[5 * n + i] = b.volume;
    a[6 * n + i] = PART_CODE[b.part];
  }
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

export class HistoryStore {
  private readonly stmts = new Map<string, import('better-sqlite3').Statement>();

  constructor(readonly db: Db) {}

  private stmt(sql: string): import('better-sqlite3').Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /**
   * Inserts bars; a bar already stored (same symbol and start) is left as it is, so re-importing a
   * file changes nothing. Returns how many rows were new.
   */
  insertBars(timeframe: Timeframe, bars: readonly StoredBar[]): { inserted: number; unchanged: number } {
    const table = TABLE[timeframe];
    const one = '(?, ?, ?, ?, ?, ?, ?, ?)';
    const head = `INSERT INTO ${table} (symbol, start, open, high, low, close, volume, part) VALUES `;
    const many = this.stmt(`${head}${new Array(CHUNK).fill(one).join(', ')} ON CONFLICT (symbol, start) DO NOTHING`);
    const single = this.stmt(`${head}${one} ON CONFLICT (symbol, start) DO NOTHING`);
    let inserted = 0;
    this.db.transaction(() => {
      const days = this.daysWithoutBlocks(timeframe, bars);
      const args: unknown[] = new Array(CHUNK * 8);
      let i = 0;
      for (; i + CHUNK <= bars.length; i += CHUNK) {
        for (let k = 0; k < CHUNK; k++) {
          const b = bars[i + k]!;
          const o = k * 8;
          args[o] = b.symbol;
          args[o + 1] = b.start;
          args[o + 2] = b.open;
          args[o + 3] = b.high;
          args[o + 4] = b.low;
          args[o + 5] = b.close;
          args[o + 6] = b.volume;
          args[o + 7] = PART_CODE[b.part];
        }
        inserted += many.run(...args).changes;
      }
      for (; i < bars.length; i++) {
        const b = bars[i]!;
        inserted += single.run(b.symbol, b.start, b.open, b.high, b.low, b.close, b.volume, PART_CODE[b.part]).changes;
      }
      this.refreshBlocks(timeframe, bars, days);
    })();
    return { inserted, unchanged: bars.length - inserted };
  }

  /** Replaces derived bars for a symbol within [from, to): derived data is recomputed, never merged. */
  replaceBars(timeframe: Timeframe, symbol: string, from: number, to: number, bars: readonly StoredBar[]): void {
    this.db.transaction(() => {
      this.stmt(`DELETE FROM ${TABLE[timeframe]} WHERE symbol = ? AND start >= ? AND start < ?`).run(symbol, from, to);
      // Blocks of the days the range touches are rebuilt from the rows, so partly covered days stay right.
      this.stmt(`DELETE FROM bar_blocks WHERE symbol = ? AND timeframe = ? AND day >= ? AND day <= ?`).run(symbol, timeframe, nyDateKey(from), nyDateKey(to - 1));
      this.insertBars(timeframe, bars);
      // Days wholly inside the range now hold exactly `bars`; the two edge days may be partly outside it.
      this.rebuildBlockFromRows(timeframe, symbol, nyDateKey(from));
      if (nyDateKey(to - 1) !== nyDateKey(from)) this.rebuildBlockFromRows(timeframe, symbol, nyDateKey(to - 1));
    })();
  }

  /** Which (symbol, day) groups of `bars` have no block yet (hence no rows: blocks mirror rows). */
  private daysWithoutBlocks(timeframe: Timeframe, bars: readonly StoredBar[]): Map<string, StoredBar[]> {
    const groups = new Map<string, StoredBar[]>();
    let lastSymbol = '';
    let lastDay = '';
    let current: StoredBar[] = [];
    for (const b of bars) {
      const day = nyDateKey(b.start);
      if (b.symbol !== lastSymbol || day !== lastDay) {
        // Bars mostly arrive in runs of one symbol and day: look the group up only when the run changes.
        const key = `${b.symbol}\u0000${day}`;
        let g = groups.get(key);
        if (!g) {
          g = [];
          groups.set(key, g);
        }
        current = g;
        lastSymbol = b.symbol;
        lastDay = day;
      }
      current.push(b);
    }
    const exists = this.stmt('SELECT 1 FROM bar_blocks WHERE symbol = ? AND timeframe = ? AND day = ?');
    for (const key of [...groups.keys()]) {
      const [symbol, day] = key.split('\u0000') as [string, string];
      if (exists.get(symbol, timeframe, day)) groups.set(key, []); // merge with stored rows: rebuild from rows
    }
    return groups;
  }

  private refreshBlocks(timeframe: Timeframe, bars: readonly StoredBar[], groups: Map<string, StoredBar[]>): void {
    if (bars.length === 0) return;
    const put = this.stmt('INSERT OR REPLACE INTO bar_blocks (symbol, timeframe, day, count, data) VALUES (?, ?, ?, ?, ?)');
    for (const [key, group] of groups) {
      const [symbol, day] = key.split('\u0000') as [string, string];
      // A new day whose bars came in strictly increasing is exactly what the rows now hold.
      let clean = group.length > 0;
      for (let i = 1; clean && i < group.length; i++) if (group[i]!.start <= group[i - 1]!.start) clean = false;
      if (clean) put.run(symbol, timeframe, day, group.length, packBlock(group));
      else this.rebuildBlockFromRows(timeframe, symbol, day);
    }
  }

  private rebuildBlockFromRows(timeframe: Timeframe, symbol: string, day: string): void {
    const from = Date.parse(`${day}T00:00:00Z`);
    // A New York day lies within 04:00Z of its date and 05:00Z of the next: 36 hours cover it.
    const rows = this.loadRows(symbol, timeframe, from, from + 36 * 3_600_000).filter((b) => nyDateKey(b.start) === day);
    if (rows.length === 0) this.stmt('DELETE FROM bar_blocks WHERE symbol = ? AND timeframe = ? AND day = ?').run(symbol, timeframe, day);
    else this.stmt('INSERT OR REPLACE INTO bar_blocks (symbol, timeframe, day, count, data) VALUES (?, ?, ?, ?, ?)').run(symbol, timeframe, day, rows.length, packBlock(rows));
  }

  /** One symbol's bars in [from, to) as columns, from the day blocks. */
  loadColumns(symbol: string, timeframe: Timeframe, from = 0, to = Number.MAX_SAFE_INTEGER): BarColumns {
    const fromDay = from <= 0 ? '0000-00-00' : nyDateKey(from);
    const toDay = to >= Number.MAX_SAFE_INTEGER ? '9999-99-99' : nyDateKey(to - 1);
    const blocks = this.stmt('SELECT count, data FROM bar_blocks WHERE symbol = ? AND timeframe = ? AND day >= ? AND day <= ? ORDER BY day')
      .raw(true)
      .all(symbol, timeframe, fromDay, toDay) as Array<[number, Buffer]>;
    let total = 0;
    for (const [n] of blocks) total += n;
    const cols = emptyColumns(symbol, timeframe, total);
    let len = 0;
    for (const [n, data] of blocks) {
      // Copy out of the blob (its buffer may not be 8-byte aligned).
      const a = new Float64Array(n * FIELDS);
      new Uint8Array(a.buffer).set(data.subarray(0, n * FIELDS * 8));
      for (let i = 0; i < n; i++) {
        const s = a[i]!;
        if (s < from || s >= to) continue;
        cols.start[len] = s;
        cols.open[len] = a[n + i]!;
        cols.high[len] = a[2 * n + i]!;
        cols.low[len] = a[3 * n + i]!;
        cols.close[len] = a[4 * n + i]!;
        cols.volume[len] = a[5 * n + i]!;
        cols.part[len] = a[6 * n + i]!;
        len++;
      }
    }
    return len === total ? cols : sliceColumns(cols, len);
  }

  loadBars(symbol: string, timeframe: Timeframe, from = 0, to = Number.MAX_SAFE_INTEGER): StoredBar[] {
    const c = this.loadColumns(symbol, timeframe, from, to);
    const out: StoredBar[] = new Array(c.length);
    for (let i = 0; i < c.length; i++) {
      out[i] = { symbol, timeframe, start: c.start[i]!, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]!, volume: c.volume[i]!, part: PART_NAME[c.part[i]!]! };
    }
    return out;
  }

  /** The same bars read row by row from the record (the reference the blocks are checked against). */
  loadRows(symbol: string, timeframe: Timeframe, from = 0, to = Number.MAX_SAFE_INTEGER): StoredBar[] {
    const rows = this.stmt(`SELECT start, open, high, low, close, volume, part FROM ${TABLE[timeframe]} WHERE symbol = ? AND start >= ? AND start < ? ORDER BY start`)
      .raw(true)
      .all(symbol, from, to) as Array<[number, number, number, number, number, number, number]>;
    return rows.map((r) => ({ symbol, timeframe, start: r[0], open: r[1], high: r[2], low: r[3], close: r[4], volume: r[5], part: PART_NAME[r[6]]! }));
  }

  /** Stored bars per New York day of one symbol over [fromDay, toDay] (days without bars are absent). */
  dayCounts(symbol: string, timeframe: Timeframe, fromDay: string, toDay: string): Map<string, number> {
    const rows = this.stmt('SELECT day, count FROM bar_blocks WHERE symbol = ? AND timeframe = ? AND day >= ? AND day <= ? ORDER BY day')
      .raw(true)
      .all(symbol, timeframe, fromDay, toDay) as Array<[string, number]>;
    return new Map(rows);
  }

  countBars(timeframe: Timeframe, symbol?: string): number {
    const sql = `SELECT count(*) AS n FROM ${TABLE[timeframe]}${symbol ? ' WHERE symbol = ?' : ''}`;
    const stmt = this.stmt(sql);
    return (symbol ? (stmt.get(symbol) as { n: number }) : (stmt.get() as { n: number })).n;
  }

  symbols(timeframe: Timeframe = '1m'): string[] {
    return (this.stmt(`SELECT DISTINCT symbol FROM ${TABLE[timeframe]} ORDER BY symbol`).all() as Array<{ symbol: string }>).map((r) => r.symbol);
  }

  range(symbol: string, timeframe: Timeframe = '1m'): { first: number; last: number } | null {
    const row = this.stmt(`SELECT min(start) AS first, max(start) AS last FROM ${TABLE[timeframe]} WHERE symbol = ?`).get(symbol) as {
      first: number | null;
      last: number | null;
    };
    return row.first === null || row.last === null ? null : { first: row.first, last: row.last };
  }
}

function emptyColumns(symbol: string, timeframe: Timeframe, n: number): BarColumns {
  return {
    symbol,
    timeframe,
    length: n,
    start: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    part: new Uint8Array(n),
  };
}

function sliceColumns(c: BarColumns, n: number): BarColumns {
  return {
    symbol: c.symbol,
    timeframe: c.timeframe,
    length: n,
    start: c.start.slice(0, n),
    open: c.open.slice(0, n),
    high: c.high.slice(0, n),
    low: c.low.slice(0, n),
    close: c.close.slice(0, n),
    volume: c.volume.slice(0, n),
    part: c.part.slice(0, n),
  };
}
