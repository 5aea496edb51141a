// The pre-market focus list: ranking, liquidity and volatility filters, gap and anomaly flags, and the
// 09:15 New York schedule on trading days only (weekends and holidays skipped), stored in focus_lists.
import { afterEach, describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { nyDateKey, nyParts } from '../../../src/main/calendar/ny-time';
import { SimulatedClock } from '../../../src/main/engine/clock';
import type { DailyBar } from '../../../src/main/features/streaming';
import { buildFocusList, FocusListJob, FocusListStore, focusMetrics, toStored, type FocusCandidate } from '../../../src/main/signals/focus-list';
import { openDatabase, type Db } from '../../../src/main/store/database';

/** `n` daily bars before 2025-03-03 with a steady drift per day, a ±range% high/low and a volume. */
function days(n: number, opts: { start?: number; drift?: number; range?: number; volume?: number } = {}): DailyBar[] {
  const out: DailyBar[] = [];
  let close = opts.start ?? 100;
  const base = Date.parse('2025-01-01T12:00:00Z');
  for (let i = 0; i < n; i++) {
    const next = close * (1 + (opts.drift ?? 0));
    const r = opts.range ?? 0.01;
    out.push({ date: new Date(base + i * 86_400_000).toISOString().slice(0, 10), open: close, high: Math.max(close, next) * (1 + r), low: Math.min(close, next) * (1 - r), close: next, volume: opts.volume ?? 2e6 });
    close = next;
  }
  return out;
}

const DATE = '2025-03-03';
const cand = (symbol: string, d: DailyBar[], extra: Partial<FocusCandidate> = {}): FocusCandidate => ({ symbol, days: d, lastPrice: d[d.length - 1]!.close, modelScore: null, ...extra });

describe('buildFocusList', () => {
  it('filters on liquidity and volatility with the reason, and ranks the rest by the blend', () => {
    const list = buildFocusList({
      date: DATE,
      universe: [
        cand('THIN', days(30, { volume: 1000 })),
        cand('QUIET', days(30, { range: 0.0005 })),
        cand('WILD', days(30, { range: 0.08 })),
        cand('TREND', days(30, { drift: 0.006 })),
        cand('FLAT', days(30)),
      ],
    });
    expect(list.picks.map((p) => p.symbol)).toEqual(['TREND', 'FLAT']);
    expect(list.picks[0]!.rank).toBe(1);
    expect(list.picks[0]!.score).toBeGreaterThan(list.picks[1]!.score);
    const why = Object.fromEntries(list.rejected.map((r) => [r.symbol, r.reason]));
    expect(why.THIN).toMatch(/^illiquid: avg \$ volume .* < 50\.0M$/);
    expect(why.QUIET).toMatch(/^too quiet: ATR/);
    expect(why.WILD).toMatch(/^too volatile: ATR/);
    expect(list.picks[0]!.reasons.join(', ')).toMatch(/^avg \$ volume \d.*, ATR \d+\.\d%, gap \+0\.0%, momentum \+\d+\.\d% \(no model\)$/);
  });

  it('uses the model score when present (conviction either way), and caps the picks at maxPicks', () => {
    const universe = ['A', 'B', 'C', 'D'].map((s, i) => cand(s, days(30), { modelScore: [0.55, 0.2, 0.9, 0.5][i]! }));
    const list = buildFocusList({ date: DATE, universe, options: { maxPicks: 2 } });
    expect(list.picks.map((p) => p.symbol)).toEqual(['C', 'B']);
    expect(list.picks[0]!.reasons).toContain('model 0.90');
    expect(list.rejected.map((r) => r.symbol)).toEqual(['A', 'D']);
    expect(list.rejected[0]!.reason).toMatch(/^ranked #3 .*below the top 2/);
  });

  it('counts a gap as a plus and flags an anomaly without excluding it', () => {
    const d = days(30);
    const prev = d[d.length - 1]!.close;
    const list = buildFocusList({
      date: DATE,
      universe: [cand('NOGAP', d), cand('GAP', d, { lastPrice: prev * 1.015 }), cand('HUGE', d, { lastPrice: prev * 1.2 })],
    });
    expect(list.picks.map((p) => p.symbol)).toEqual(['HUGE', 'GAP', 'NOGAP']);
    const gap = list.picks.find((p) => p.symbol === 'GAP')!;
    expect(gap.flags).toEqual(['gap']);
    expect(gap.reasons).toContain('gap +1.5% (gap)');
    const huge = list.picks.find((p) => p.symbol === 'HUGE')!;
    expect(huge.flags).toEqual(['gap', 'anomaly']);
    expect(huge.reasons.at(-1)).toMatch(/^ANOMALY: gap is \d+\.\d× the daily ATR$/);
  });

  it('reads only days before the date, and rejects a symbol without history', () => {
    const d = days(30);
    const future = [...d, { date: '2025-03-03', open: 1, high: 1e6, low: 1, close: 1e5, volume: 1 }];
    expect(focusMetrics(cand('X', future, { lastPrice: d[29]!.close }), DATE)).toEqual(focusMetrics(cand('X', d), DATE));
    const list = buildFocusList({ date: DATE, universe: [{ symbol: 'NEW', days: [], lastPrice: 10, modelScore: null }] });
    expect(list.picks).toEqual([]);
    expect(list.rejected).toEqual([{ symbol: 'NEW', reason: 'only 0 daily bars before 2025-03-03 (needs 1)' }]);
  });

  it('says when fewer than 20 days were averaged, and falls back to the prior close without a price', () => {
    const d = days(3);
    const m = focusMetrics({ symbol: 'X', days: d, lastPrice: null, modelScore: null }, DATE);
    expect(typeof m === 'object' && m.gapPct).toBe(0);
    const list = buildFocusList({ date: DATE, universe: [cand('X', d)] });
    expect(list.picks[0]!.reasons[0]).toMatch(/\(3 days\)$/);
  });
});

describe('FocusListJob', () => {
  let db: Db | null = null;
  afterEach(() => db?.close());

  it('fires at 09:15 New York on trading days only (not over a weekend or on a holiday) and stores the list', () => {
    const calendar = new NyseCalendar();
    // Friday 2025-01-17, 08:00 ET; Monday 2025-01-20 is Martin Luther King Jr. Day.
    const clock = new SimulatedClock(calendar.session('2025-01-17')!.preOpen + 4 * 3_600_000);
    db = openDatabase(':memory:');
    const store = new FocusListStore(db);
    const fired: Array<{ date: string; at: string }> = [];
    const job = new FocusListJob(clock, calendar, (date) => {
      const p = nyParts(clock.now());
      fired.push({ date, at: `${nyDateKey(clock.now())} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}` });
      store.save(toStored(buildFocusList({ date, universe: [cand('AAPL', days(30))] }), clock.now()));
    });
    job.start();
    expect(job.next?.sessionDate).toBe('2025-01-17');
    clock.advanceTo(calendar.session('2025-01-22')!.open - 60 * 60_000); // Wednesday 08:30 ET
    expect(fired).toEqual([
      { date: '2025-01-17', at: '2025-01-17 09:15' },
      { date: '2025-01-21', at: '2025-01-21 09:15' },
    ]);
    expect(job.next?.sessionDate).toBe('2025-01-22');
    expect(store.get('2025-01-20')).toBeNull();
    expect(store.latest()?.date).toBe('2025-01-21');
    expect(store.latest()?.picks.map((p) => p.symbol)).toEqual(['AAPL']);
    // Stopped: no more runs.
    job.stop();
    clock.advanceTo(calendar.session('2025-01-23')!.close);
    expect(fired).toHaveLength(2);
  });

  it('catches up once when started after 09:15 of a session, and not after the close', () => {
    const calendar = new NyseCalendar();
    const clock = new SimulatedClock(calendar.session('2025-03-03')!.open);
    const fired: string[] = [];
    const job = new FocusListJob(clock, calendar, (d) => fired.push(d));
    job.start();
    expect(job.catchUp()).toBe('2025-03-03');
    expect(job.catchUp()).toBeNull();
    clock.advanceTo(calendar.session('2025-03-04')!.open);
    expect(fired).toEqual(['2025-03-03', '2025-03-04']);
    job.stop();
    const late = new FocusListJob(new SimulatedClock(calendar.session('2025-03-03')!.close + 60_000), calendar, (d) => fired.push(d));
    expect(late.catchUp()).toBeNull();
  });
});
