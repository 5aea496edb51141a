// Imports a history file into the SQLite store. The file is read in chunks and parsed as it comes, so
// memory stays flat whatever the file's size. Bad rows are rejected and counted by reason. The import
// applies whole or not at all (a file with no valid bar writes nothing, not even its record), and bars
// already stored are left untouched, so importing the same file again adds nothing. Messages name the
// file by its base name and never quote what it holds.
//
// The history shares one SQLite file, and so one write lock, with the engine's order journal and risk
// ledger (busy_timeout 5 s): an import must never hold that lock for more than a moment. So the work is
// done outside it, in a private scratch database attached for the import (its own file and lock):
//   1. staging: the accepted minute bars are written there as the file is parsed;
//   2. preparing: a month at a time, in read-only snapshots of the history, the stored minutes are
//      merged with the staged ones (a stored bar wins), and the per-day blocks and the 5m/15m/1d bars
//      the merged minutes give are computed; only the days that differ from what is stored are kept,
//      with the bar counts of the stored blocks they were computed from;
//   3. writing: one short IMMEDIATE transaction checks those stored blocks are unchanged (a day written
//      meanwhile, e.g. by the live recorder, is recomputed there from its rows), then copies everything
//      in with set-based SQL (no per-row JavaScript) and writes the import record.
// Nothing is written to the history before step 3, so a cancel or failure before it leaves it untouched.
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Timeframe } from '../../../shared/domain';
import type { NyseCalendar } from '../../calendar/nyse';
import { addDays, nyDateKey, nyWallToUtc, parseDateKey } from '../../calendar/ny-time';
import { packBlock, PART_CODE, PART_NAME, type HistoryStore, type StoredBar } from '../../store/history-store';
import { aggregateBars } from '../aggregate';
import { checkBar, type BarRejection } from '../validate-bar';
import { ImportAccessError, MAX_IMPORT_BYTES } from './access';
import { byteSize, createParser, ImportError, MAX_JSON_BYTES, type CsvOptions, type ImportFormat, type ParsedRow, type ParseRejection } from './formats';

export { ImportError } from './formats';

export type ImportRejection = ParseRejection | BarRejection | 'duplicate_timestamp' | 'out_of_order' | 'market_closed';

export interface ImportReport {
  file: string;
  format: ImportFormat;
  symbol: string;
  sha256: string;
  rows: number;
  accepted: number;
  inserted: number;
  unchanged: number;
  rejected: Partial<Record<ImportRejection, number>>;
  /** The first few rejected lines, for the trader to look at. */
  rejectedSamples: Array<{ line: number; reason: ImportRejection }>;
  firstStart: number | null;
  lastStart: number | null;
  byPart: { pre: number; regular: number; post: number };
  sessions: number;
  derived: { '5m': number; '15m': number; '1d': number };
}

interface ImportRequestBase {
  /** The name reports and messages show (a base name, never a full path). */
  file: string;
  format: ImportFormat;
  symbol: string;
  csv?: CsvOptions;
  onProgress?: (fraction: number, phase: string) => void;
  /** Asked between chunks; true stops the import with nothing written. */
  shouldStop?: () => boolean;
  /** The JSON formats' size cap (MAX_JSON_BYTES; smaller in tests). */
  maxJsonBytes?: number;
}

/** The input: the whole text (tests, small inputs) or an open descriptor of a checked regular file. */
export type ImportRequest = ImportRequestBase & ({ text: string; fd?: undefined } | { fd: number; size: number; text?: undefined });

/** The import was canceled before it committed: nothing was written. */
export class ImportCanceledError extends ImportError {
  constructor(file: string) {
    super(`${file}: import canceled, nothing was written`);
    this.name = 'ImportCanceledError';
  }
}

const DERIVED: Array<Exclude<Timeframe, '1m'>> = ['5m', '15m', '1d'];
/** Bytes read at a time. */
const CHUNK_BYTES = 256 * 1024;
/** Bars staged at a time. */
const BATCH_BARS = 8_192;
/** Rows per staging INSERT statement. */
const STAGE_ROWS = 100;
/** Share of the progress bar spent reading the file; then preparing the blocks and derived bars. */
const READ_SHARE = 0.7;
const PREPARE_SHARE = 0.97;
/** Scratch databases attached so far by this process (each gets its own schema name). */
let stageCount = 0;

