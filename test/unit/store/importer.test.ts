import { describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { importHistory } from '../../../src/main/data/import/importer';
import { openDatabase } from '../../../src/main/store/database';
import { HistoryStore } from '../../../src/main/store/history-store';

const cal = new NyseCalendar();
const fresh = () => new HistoryStore(openDatabase(':memory:'));

describe('importer: bad rows', () => {
  it('rejects and counts each kind of bad row, and keeps the good ones', () => {
    const store = fresh();
    const text = [
      '20110103 143100;126.7;126.8;126.6;126.7;1000', // ok (09:30 ET)
      '20110103 143200;abc;126.8;126.6;126.7;1000', // non-numeric
      '20110103 143300;126.7;126.8;126.6;NaN;1000', // NaN
      '20110103 143400;0;126.8;126.6;126.7;1000', // price <= 0
      '20110103 143500;126.7;126.6;126.5;126.7;1000', // high < max(open, close)
      '20110103 143600;126.7;126.9;126.8;126.75;1000', // low > min(open, close)
      '20110103 143700;126.7;126.8;126.6;126.7;-5', // negative volume
      '20110103 143800;126.7;126.8;126.6;126.7;1000', // ok
      '20110103 143800;126.7;126.8;126.6;126.7;1000', // duplicate timestamp
      '20110103 143700;126.7;126.8;126.6;126.7;1000', // out of order
      '20110103 1439;126.7', // malformed
      '20110108 150000;126.7;126.8;126.6;126.7;1000', // a Saturday: market closed
      '20110103 143900;126.7;126.8;126.6;126.7;1000', // ok
    ].join('\n');
    const r = importHistory(store, cal, { file: 'bad.csv', text, format: 'ninjatrader', symbol: 'SPY' });
    expect(r.accepted).toBe(3);
    expect(r.rejected).toEqual({
      non_numeric: 2,
      non_positive_price: 1,
      high_below_open_close: 1,
      low_above_open_close: 1,
      negative_volume: 1,
      duplicate_timestamp: 1,
      out_of_order: 1,
      malformed_row: 1,
      market_closed: 1,
    });
    expect(r.rejectedSamples.map((s) => s.line)).toEqual([2, 3, 4, 5, 6, 7, 9, 10, 11, 12]);
    expect(store.countBars('1m')).toBe(3);
  });

  it('applies whole or not at all: a failure while writing leaves nothing behind', () => {
    const store = fresh();
    store.db.exec(`CREATE TRIGGER fail_on_daily BEFORE INSERT ON bars_1d BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;`);
    const text = '20110103 143100;126.7;126.8;126.6;126.7;1000\n20110103 143200;126.7;126.8;126.6;126.7;1000';
    expect(() => importHistory(store, cal, { file: 'x.csv', text, format: 'ninjatrader', symbol: 'SPY' })).toThrow(/disk trouble/);
    expect(store.countBars('1m')).toBe(0);
    expect(store.countBars('5m')).toBe(0);
    expect((store.db.prepare('SELECT count(*) AS n FROM imports').get() as { n: number }).n).toBe(0);
  });
});

describe('importer: formats', () => {
  it('generic CSV with New York wall times stamped at bar end, mapped columns', () => {
    const store = fresh();
    const text = 'When,O,H,L,C,Vol\n2011-01-03 09:31,126.7,126.8,126.6,126.7,100\n2011-01-03 09:32,126.7,126.9,126.6,126.8,200\n';
    const r = importHistory(store, cal, {
      file: 'x.csv',
      text,
      format: 'csv',
      symbol: 'SPY',
      csv: { timeZone: 'America/New_York', stamp: 'end', columns: { time: 'When', open: 'O', high: 'H', low: 'L', close: 'C', volume: 'Vol' } },
    });
    expect(r.accepted).toBe(2);
    expect(store.loadBars('SPY', '1m')[0]!.start).toBe(Date.UTC(2011, 0, 3, 14, 30));
  });

  it('generic CSV with epoch seconds and auto-detected columns; a missing column is a clear error', () => {
    const store = fresh();
    const t = Date.UTC(2011, 0, 3, 14, 30) / 1000;
    const r = importHistory(store, cal, { file: 'x.csv', text: `timestamp,open,high,low,close,volume\n${t},1,2,0.5,1.5,10\n`, format: 'csv', symbol: 'SPY' });
    expect(r.accepted).toBe(1);
    expect(() => importHistory(store, cal, { file: 'y.csv', text: 'time,open,high,low,close\n', format: 'csv', symbol: 'SPY' })).toThrow(/no volume column/);
  });

  it('Polygon aggregates JSON (t = window start in ms)', () => {
    const store = fresh();
    const t = Date.UTC(2011, 0, 3, 14, 30);
    const text = JSON.stringify({ ticker: 'SPY', results: [{ t, o: 1, h: 2, l: 0.5, c: 1.5, v: 10 }, { t: t + 60_000, o: 1.5, h: 2, l: 1, c: 1.2, v: 'x' }] });
    const r = importHistory(store, cal, { file: 'p.json', text, format: 'polygon', symbol: 'SPY' });
    expect(r.accepted).toBe(1);
    expect(r.rejected).toEqual({ non_numeric: 1 });
    expect(() => importHistory(store, cal, { file: 'p.json', text, format: 'polygon', symbol: 'QQQ' })).toThrow(/SPY aggregates, not QQQ/);
  });

  it('Alpaca bars JSON, single- and multi-symbol', () => {
    const store = fresh();
    const bar = { t: '2011-01-03T14:30:00Z', o: 1, h: 2, l: 0.5, c: 1.5, v: 10, n: 3, vw: 1.2 };
    expect(importHistory(store, cal, { file: 'a.json', text: JSON.stringify({ bars: [bar], symbol: 'SPY' }), format: 'alpaca', symbol: 'SPY' }).accepted).toBe(1);
    const multi = JSON.stringify({ bars: { QQQ: [bar] } });
    expect(importHistory(store, cal, { file: 'b.json', text: multi, format: 'alpaca', symbol: 'QQQ' }).inserted).toBe(1);
    expect(() => importHistory(store, cal, { file: 'b.json', text: multi, format: 'alpaca', symbol: 'SPY' })).toThrow(/not SPY/);
  });
});

// Security review, issue 12: what an import says about a file, and what a file that holds no bars does.
const importsRows = (store: HistoryStore): number => (store.db.prepare('SELECT count(*) AS n FROM imports').get() as { n: number }).n;
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected the import to fail');
};

