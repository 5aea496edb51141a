// Parsers for the history formats the cockpit imports: generic CSV (column mapping, time zone,
// bar-start or bar-end stamps), NinjaTrader minute exports, Polygon/Massive aggregates JSON and Alpaca
// bars JSON. A parser only reads; each row becomes a bar or a rejection reason, judged later.
// Parsers are fed text in chunks and emit rows as they go, so a file of any size is read in flat
// memory (the JSON formats are parsed whole, under a size cap). An error names the row or the field,
// never the text it read: the file may not be what the trader thought it was.
import type { Bar } from '../../../shared/domain';
import { isValidTimeZone, zonedWallToUtc } from '../../calendar/ny-time';
import { parseDecimal } from '../plausibility';

export type ImportFormat = 'csv' | 'ninjatrader' | 'polygon' | 'alpaca';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['csv', 'ninjatrader', 'polygon', 'alpaca'];

export type ParseRejection = 'malformed_row' | 'non_numeric' | 'bad_timestamp' | 'wrong_symbol';

export interface ParsedRow {
  line: number;
  bar?: Bar;
  reason?: ParseRejection;
}

export interface CsvOptions {
  /** Column names for each field; unmapped fields are found by common names. */
  columns?: Partial<Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', string>>;
  /** IANA zone of times without an offset (default UTC). */
  timeZone?: string;
  /** Whether a row's time marks the start (default) or the end of its bar. */
  stamp?: 'start' | 'end';
  delimiter?: string;
}

/** A file that cannot be imported as asked. The message never quotes what the file holds. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Longest line a text format may have: bar rows are well under 200 characters. */
export const MAX_LINE_CHARS = 64 * 1024;
/** JSON responses are parsed whole: larger ones must be split (or fetched by shorter ranges). */
export const MAX_JSON_BYTES = 256 * 1024 ** 2;

/** A byte count as the messages show it: 256 MiB, 4 KiB, 900 bytes. */
export function byteSize(n: number): string {
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

const MINUTE = 60_000;
/** Only a value that looks like a ticker is ever repeated from a file in a message. */
const TICKER = /^[A-Z][A-Z0-9.]{0,9}$/;

function barOf(symbol: string, start: number, o: number, h: number, l: number, c: number, v: number): Bar {
  return { symbol, timeframe: '1m', start, open: o, high: h, low: l, close: c, volume: v };
}

/** Text fed in chunks, split into lines (\n or \r\n); a leading UTF-8 byte-order mark is dropped. */
class LineSplitter {
  private rest = '';
  private line = 0;
  private started = false;

  constructor(private readonly onLine: (text: string, from: number, to: number, line: number) => void) {}

  push(chunk: string): void {
    if (chunk.length === 0) return;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const text = this.rest.length > 0 ? this.rest + chunk : chunk;
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      this.emit(text, pos, nl);
      pos = nl + 1;
    }
    this.rest = pos === 0 ? text : text.slice(pos);
    if (this.rest.length > MAX_LINE_CHARS) this.tooLong(this.line + 1);
  }

  end(): void {
    if (this.rest.length > 0) this.emit(this.rest, 0, this.rest.length);
    this.rest = '';
  }

  private emit(text: string, from: number, end: number): void {
    this.line++;
    const stop = end > from && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (stop - from > MAX_LINE_CHARS) this.tooLong(this.line);
    this.onLine(text, from, stop, this.line);
  }

  private tooLong(line: number): never {
    throw new ImportError(`line ${line} is longer than ${MAX_LINE_CHARS / 1024} KiB: not a text file of bars`);
  }
}

/** Fed text in chunks; rows go to the callback given when it was made. */
export interface StreamParser {
  push(chunk: string): void;
  /** No more text: the last line is parsed (the JSON formats parse here). */
  end(): void;
}

export type RowSink = (row: ParsedRow) => void;

function digits(text: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function parseNinjaLine(text: string, from: number, to: number, line: number, symbol: string): ParsedRow {
  const semis: number[] = [];
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 59) semis.push(i);
  if (semis.length !== 5) return { line, reason: 'malformed_row' };
  if (semis[0]! - from !== 15 || text.charCodeAt(from + 8) !== 32) return { line, reason: 'bad_timestamp' };
  const y = digits(text, from, 4);
  const mo = digits(text, from + 4, 2);
  const d = digits(text, from + 6, 2);
  const h = digits(text, from + 9, 2);
  const mi = digits(text, from + 11, 2);
  const se = digits(text, from + 13, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) {
    return { line, reason: 'bad_timestamp' };
  }
  const end = Date.UTC(y, mo - 1, d, h, mi, se);
  const o = parseDecimal(text.slice(semis[0]! + 1, semis[1]));
  const hi = parseDecimal(text.slice(semis[1]! + 1, semis[2]));
  const l = parseDecimal(text.slice(semis[2]! + 1, semis[3]));
  const c = parseDecimal(text.slice(semis[3]! + 1, semis[4]));
  const v = parseDecimal(text.slice(semis[4]! + 1, to));
  if (!(Number.isFinite(o) && Number.isFinite(hi) && Number.isFinite(l) && Number.isFinite(c) && Number.isFinite(v))) {
    return { line, reason: 'non_numeric' };
  }
  return { line, bar: barOf(symbol, end - MINUTE, o, hi, l, c, v) };
}

