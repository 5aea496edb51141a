// Execution benchmarks: the pre-trade checks alone (every order runs them), and a whole entry through
// the engine: size, check, persist to SQLite (file, WAL), send to the simulated broker, fill on the next
// bar, protective stop placed, and the exit that closes it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NyseCalendar } from '../src/main/calendar/nyse';
import { nyWallToUtc } from '../src/main/calendar/ny-time';
import { checkPreTrade, riskLimits, type PreTradeContext, type ProposedOrder } from '../src/main/risk/pre-trade';
import { manualEngine } from '../test/helpers/engine';
import { machine, summarize, type BenchResult } from './lib';

export async function preTradeLatency(): Promise<BenchResult> {
  const calendar = new NyseCalendar();
  const now = nyWallToUtc(2024, 11, 26, 10, 30);
  const limits = riskLimits();
  const positions = Array.from({ length: 20 }, (_, i) => ({ symbol: `S${i}`, qty: 10, avgEntryPrice: 20 }));
  const ctx: PreTradeContext = {
    now,
    calendar,
    tradingState: 'ACTIVE',
    lastBar: { symbol: 'AAA', timeframe: '1m', start: now - 60_000, open: 100, high: 100, low: 100, close: 100, volume: 1_000 },
    lastTradePrice: 100,
    symbolStatus: null,
    featuresWarm: true,
    market: { spyGapPct: 0.1, vix: 15 },
    recentSubmits: Array.from({ length: 8 }, (_, i) => ({ time: now - 30_000 + i, symbol: `S${i}`, side: 'buy' as const, qty: 10, type: 'limit' as const })),
    positions,
    working: [{ symbol: 'AAA', qty: 5, avgEntryPrice: 100 }],
    positionValueOpen: 4_500,
    capitalAtRiskUsed: 500,
    sectorOf: new Map(positions.map((p, i) => [p.symbol, i % 2 ? 'Tech' : 'Energy'])),
  };
  const proposal: ProposedOrder = {
    order: { clientOrderId: 'e', symbol: 'AAA', side: 'buy', qty: 4, type: 'limit', timeInForce: 'ioc', limitPrice: 100.5, intent: 'entry', reason: 'bench' },
    riskStop: 99,
    entry: true,
  };
  const samples: number[] = [];
  let ok = 0;
  for (let run = 0; run < 40; run++) {
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) if (checkPreTrade(proposal, ctx, limits).ok) ok++;
    samples.push(((performance.now() - t0) * 1000) / n);
  }
  if (ok === 0) throw new Error('the benchmark order was refused');
  const s = summarize(samples.slice(5));
  return { name: 'risk.checkPreTrade (all 16 checks pass, 20 positions)', unit: 'µs per order', median: s.median, p99: s.p99, samples: samples.length - 5, machine: machine() };
}

export async function entryRoundTrip(): Promise<BenchResult> {
  const db = join(mkdtempSync(join(tmpdir(), 'bench-exec-')), 'history.sqlite');
  const m = manualEngine({ TRADING_WATCHLIST: 'SPY,QQQ,AAPL,MSFT', TRADING_DB_PATH: db, TRADING_MAX_ORDERS_PER_MINUTE: '10000', TRADING_EXIT_PEAK_PCT: '0' });
  await m.engine.start();
  m.minutes(5);
  const samples: number[] = [];
  const symbols = ['SPY', 'QQQ', 'AAPL', 'MSFT'];
  for (let i = 0; i < 150; i++) {
    const symbol = symbols[i % symbols.length]!;
    const last = m.engine.cache.quote(symbol)!.last;
    const t0 = performance.now();
    const r = await m.engine.risk.submitEntry({ symbol, side: 'buy', qty: 1, stopPrice: Math.round(last * 0.97 * 100) / 100, reason: 'bench' });
    if (!r.ok) throw new Error(`entry refused: ${r.check} ${r.reason}`);
    m.minutes(1); // fills, and its protective stop is placed
    await m.engine.dispatch('positions.flatten', { symbol }); // cancels the stop, sends the flatten
    m.minutes(1); // the flatten fills
    samples.push(performance.now() - t0);
    if (m.engine.orders.positions().length > 0) throw new Error('a position was left open');
  }
  await m.engine.stop();
  const s = summarize(samples.slice(15));
  return {
    name: 'execution round trip (entry sized+checked+stored → fill → protective stop → flatten → fill, SQLite file, 2 simulated minutes of 4 symbols)',
    unit: 'ms',
    median: s.median,
    p99: s.p99,
    samples: samples.length - 15,
    machine: machine(),
  };
}

export const executionBenchmarks = [preTradeLatency, entryRoundTrip];