describe('importer: messages never quote the file (issue 12)', () => {
  it('when a JSON file is not JSON then the error names the file and quotes none of it', () => {
    const store = fresh();
    const text = 'root:x:0:0:SECRET-7f3a:/root:/bin/bash\n';
    for (const format of ['polygon', 'alpaca'] as const) {
      const message = messageOf(() => importHistory(store, cal, { file: 'bars.json', text, format, symbol: 'SPY' }));
      expect(message).toMatch(/^bars\.json: not valid JSON/);
      expect(message).not.toContain('root:x');
      expect(message).not.toContain('SECRET-7f3a');
    }
  });

  it('when a CSV header lacks a column then the header is described, not repeated', () => {
    const store = fresh();
    const text = 'ALPACA_SECRET=sk-live-123,x,y\n1,2,3\n';
    const message = messageOf(() => importHistory(store, cal, { file: 'env.csv', text, format: 'csv', symbol: 'SPY' }));
    expect(message).toMatch(/^env\.csv: no time column found in the header/);
    expect(message).not.toContain('sk-live-123');
    expect(message).not.toContain('ALPACA_SECRET');
  });

  it('when a line is far longer than any bar row then the import stops naming the line, not its text', () => {
    const store = fresh();
    const message = messageOf(() => importHistory(store, cal, { file: 'blob.txt', text: `SECRET${'A'.repeat(70_000)}\n`, format: 'ninjatrader', symbol: 'SPY' }));
    expect(message).toMatch(/^blob\.txt: line 1 is longer than/);
    expect(message).not.toContain('SECRET');
  });
});

describe('importer: files that hold no bars (issue 12)', () => {
  it('when a file is empty or random bytes then nothing is written, not even the import record, and the one-line reason names the file', () => {
    const store = fresh();
    let seed = 7;
    const random = Array.from({ length: 4096 }, () => String.fromCharCode((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256)).join('');
    expect(messageOf(() => importHistory(store, cal, { file: 'empty.txt', text: '', format: 'ninjatrader', symbol: 'SPY' }))).toMatch(/^empty\.txt: no bars found/);
    const message = messageOf(() => importHistory(store, cal, { file: 'noise.bin', text: random, format: 'ninjatrader', symbol: 'SPY' }));
    expect(message).toMatch(/^noise\.bin: no valid bars in \d+ rows \(/);
    expect(message.split('\n')).toHaveLength(1);
    expect(importsRows(store)).toBe(0);
    expect(store.countBars('1m')).toBe(0);
  });

  it('when a NinjaTrader export starts with a UTF-8 byte-order mark then its first row is kept', () => {
    const store = fresh();
    const text = '\uFEFF20110103 143100;126.7;126.8;126.6;126.7;1000\n20110103 143200;126.7;126.8;126.6;126.7;1000\n';
    const r = importHistory(store, cal, { file: 'bom.txt', text, format: 'ninjatrader', symbol: 'SPY' });
    expect(r.rejected).toEqual({});
    expect(r.accepted).toBe(2);
  });

  it('when a price is written in hex or with an exponent then the row is non-numeric, not a bar', () => {
    const store = fresh();
    const text = [
      '20110103 143100;0x7E;126.8;126.6;126.7;1000', // 126 in hex
      '20110103 143200;126.7;1.268e2;126.6;126.7;1000', // 126.8 with an exponent
      '20110103 143300;126.7;126.8;126.6;126.7;Infinity',
      '20110103 143400;126.7;126.8;126.6;126.7;1000',
    ].join('\n');
    const r = importHistory(store, cal, { file: 'odd.txt', text, format: 'ninjatrader', symbol: 'SPY' });
    expect(r.rejected).toEqual({ non_numeric: 3 });
    expect(r.accepted).toBe(1);
    const csv = 'time,open,high,low,close,volume\n2011-01-03T14:30:00Z,0x7E,126.8,126.6,126.7,10\n2011-01-03T14:31:00Z,126.7,126.8,126.6,126.7,10\n';
    expect(importHistory(store, cal, { file: 'odd.csv', text: csv, format: 'csv', symbol: 'QQQ' }).rejected).toEqual({ non_numeric: 1 });
  });
});