/** NinjaTrader minute export: `YYYYMMDD HHMMSS;open;high;low;close;volume`, UTC, stamped at the bar's end. */
export function ninjaTraderParser(symbol: string, onRow: RowSink): StreamParser {
  // Hand-rolled (no regex, no split per line): this format comes in multi-million-line files.
  return new LineSplitter((text, from, to, line) => {
    if (to > from) onRow(parseNinjaLine(text, from, to, line, symbol));
  });
}

const NAMES: Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', string[]> = {
  time: ['time', 'timestamp', 'datetime', 'date', 't', 'date_time'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c', 'last'],
  volume: ['volume', 'vol', 'v'],
};

/** Parses a time cell: epoch seconds or ms, ISO 8601 with offset, or a wall time in `timeZone`. */
export function parseTimeCell(cell: string, timeZone: string): number | null {
  const s = cell.trim();
  if (/^\d{9,13}(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.round(n < 1e11 ? n * 1000 : n);
  }
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(s) && /^\d{4}-\d{2}-\d{2}[T ]/.test(s)) {
    const t = Date.parse(s.replace(' ', 'T'));
    return Number.isFinite(t) ? t : null;
  }
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2}))?)?$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = [+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null;
  return zonedWallToUtc(timeZone, y, mo, d, h, mi, se);
}

const unquote = (cell: string): string => cell.trim().replace(/^"|"$/g, '');