function withFile(file: string, error: unknown): unknown {
  if (error instanceof ImportError && !(error instanceof ImportCanceledError) && !error.message.startsWith(`${file}: `)) {
    return new ImportError(`${file}: ${error.message}`);
  }
  return error;
}

export function importHistory(store: HistoryStore, calendar: NyseCalendar, request: ImportRequest, now: () => number = Date.now): ImportReport {
  const { file, symbol } = request;
  let lastFraction = -1;
  let lastPhase = '';
  const progress = (fraction: number, phase: string): void => {
    // At most a hundred steps (and one per phase): a multi-gigabyte file must not flood the bus.
    if (fraction < 1 && fraction - lastFraction < 0.01 && phase === lastPhase) return;
    lastFraction = fraction;
    lastPhase = phase;
    request.onProgress?.(fraction, phase);
  };
  const stopIfAsked = (): void => {
    if (request.shouldStop?.() === true) throw new ImportCanceledError(file);
  };
  const rejected: Partial<Record<ImportRejection, number>> = {};
  const samples: Array<{ line: number; reason: ImportRejection }> = [];
  const reject = (line: number, reason: ImportRejection): void => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
    if (samples.length < 20) samples.push({ line, reason });
  };
  const report: ImportReport = {
    file,
    format: request.format,
    symbol,
    sha256: '',
    rows: 0,
    accepted: 0,
    inserted: 0,
    unchanged: 0,
    rejected,
    rejectedSamples: samples,
    firstStart: null,
    lastStart: null,
    byPart: { pre: 0, regular: 0, post: 0 },
    sessions: 0,
    derived: { '5m': 0, '15m': 0, '1d': 0 },
  };
  const maxJsonBytes = request.maxJsonBytes ?? MAX_JSON_BYTES;
  if (request.fd !== undefined && (request.format === 'polygon' || request.format === 'alpaca') && request.size > maxJsonBytes) {
    // Refused before a byte is read: one line naming the file, no imports row.
    throw new ImportError(`${file}: a ${request.format} JSON file is read whole, up to ${byteSize(maxJsonBytes)}; split this one into smaller files`);
  }

  const db = store.db;
  // Step 1's scratch database: '' is a private temporary file, deleted on DETACH. Writing it takes
  // only its own lock; its page cache is kept small so memory stays flat.
  const stage = `import_stage_${++stageCount}`;
  db.exec(`ATTACH DATABASE '' AS ${stage}`);
  try {
    db.pragma(`${stage}.cache_size = -2000`);
    db.pragma(`${stage}.journal_mode = OFF`);
    db.pragma(`${stage}.synchronous = OFF`);
    db.exec(`
      CREATE TABLE ${stage}.m1 (start INTEGER PRIMARY KEY, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL, part INTEGER NOT NULL);
      -- The stored blocks of the import's days (their bar counts) when the writes below were computed.
      CREATE TABLE ${stage}.base (timeframe TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (timeframe, day)) WITHOUT ROWID;
      -- Each (timeframe, day) to write: its new block (data NULL: none), and for derived bars the range they replace.
      CREATE TABLE ${stage}.days (timeframe TEXT NOT NULL, day TEXT NOT NULL, "from" INTEGER, "to" INTEGER, count INTEGER NOT NULL, data BLOB, PRIMARY KEY (timeframe, day)) WITHOUT ROWID;
      CREATE TABLE ${stage}.derived (timeframe TEXT NOT NULL, start INTEGER NOT NULL, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL, part INTEGER NOT NULL, PRIMARY KEY (timeframe, start)) WITHOUT ROWID;
    `);
    const hash = createHash('sha256');
    stageMinutes(db, stage, request, report, calendar, hash, reject, stopIfAsked, progress);
    if (report.accepted === 0) throw new ImportError(nothingValid(request.format, report));
    report.sha256 = hash.digest('hex');
    progress(READ_SHARE, 'deriving');
    report.derived = prepareDays(store, stage, calendar, symbol, report.firstStart!, report.lastStart!, (f) => {
      stopIfAsked();
      progress(READ_SHARE + f * (PREPARE_SHARE - READ_SHARE), 'deriving');
    });
    stopIfAsked();
    progress(PREPARE_SHARE, 'writing');
    writeStaged(store, stage, calendar, symbol, report, () =>
      db
        .prepare(
          `INSERT INTO main.imports (file, sha256, format, symbol, rows, inserted, unchanged, rejected_json, first_start, last_start, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(file, report.sha256, request.format, symbol, report.rows, report.inserted, report.unchanged, JSON.stringify(rejected), report.firstStart, report.lastStart, now()),
    );
  } catch (error) {
    throw withFile(file, error);
  } finally {
    try {
      db.exec(`DETACH DATABASE ${stage}`);
    } catch {
      // Only if the connection is unusable; the scratch file goes with it.
    }
  }
  progress(1, 'done');
  return report;
}

/** Step 1: reads and parses the file, staging the accepted minute bars (nothing touches the history). */
function stageMinutes(
  db: HistoryStore['db'],
  stage: string,
  request: ImportRequest,
  report: ImportReport,
  calendar: NyseCalendar,
  hash: ReturnType<typeof createHash>,
  reject: (line: number, reason: ImportRejection) => void,
  stopIfAsked: () => void,
  progress: (fraction: number, phase: string) => void,
): void {
  const one = '(?, ?, ?, ?, ?, ?, ?)';
  const head = `INSERT INTO ${stage}.m1 (start, open, high, low, close, volume, part) VALUES `;
  const many = db.prepare(`${head}${new Array(STAGE_ROWS).fill(one).join(', ')}`);
  const single = db.prepare(`${head}${one}`);
  const args: number[] = new Array(STAGE_ROWS * 7);
  let batch: StoredBar[] = [];
  // A transaction on the scratch database only: the history's write lock is never taken.
  const writeBatch = db.transaction((bars: StoredBar[]) => {
    let i = 0;
    for (; i + STAGE_ROWS <= bars.length; i += STAGE_ROWS) {
      for (let k = 0; k < STAGE_ROWS; k++) {
        const b = bars[i + k]!;
        const o = k * 7;
        args[o] = b.start;
        args[o + 1] = b.open;
        args[o + 2] = b.high;
        args[o + 3] = b.low;
        args[o + 4] = b.close;
        args[o + 5] = b.volume;
        args[o + 6] = PART_CODE[b.part];
      }
      many.run(...args);
    }
    for (; i < bars.length; i++) {
      const b = bars[i]!;
      single.run(b.start, b.open, b.high, b.low, b.close, b.volume, PART_CODE[b.part]);
    }
  });
  const flush = (): void => {
    if (batch.length === 0) return;
    writeBatch(batch);
    batch = [];
  };
  let lastStart = -Infinity;
  let lastRegularDay = '';
  const onRow = (row: ParsedRow): void => {
    report.rows++;
    if (!row.bar) return reject(row.line, row.reason ?? 'malformed_row');
    const bad = checkBar(row.bar);
    if (bad) return reject(row.line, bad);
    if (row.bar.start === lastStart) return reject(row.line, 'duplicate_timestamp');
    if (row.bar.start < lastStart) return reject(row.line, 'out_of_order');
    const part = calendar.partOf(row.bar.start);
    if (part === 'closed') return reject(row.line, 'market_closed');
    lastStart = row.bar.start;
    report.byPart[part]++;
    report.accepted++;
    report.firstStart ??= row.bar.start;
    report.lastStart = row.bar.start;
    if (part === 'regular') {
      const day = nyDateKey(row.bar.start);
      if (day !== lastRegularDay) {
        report.sessions++;
        lastRegularDay = day;
      }
    }
    batch.push({ ...row.bar, part });
    if (batch.length >= BATCH_BARS) flush();
  };

  progress(0, 'reading');
  const parser = createParser(request.format, report.symbol, onRow, request.csv, request.maxJsonBytes ?? MAX_JSON_BYTES);
  if (request.fd === undefined) {
    hash.update(request.text);
    parser.push(request.text);
  } else {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const decoder = new StringDecoder('utf8');
    const size = Math.max(1, request.size);
    let position = 0;
    for (;;) {
      const n = readSync(request.fd, buffer, 0, CHUNK_BYTES, position);
      if (n === 0) break;
      position += n;
      if (position > MAX_IMPORT_BYTES) throw new ImportError(`grew past the import limit of ${MAX_IMPORT_BYTES / 1024 ** 3} GiB while being read`);
      const bytes = buffer.subarray(0, n);
      hash.update(bytes);
      parser.push(decoder.write(bytes));
      stopIfAsked();
      progress(Math.min(1, position / size) * READ_SHARE, 'reading');
    }
    parser.push(decoder.end());
  }
  parser.end();
  flush();
}

/** Midnight (New York) that starts a day, in UTC ms. */
function midnightOf(day: string): number {
  const { year, month, day: d } = parseDateKey(day);
  return nyWallToUtc(year, month, d, 0, 0);
}

/** The range of 1-minute bar starts whose derived bars an import of [first, last] recomputes: whole sessions. */
function deriveRange(calendar: NyseCalendar, first: number, last: number): { firstDay: string; lastDay: string; from0: number; toN: number } {
  const firstDay = nyDateKey(first);
  const lastDay = nyDateKey(last);
  const lastSession = calendar.session(lastDay);
  return { firstDay, lastDay, from0: calendar.session(firstDay)?.preOpen ?? first, toN: lastSession ? lastSession.postClose : last + 60_000 };
}

/** The part of [from0, toN) that lies in one New York day. */
function dayRange(day: string, r: { firstDay: string; lastDay: string; from0: number; toN: number }): { from: number; to: number } {
  return { from: day === r.firstDay ? r.from0 : midnightOf(day), to: day === r.lastDay ? r.toN : midnightOf(addDays(day, 1)) };
}

/**
 * Step 2: for each day of the import's range, merges the stored minutes with the staged ones (a stored
 * bar wins, as INSERT … ON CONFLICT DO NOTHING will), and stages the day's new 1-minute block (when a
 * staged bar is new) and its 5m/15m/1d bars and blocks (when they differ from what is stored), with a
 * the bar counts of the stored blocks they came from. Each month is one read of the history (a snapshot in WAL
 * mode, which blocks no writer) and one write of the scratch database. Returns the derived bar counts.
 */
function prepareDays(
  store: HistoryStore,
  stage: string,
  calendar: NyseCalendar,
  symbol: string,
  first: number,
  last: number,
  onWindow: (fraction: number) => void,
): { '5m': number; '15m': number; '1d': number } {
  const db = store.db;
  const range = deriveRange(calendar, first, last);
  const { firstDay, lastDay, from0, toN } = range;
  const storedBlocks = db.prepare('SELECT timeframe, day, count, data FROM main.bar_blocks WHERE symbol = ? AND day >= ? AND day <= ?').raw(true);
  const staged = db.prepare(`SELECT start, open, high, low, close, volume, part FROM ${stage}.m1 WHERE start >= ? AND start < ? ORDER BY start`).raw(true);
  const putBase = db.prepare(`INSERT INTO ${stage}.base (timeframe, day, count) VALUES (?, ?, ?)`);
  const dropStaged = db.prepare(`DELETE FROM ${stage}.m1 WHERE start >= ? AND start < ?`);
  const putDay = db.prepare(`INSERT INTO ${stage}.days (timeframe, day, "from", "to", count, data) VALUES (?, ?, ?, ?, ?, ?)`);
  const putDerived = db.prepare(`INSERT INTO ${stage}.derived (timeframe, start, open, high, low, close, volume, part) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const counts = { '5m': 0, '15m': 0, '1d': 0 };
  const span = Math.max(1, toN - from0);
  const prepareWindow = db.transaction((day: string, next: string) => {
    const from = day === firstDay ? from0 : midnightOf(day);
    const to = next > lastDay ? toN : midnightOf(next);
    const windowLast = next > lastDay ? lastDay : addDays(next, -1);
    const stored = new Map<string, Buffer>();
    for (const [tf, d, count, data] of storedBlocks.all(symbol, day, windowLast) as Array<[string, string, number, Buffer]>) {
      stored.set(`${tf} ${d}`, data);
      putBase.run(tf, d, count);
    }
    // Both lists are in time order: merge them, a stored bar winning over a staged one at the same start.
    const old = store.loadBars(symbol, '1m', from, to);
    const fresh = staged.all(from, to) as Array<[number, number, number, number, number, number, number]>;
    const byDay = new Map<string, { bars: StoredBar[]; added: number; staged: number }>();
    let lastKey = '';
    let current: { bars: StoredBar[]; added: number; staged: number } = { bars: [], added: 0, staged: 0 };
    /** Files a bar under its day: stored only, stored and staged again, or staged and new. */
    const add = (b: StoredBar, staged: boolean, isNew: boolean): void => {
      const key = nyDateKey(b.start);
      if (key !== lastKey) {
        current = byDay.get(key) ?? { bars: [], added: 0, staged: 0 };
        byDay.set(key, current);
        lastKey = key;
      }
      current.bars.push(b);
      if (staged) current.staged++;
      if (isNew) current.added++;
    };
    let i = 0;
    let j = 0;
    while (i < old.length || j < fresh.length) {
      const f = fresh[j];
      if (i < old.length && (f === undefined || old[i]!.start <= f[0])) {
        const again = f !== undefined && old[i]!.start === f[0];
        if (again) j++;
        add(old[i++]!, again, false);
      } else {
        add({ symbol, timeframe: '1m', start: f![0], open: f![1], high: f![2], low: f![3], close: f![4], volume: f![5], part: PART_NAME[f![6]]! }, true, true);
        j++;
      }
    }
    for (let d = day > firstDay ? day : firstDay; d <= windowLast; d = addDays(d, 1)) {
      const minute = byDay.get(d);
      const r = dayRange(d, range);
      if (minute && minute.added > 0) putDay.run('1m', d, null, null, minute.bars.length, packBlock(minute.bars));
      // A day whose staged bars are all stored already has nothing to copy: 1-minute rows are only ever
      // added (a stored bar is never overwritten or removed), so they will still be there in step 3.
      else if (minute && minute.staged > 0) dropStaged.run(midnightOf(d), midnightOf(addDays(d, 1)));
      for (const tf of DERIVED) {
        const bars = minute ? aggregateBars(minute.bars, tf, calendar) : [];
        counts[tf] += bars.length;
        const block = bars.length > 0 ? packBlock(bars) : null;
        const before = stored.get(`${tf} ${d}`);
        if (block === null ? before === undefined : before !== undefined && block.equals(before)) continue; // as stored already
        putDay.run(tf, d, r.from, r.to, bars.length, block);
        for (const b of bars) putDerived.run(tf, b.start, b.open, b.high, b.low, b.close, b.volume, PART_CODE[b.part]);
      }
    }
  });
  for (let day = firstDay; day <= lastDay; day = addDays(day, DERIVE_WINDOW_DAYS)) {
    const next = addDays(day, DERIVE_WINDOW_DAYS);
    prepareWindow(day, next);
    const to = next > lastDay ? toN : midnightOf(next);
    onWindow(Math.min(1, (to - from0) / span));
  }
  return counts;
}

/**
 * Step 3, the only one that writes the history: one IMMEDIATE transaction of set-based copies. A day
 * whose stored blocks changed since step 2 (written meanwhile) is recomputed here from its rows. The
 * bar counts tell: 1-minute rows are only ever added, so a day's minutes changed exactly when its
 * count did, and its derived bars are recomputed from those minutes whenever they are written.
 */
function writeStaged(store: HistoryStore, stage: string, calendar: NyseCalendar, symbol: string, report: ImportReport, record: () => void): void {
  const db = store.db;
  const range = deriveRange(calendar, report.firstStart!, report.lastStart!);
  db.transaction(() => {
    const base = new Map<string, number>();
    for (const [tf, day, count] of db.prepare(`SELECT timeframe, day, count FROM ${stage}.base`).raw(true).all() as Array<[string, string, number]>) {
      base.set(`${tf} ${day}`, count);
    }
    const stale = new Set<string>();
    const now = db.prepare('SELECT day, count FROM main.bar_blocks WHERE symbol = ? AND timeframe = ? AND day >= ? AND day <= ?').raw(true);
    for (const tf of ['1m', ...DERIVED]) {
      for (const [day, count] of now.all(symbol, tf, range.firstDay, range.lastDay) as Array<[string, number]>) {
        const key = `${tf} ${day}`;
        if (base.get(key) !== count) stale.add(day);
        base.delete(key);
      }
    }
    for (const key of base.keys()) stale.add(key.slice(key.indexOf(' ') + 1)); // a block gone since
    const changed = [...stale].sort();
    for (const day of changed) {
      db.prepare(`DELETE FROM ${stage}.days WHERE day = ?`).run(day);
      db.prepare(`DELETE FROM ${stage}.derived WHERE start >= ? AND start < ?`).run(midnightOf(day), midnightOf(addDays(day, 1)));
    }
    report.inserted = db
      .prepare(
        `INSERT INTO main.bars_1m (symbol, start, open, high, low, close, volume, part)
         SELECT ?, start, open, high, low, close, volume, part FROM ${stage}.m1 WHERE true ORDER BY start
         ON CONFLICT (symbol, start) DO NOTHING`,
      )
      .run(symbol).changes;
    report.unchanged = report.accepted - report.inserted;
    for (const tf of DERIVED) {
      const table = `main.bars_${tf}`;
      const drop = db.prepare(`DELETE FROM ${table} WHERE symbol = ? AND start >= ? AND start < ?`);
      for (const [from, to] of db.prepare(`SELECT "from", "to" FROM ${stage}.days WHERE timeframe = ?`).raw(true).all(tf) as Array<[number, number]>) {
        drop.run(symbol, from, to);
      }
      db.prepare(
        `INSERT INTO ${table} (symbol, start, open, high, low, close, volume, part)
         SELECT ?, start, open, high, low, close, volume, part FROM ${stage}.derived WHERE timeframe = ? ORDER BY start`,
      ).run(symbol, tf);
    }
    db.prepare(`DELETE FROM main.bar_blocks WHERE symbol = ? AND (timeframe, day) IN (SELECT timeframe, day FROM ${stage}.days WHERE data IS NULL)`).run(symbol);
    db.prepare(`INSERT OR REPLACE INTO main.bar_blocks (symbol, timeframe, day, count, data) SELECT ?, timeframe, day, count, data FROM ${stage}.days WHERE data IS NOT NULL`).run(
      symbol,
    );
    // Days written meanwhile: their blocks and derived bars rebuilt from the rows, as rebuildDerived would.
    for (const day of changed) {
      const minute = store.loadRows(symbol, '1m', midnightOf(day), midnightOf(addDays(day, 1)));
      if (minute.length === 0) db.prepare(`DELETE FROM main.bar_blocks WHERE symbol = ? AND timeframe = '1m' AND day = ?`).run(symbol, day);
      else db.prepare(`INSERT OR REPLACE INTO main.bar_blocks (symbol, timeframe, day, count, data) VALUES (?, '1m', ?, ?, ?)`).run(symbol, day, minute.length, packBlock(minute));
      const { from, to } = dayRange(day, range);
      for (const tf of DERIVED) store.replaceBars(tf, symbol, from, to, aggregateBars(minute, tf, calendar));
    }
    record();
  }).immediate(); // the write lock up front: a read-then-write upgrade would fail at once (SQLITE_BUSY) while the engine commits
}

/** What a failed import says: its own explanation when it has one, never the text of an unknown error. */
export function importFailureMessage(file: string, error: unknown): string {
  if (error instanceof ImportError || error instanceof ImportAccessError) {
    return error.message.startsWith(`${file}: `) ? error.message : `${file}: ${error.message}`;
  }
  // SQLite's own messages (disk full, database locked) name no data.
  if (error instanceof Error && error.name === 'SqliteError') return `${file}: the database refused the write (${error.message})`;
  return `${file}: the import stopped on an unexpected ${error instanceof Error ? error.name : 'error'}`;
}

/** One line on why a file gave nothing: what was read and why it was refused, never the text itself. */
function nothingValid(format: ImportFormat, r: ImportReport): string {
  if (r.rows === 0) return `no bars found: the file holds no ${format} rows (is it empty, or another format?); nothing was written`;
  const reasons = Object.entries(r.rejected)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([reason, n]) => `${reason.replace(/_/g, ' ')} ${n}`)
    .join(', ');
  return `no valid bars in ${r.rows} rows (${reasons}); is it a ${format} file? nothing was written`;
}

/** Calendar days of 1-minute bars aggregated at a time when derived bars are rebuilt. */
const DERIVE_WINDOW_DAYS = 30;

/**
 * Recomputes the 5-minute, 15-minute and daily bars over the whole sessions between two 1-minute bar
 * starts, from everything stored (so overlapping imports and live recording merge correctly). Works a
 * month at a time, cut at New York midnights (no bucket spans one), so years of bars need little memory.
 */
export function rebuildDerived(
  store: HistoryStore,
  calendar: NyseCalendar,
  symbol: string,
  first: number,
  last: number,
  onWindow?: (fraction: number) => void,
): { '5m': number; '15m': number; '1d': number } {
  const firstDay = nyDateKey(first);
  const lastDay = nyDateKey(last);
  const from0 = calendar.session(firstDay)?.preOpen ?? first;
  const lastSession = calendar.session(lastDay);
  const toN = lastSession ? lastSession.postClose : last + 60_000;
  const midnight = (day: string): number => {
    const { year, month, day: d } = parseDateKey(day);
    return nyWallToUtc(year, month, d, 0, 0);
  };
  const counts = { '5m': 0, '15m': 0, '1d': 0 };
  const span = Math.max(1, toN - from0);
  store.db.transaction(() => {
    for (let day = firstDay; day <= lastDay; day = addDays(day, DERIVE_WINDOW_DAYS)) {
      const next = addDays(day, DERIVE_WINDOW_DAYS);
      const from = day === firstDay ? from0 : midnight(day);
      const to = next > lastDay ? toN : midnight(next);
      const minute = store.loadBars(symbol, '1m', from, to);
      for (const tf of DERIVED) {
        const bars = aggregateBars(minute, tf, calendar);
        store.replaceBars(tf, symbol, from, to, bars);
        counts[tf] += bars.length;
      }
      onWindow?.(Math.min(1, (to - from0) / span));
    }
  }).immediate(); // the write lock up front: a read-then-write upgrade would fail at once (SQLITE_BUSY) while the engine commits
  return counts;
}

export function formatReport(r: ImportReport): string {
  const when = (t: number | null): string => (t === null ? '—' : new Date(t).toISOString());
  const rejectedTotal = Object.values(r.rejected).reduce((a, b) => a + (b ?? 0), 0);
  return [
    `Imported ${r.file} (${r.format}) as ${r.symbol}`,
    `  rows ${r.rows}, accepted ${r.accepted}, new ${r.inserted}, already stored ${r.unchanged}, rejected ${rejectedTotal}`,
    ...Object.entries(r.rejected).map(([reason, n]) => `    ${reason}: ${n}`),
    `  ${r.sessions} regular sessions; bars pre ${r.byPart.pre}, regular ${r.byPart.regular}, post ${r.byPart.post}`,
    `  range ${when(r.firstStart)} → ${when(r.lastStart)}`,
    `  derived bars: 5m ${r.derived['5m']}, 15m ${r.derived['15m']}, daily ${r.derived['1d']}`,
  ].join('\n');
}
