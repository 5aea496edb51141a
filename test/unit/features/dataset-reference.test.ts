// buildDataset (columnar, geometrically grown storage) against the straightforward implementation it
// replaced (test/helpers/dataset-reference.ts: a row object and a feature array per bar, a symbol →
// row list map for the labels): the same rows, symbols, starts, features, labels and meta, byte for byte,
// on several thousand synthetic rows of four symbols with pre- and post-market bars, missing
// minutes, unchanged closes (label_up NaN), session closes (forward labels NaN), an early close,
// daily bars seeded from the store, a VIX series or the proxy, warm-up choices and empty ranges.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { SeededRandom } from '../../../src/main/engine/random';
import { buildDataset, LABEL_NAMES, type Dataset, type DatasetRequest } from '../../../src/main/features/dataset';
import { FEATURE_NAMES } from '../../../src/main/features/spec';
import { openDatabase } from '../../../src/main/store/database';
import { HistoryStore, type StoredBar } from '../../../src/main/store/history-store';
import { syntheticDailyBars } from '../../helpers/daily-bars';
import { referenceBuildDataset } from '../../helpers/dataset-reference';

const calendar = new NyseCalendar();
let store: HistoryStore;

/** Minute bars (pre, regular, post) of four symbols over late November 2024 (with the early close). */
function minuteBars(): StoredBar[] {
  const rng = new SeededRandom(21);
  const out: StoredBar[] = [];
  const symbols = ['QQQ', 'AAA', 'SPY', 'BBB'];
  const px = symbols.map(() => 50 + rng.next() * 200);
  for (const day of calendar.tradingDays('2024-11-18', '2024-12-03')) {
    const s = calendar.session(day)!;
    for (let t = s.preOpen + 300 * 60_000; t < s.postClose - 200 * 60_000; t += 60_000) {
      const part = t < s.open ? 'pre' : t < s.close ? 'regular' : 'post';
      symbols.forEach((symbol, j) => {
        if (rng.next() < (symbol === 'BBB' ? 0.15 : 0.02)) return; // missing minutes
        const o = px[j]!;
        // Cent prices and frequent unchanged closes: ties for label_up_1.
        const c = rng.next() < 0.25 ? o : Math.max(1, Math.round(o * Math.exp(rng.normal() * 0.001) * 100) / 100);
        px[j] = c;
        out.push({ symbol, timeframe: '1m', start: t, open: o, high: Math.max(o, c) + 0.01, low: Math.min(o, c) - 0.01, close: c, volume: 100 * (1 + rng.int(50)), part });
      });
    }
  }
  return out;
}

beforeAll(() => {
  store = new HistoryStore(openDatabase(join(mkdtempSync(join(tmpdir(), 'dataset-ref-')), 'h.sqlite')));
  store.insertBars('1m', minuteBars());
  for (const [i, symbol] of ['SPY', 'QQQ', 'AAA'].entries()) store.insertBars('1d', syntheticDailyBars(symbol, { from: '2024-06-03', days: 110, phi: 0, seed: 40 + i }));
});

function expectSame(got: Dataset, want: Dataset): void {
  expect(got.meta).toEqual(want.meta);
  expect(got.symbol).toEqual(want.symbol);
  expect(Buffer.from(got.start.buffer, got.start.byteOffset, got.start.byteLength).equals(Buffer.from(want.start.buffer, want.start.byteOffset, want.start.byteLength))).toBe(true);
  expect(got.start.length).toBe(want.start.length);
  const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  expect(got.features).toHaveLength(want.features.length);
  got.features.forEach((col, f) => {
    if (!bytes(col).equals(bytes(want.features[f]!))) throw new Error(`feature ${FEATURE_NAMES[f]} differs`);
  });
  got.labels.forEach((col, k) => {
    if (!bytes(col).equals(bytes(want.labels[k]!))) throw new Error(`label ${LABEL_NAMES[k]} differs`);
  });
}

const VIX = calendar.tradingDays('2024-10-01', '2024-12-31').map((date, i) => ({ date, close: 14 + (i % 7) }));

describe('buildDataset against the straightforward reference', () => {
  const cases: Array<[string, DatasetRequest]> = [
    ['four symbols, VIX series, default warm-up', { symbols: ['AAA', 'BBB', 'QQQ', 'SPY'], from: '2024-11-25', to: '2024-12-03', vix: VIX }],
    ['the VIX proxy (no series), no warm-up, from a Saturday to a Sunday', { symbols: ['SPY', 'QQQ', 'AAA'], from: '2024-11-23', to: '2024-12-01', warmupSessions: 0 }],
    ['one symbol, one session (the early close)', { symbols: ['BBB'], from: '2024-11-29', to: '2024-11-29', warmupSessions: 2 }],
    ['a symbol with no bars among others', { symbols: ['SPY', 'ZZZ', 'AAA'], from: '2024-11-26', to: '2024-11-27', vix: VIX }],
    ['a range with no sessions (Thanksgiving)', { symbols: ['SPY', 'AAA'], from: '2024-11-28', to: '2024-11-28' }],
  ];
  for (const [label, request] of cases) {
    it(label, () => {
      const want = referenceBuildDataset(store, calendar, request);
      const got = buildDataset(store, calendar, request);
      expectSame(got, want);
      if (label.startsWith('four')) {
        // Several thousand rows, and the edge cases are really in them.
        expect(got.meta.rows).toBeGreaterThan(8_000);
        const up = got.labels[3]!;
        const fwd1 = got.labels[0]!;
        let ties = 0;
        let closes = 0;
        for (let i = 0; i < got.meta.rows; i++) {
          if (fwd1[i] === 0 && Number.isNaN(up[i]!)) ties++;
          if (Number.isNaN(fwd1[i]!)) closes++;
        }
        expect(ties).toBeGreaterThan(100);
        expect(closes).toBeGreaterThan(20);
        expect(got.meta.vix).toBe('series');
      }
    });
  }

  it('refuses from after to, like the reference', () => {
    expect(() => buildDataset(store, calendar, { symbols: ['SPY'], from: '2024-12-02', to: '2024-11-29' })).toThrow(RangeError);
  });
});