/** Generic CSV with a header row. */
export function csvParser(symbol: string, onRow: RowSink, options: CsvOptions = {}): StreamParser {
  const timeZone = options.timeZone ?? 'UTC';
  if (!isValidTimeZone(timeZone)) throw new ImportError(`unknown time zone "${timeZone}" (use an IANA name such as America/New_York or UTC)`);
  const delimiter = options.delimiter ?? ',';
  const shift = options.stamp === 'end' ? -MINUTE : 0;
  let width = -1;
  const index = {} as Record<keyof typeof NAMES, number>;
  return new LineSplitter((text, from, to, line) => {
    const raw = text.slice(from, to);
    if (raw.trim() === '') return;
    if (width < 0) {
      const header = raw.split(delimiter).map(unquote);
      const lower = header.map((h) => h.toLowerCase());
      for (const field of Object.keys(NAMES) as Array<keyof typeof NAMES>) {
        const mapped = options.columns?.[field];
        const i = mapped !== undefined ? header.indexOf(mapped) : lower.findIndex((h) => NAMES[field].includes(h));
        if (i < 0) {
          // The header is the file's own text: it is described, never repeated.
          throw new ImportError(
            mapped !== undefined
              ? `column "${mapped}" for ${field} is not in the header (line ${line}, ${header.length} columns)`
              : `no ${field} column found in the header (line ${line}; looked for ${NAMES[field].join(', ')}); map it with --map ${field}=COLUMN or in the column mapping`,
          );
        }
        index[field] = i;
      }
      width = header.length;
      return;
    }
    const f = raw.split(delimiter).map(unquote);
    if (f.length !== width) return onRow({ line, reason: 'malformed_row' });
    const t = parseTimeCell(f[index.time]!, timeZone);
    if (t === null) return onRow({ line, reason: 'bad_timestamp' });
    const vals = [index.open, index.high, index.low, index.close, index.volume].map((j) => parseDecimal(f[j])) as [number, number, number, number, number];
    if (!vals.every(Number.isFinite)) return onRow({ line, reason: 'non_numeric' });
    onRow({ line, bar: barOf(symbol, t + shift, ...vals) });
  });
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function jsonRows(items: unknown[], symbol: string, onRow: RowSink, pick: (x: Json) => [unknown, unknown, unknown, unknown, unknown, unknown]): void {
  items.forEach((item, i) => {
    const line = i + 1;
    if (!isObj(item)) return onRow({ line, reason: 'malformed_row' });
    const [t, o, h, l, c, v] = pick(item);
    const start = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : Number.NaN;
    if (!Number.isFinite(start)) return onRow({ line, reason: 'bad_timestamp' });
    const vals = [o, h, l, c, v].map((x) => (typeof x === 'number' ? x : Number.NaN)) as [number, number, number, number, number];
    if (!vals.every(Number.isFinite)) return onRow({ line, reason: 'non_numeric' });
    onRow({ line, bar: barOf(symbol, start, ...vals) });
  });
}

/** Collects a JSON document (up to `maxBytes`, MAX_JSON_BYTES by default) and hands it over parsed. */
function jsonParser(what: string, onDocument: (doc: unknown) => void, maxBytes = MAX_JSON_BYTES): StreamParser {
  const parts: string[] = [];
  let length = 0;
  return {
    push(chunk) {
      length += chunk.length;
      if (length > maxBytes) throw new ImportError(`${what} larger than ${byteSize(maxBytes)} is not read; split it into smaller files`);
      parts.push(chunk);
    },
    end() {
      let text = parts.join('');
      parts.length = 0;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      let doc: unknown;
      try {
        doc = JSON.parse(text) as unknown;
      } catch {
        // V8's message quotes the text around the error: it is not passed on.
        throw new ImportError(`not valid JSON (expected ${what})`);
      }
      onDocument(doc);
    },
  };
}

/** Polygon/Massive aggregates: `{ ticker?, results: [{ t (ms, window start), o, h, l, c, v }] }`. */
export function polygonParser(symbol: string, onRow: RowSink, maxJsonBytes = MAX_JSON_BYTES): StreamParser {
  return jsonParser('a Polygon aggregates response', (doc) => {
    if (!isObj(doc) || !Array.isArray(doc.results)) throw new ImportError('not a Polygon aggregates response: no "results" array');
    if (typeof doc.ticker === 'string' && doc.ticker.toUpperCase() !== symbol) {
      const theirs = doc.ticker.toUpperCase();
      throw new ImportError(`the file holds ${TICKER.test(theirs) ? theirs : 'another ticker\'s'} aggregates, not ${symbol}`);
    }
    jsonRows(doc.results, symbol, onRow, (x) => [x.t, x.o, x.h, x.l, x.c, x.v]);
  }, maxJsonBytes);
}

/** Alpaca bars: `{ bars: [{ t (RFC 3339, bar start), o, h, l, c, v }] }` or `{ bars: { SYM: [...] } }`. */
export function alpacaParser(symbol: string, onRow: RowSink, maxJsonBytes = MAX_JSON_BYTES): StreamParser {
  return jsonParser('an Alpaca bars response', (doc) => {
    if (!isObj(doc) || !('bars' in doc)) throw new ImportError('not an Alpaca bars response: no "bars" field');
    let bars: unknown = doc.bars;
    if (isObj(bars)) {
      if (!Object.prototype.hasOwnProperty.call(bars, symbol)) {
        const keys = Object.keys(bars);
        const tickers = keys.filter((k) => TICKER.test(k)).slice(0, 10);
        const listed = tickers.length > 0 ? `${tickers.join(', ')}${keys.length > tickers.length ? ' and others' : ''}` : keys.length > 0 ? 'other keys' : 'no symbol';
        throw new ImportError(`the file has bars for ${listed}, not ${symbol}`);
      }
      bars = bars[symbol];
    }
    if (!Array.isArray(bars)) throw new ImportError('Alpaca "bars" is neither a list nor a map of lists');
    jsonRows(bars, symbol, onRow, (x) => [x.t, x.o, x.h, x.l, x.c, x.v]);
  }, maxJsonBytes);
}

/** A streaming parser for a format; rows go to `onRow` as they are read. */
export function createParser(format: ImportFormat, symbol: string, onRow: RowSink, csv: CsvOptions = {}, maxJsonBytes = MAX_JSON_BYTES): StreamParser {
  switch (format) {
    case 'ninjatrader':
      return ninjaTraderParser(symbol, onRow);
    case 'csv':
      return csvParser(symbol, onRow, csv);
    case 'polygon':
      return polygonParser(symbol, onRow, maxJsonBytes);
    case 'alpaca':
      return alpacaParser(symbol, onRow, maxJsonBytes);
  }
}

/** Parses a whole text at once (small inputs and tests); the importer streams instead. */
export function parseFile(format: ImportFormat, text: string, symbol: string, csv: CsvOptions = {}): ParsedRow[] {
  const rows: ParsedRow[] = [];
  const parser = createParser(format, symbol, (r) => rows.push(r), csv);
  parser.push(text);
  parser.end();
  return rows;
}

export const parseNinjaTrader = (text: string, symbol: string): ParsedRow[] => parseFile('ninjatrader', text, symbol);
export const parseCsv = (text: string, symbol: string, options: CsvOptions = {}): ParsedRow[] => parseFile('csv', text, symbol, options);
export const parsePolygon = (text: string, symbol: string): ParsedRow[] => parseFile('polygon', text, symbol);
export const parseAlpaca = (text: string, symbol: string): ParsedRow[] => parseFile('alpaca', text, symbol);
