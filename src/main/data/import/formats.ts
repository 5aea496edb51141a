// Parsers for the history formats the cockpit imports: generic CSV (column mapping, time zone,
// bar-start or bar-end stamps), NinjaTrader minute exports, Polygon/Massive aggregates JSON and Alpaca
// bars JSON. A parser only reads; each row becomes a bar or a rejection reason, judged later.
import type { Bar } from '../../../shared/domain';
import { isValidTimeZone, zonedWallToUtc } from '../../calendar/ny-time';

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

const MINUTE = 60_000;

const num = (s: string | undefined): number => {
  if (s === undefined) return Number.NaN;
  const t = s.trim();
  return t === '' ? Number.NaN : Number(t);
};

function barOf(symbol: string, start: number, o: number, h: number, l: number, c: number, v: number): Bar {
  return { symbol, timeframe: '1m', start, open: o, high: h, low: l, close: c, volume: v };
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** NinjaTrader minute export: `YYYYMMDD HHMMSS;open;high;low;close;volume`, UTC, stamped at the bar's end. */
export function parseNinjaTrader(text: string, symbol: string): ParsedRow[] {
  // Hand-rolled (no regex, no split per line): this format comes in multi-million-line files.
  const out: ParsedRow[] = [];
  const n = text.length;
  let pos = 0;
  let line = 0;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    line++;
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--; // \r\n
    if (stop > pos) out.push(parseNinjaLine(text, pos, stop, line, symbol));
    pos = end + 1;
  }
  return out;
}

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
  const o = num(text.slice(semis[0]! + 1, semis[1]));
  const hi = num(text.slice(semis[1]! + 1, semis[2]));
  const l = num(text.slice(semis[2]! + 1, semis[3]));
  const c = num(text.slice(semis[3]! + 1, semis[4]));
  const v = num(text.slice(semis[4]! + 1, to));
  if (!(Number.isFinite(o) && Number.isFinite(hi) && Number.isFinite(l) && Number.isFinite(c) && Number.isFinite(v))) {
    return { line, reason: 'non_numeric' };
  }
  return { line, bar: barOf(symbol, end - MINUTE, o, hi, l, c, v) };
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

/** Generic CSV with a header row. */
export function parseCsv(text: string, symbol: string, options: CsvOptions = {}): ParsedRow[] {
  const timeZone = options.timeZone ?? 'UTC';
  if (!isValidTimeZone(timeZone)) throw new Error(`unknown time zone "${timeZone}" (use an IANA name such as America/New_York or UTC)`);
  const delimiter = options.delimiter ?? ',';
  const all = lines(text);
  const headerIndex = all.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) return [];
  const header = all[headerIndex]!.split(delimiter).map((h) => h.trim().replace(/^"|"$/g, ''));
  const lower = header.map((h) => h.toLowerCase());
  const index = {} as Record<keyof typeof NAMES, number>;
  for (const field of Object.keys(NAMES) as Array<keyof typeof NAMES>) {
    const mapped = options.columns?.[field];
    const i = mapped !== undefined ? header.indexOf(mapped) : lower.findIndex((h) => NAMES[field].includes(h));
    if (i < 0) {
      throw new Error(
        mapped !== undefined
          ? `column "${mapped}" for ${field} is not in the header (${header.join(', ')})`
          : `no ${field} column found in the header (${header.join(', ')}); map it with --map ${field}=COLUMN`,
      );
    }
    index[field] = i;
  }
  const shift = options.stamp === 'end' ? -MINUTE : 0;
  const out: ParsedRow[] = [];
  for (let i = headerIndex + 1; i < all.length; i++) {
    const raw = all[i]!;
    if (raw.trim() === '') continue;
    const f = raw.split(delimiter).map((x) => x.trim().replace(/^"|"$/g, ''));
    if (f.length !== header.length) {
      out.push({ line: i + 1, reason: 'malformed_row' });
      continue;
    }
    const t = parseTimeCell(f[index.time]!, timeZone);
    if (t === null) {
      out.push({ line: i + 1, reason: 'bad_timestamp' });
      continue;
    }
    const vals = [index.open, index.high, index.low, index.close, index.volume].map((j) => num(f[j])) as [number, number, number, number, number];
    if (!vals.every(Number.isFinite)) {
      out.push({ line: i + 1, reason: 'non_numeric' });
      continue;
    }
    out.push({ line: i + 1, bar: barOf(symbol, t + shift, ...vals) });
  }
  return out;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function jsonRows(items: unknown[], symbol: string, pick: (x: Json) => [unknown, unknown, unknown, unknown, unknown, unknown]): ParsedRow[] {
  return items.map((item, i) => {
    if (!isObj(item)) return { line: i + 1, reason: 'malformed_row' as const };
    const [t, o, h, l, c, v] = pick(item);
    const start = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : Number.NaN;
    if (!Number.isFinite(start)) return { line: i + 1, reason: 'bad_timestamp' as const };
    const vals = [o, h, l, c, v].map((x) => (typeof x === 'number' ? x : Number.NaN)) as [number, number, number, number, number];
    if (!vals.every(Number.isFinite)) return { line: i + 1, reason: 'non_numeric' as const };
    return { line: i + 1, bar: barOf(symbol, start, ...vals) };
  });
}

/** Polygon/Massive aggregates: `{ ticker?, results: [{ t (ms, window start), o, h, l, c, v }] }`. */
export function parsePolygon(text: string, symbol: string): ParsedRow[] {
  const doc = JSON.parse(text) as unknown;
  if (!isObj(doc) || !Array.isArray(doc.results)) throw new Error('not a Polygon aggregates response: no "results" array');
  if (typeof doc.ticker === 'string' && doc.ticker.toUpperCase() !== symbol) {
    throw new Error(`the file holds ${doc.ticker} aggregates, not ${symbol}`);
  }
  return jsonRows(doc.results, symbol, (x) => [x.t, x.o, x.h, x.l, x.c, x.v]);
}

/** Alpaca bars: `{ bars: [{ t (RFC 3339, bar start), o, h, l, c, v }] }` or `{ bars: { SYM: [...] } }`. */
export function parseAlpaca(text: string, symbol: string): ParsedRow[] {
  const doc = JSON.parse(text) as unknown;
  if (!isObj(doc) || !('bars' in doc)) throw new Error('not an Alpaca bars response: no "bars" field');
  let bars: unknown = doc.bars;
  if (isObj(bars)) {
    if (!(symbol in bars)) throw new Error(`the file has bars for ${Object.keys(bars).join(', ') || 'no symbol'}, not ${symbol}`);
    bars = bars[symbol];
  }
  if (!Array.isArray(bars)) throw new Error('Alpaca "bars" is neither a list nor a map of lists');
  return jsonRows(bars, symbol, (x) => [x.t, x.o, x.h, x.l, x.c, x.v]);
}

export function parseFile(format: ImportFormat, text: string, symbol: string, csv: CsvOptions = {}): ParsedRow[] {
  switch (format) {
    case 'ninjatrader':
      return parseNinjaTrader(text, symbol);
    case 'csv':
      return parseCsv(text, symbol, csv);
    case 'polygon':
      return parsePolygon(text, symbol);
    case 'alpaca':
      return parseAlpaca(text, symbol);
  }
}
