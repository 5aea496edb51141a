// The order path alone (risk, execution, position manager, reconciler) on a real SQLite file with the
// simulated broker, driven bar by bar on a simulated clock: what the component tests of risk and of the
// position manager build on.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NyseCalendar } from '../../src/main/calendar/nyse';
import { BarCache } from '../../src/main/data/bar-cache';
import { MessageBus, type BusErrorReport } from '../../src/main/engine/bus';
import { SimulatedClock } from '../../src/main/engine/clock';
import type { EngineBus, EngineEndpoints, EngineTopics } from '../../src/main/engine/topics';
import { OrderStore } from '../../src/main/execution/order-store';
import { SimBroker } from '../../src/main/execution/sim-broker';
import { buildTradingCore, type TradingCore, type TradingCoreOptions } from '../../src/main/execution/trading-core';
import { FEATURE_NAMES } from '../../src/main/features/spec';
import { createMemoryLogger } from '../../src/main/logging/logger';
import { riskLimits, type RiskLimits } from '../../src/main/risk/pre-trade';
import { RiskLedger } from '../../src/main/risk/risk-ledger';
import { TradingStateMachine } from '../../src/main/risk/trading-state';
import { openDatabase, type Db } from '../../src/main/store/database';
import type { EventPayload } from '../../src/shared/contract';
import type { Bar, Order } from '../../src/shared/domain';

const MINUTE = 60_000;

export interface TradingRig {
  core: TradingCore;
  bus: EngineBus;
  clock: SimulatedClock;
  cache: BarCache;
  store: OrderStore;
  ledger: RiskLedger;
  trading: TradingStateMachine;
  db: Db;
  notices: Array<EventPayload<'app.notice'>>;
  updates: Order[];
  busErrors: BusErrorReport[];
  /**
   * One closed minute: the clock moves to its end, then each symbol's bar is published as the data engine
   * does (cache first, then the bus) with a warm feature row. Returns the minute's start.
   */
  minute(bars: Record<string, { open: number; high: number; low: number; close: number }>, opts?: { warm?: boolean; volume?: number }): number;
  /** Lets promise chains the bar started (background cancels, submits) finish. */
  settle(): Promise<void>;
  /** A new process on the same store and ledger: a fresh simulated broker (its working orders are gone) and a fresh order path. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** 2025-03-03 (a Monday) 10:00 New York: mid-session, far from the flatten. */
export const RIG_START = Date.UTC(2025, 2, 3, 15, 0);

export async function tradingRig(
  options: Omit<Partial<TradingCoreOptions>, 'limits'> & { limits?: Partial<RiskLimits>; maxParticipation?: number } = {},
  start = RIG_START,
): Promise<TradingRig> {
  const log = createMemoryLogger();
  const busErrors: BusErrorReport[] = [];
  const bus: EngineBus = new MessageBus<EngineTopics, EngineEndpoints>((r) => busErrors.push(r));
  const clock = new SimulatedClock(start);
  const calendar = new NyseCalendar();
  const cache = new BarCache();
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'rig-')), 'h.sqlite'));
  const store = new OrderStore(db);
  const limits = riskLimits(options.limits ?? {});
  const ledger = new RiskLedger(
    db,
    () => ({ positionValueLimit: limits.dailyPositionLimit, capitalAtRiskCap: (limits.dailyRiskPct / 100) * limits.bankroll, maxDailyLoss: 0.02 * limits.bankroll }),
    clock,
  );
  const trading = new TradingStateMachine(bus, clock, log.child('trading'));
  const { limits: _limits, maxParticipation: _participation, ...rest } = options;
  const build = (): TradingCore =>
    buildTradingCore(
      { bus, clock, calendar, cache, trading, store, ledger, broker: new SimBroker(clock, { calendar, bus, fillModel: { maxParticipation: options.maxParticipation ?? null } }), log },
      { ...rest, limits },
      () => {},
    );
  let core = build();
  const notices: Array<EventPayload<'app.notice'>> = [];
  const updates: Order[] = [];
  bus.subscribe('app.notice', (n) => notices.push(n));
  bus.subscribe('orders.update', (o) => updates.push(o));
  for (const c of core.components) await c.start();
  let minuteStart = start - MINUTE;
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    get core() {
      return core;
    },
    bus, clock, cache, store, ledger, trading, db, notices, updates, busErrors,
    minute(bars, opts = {}) {
      minuteStart += MINUTE;
      clock.advanceTo(Math.max(clock.now(), minuteStart + MINUTE));
      for (const [symbol, ohlc] of Object.entries(bars)) {
        const bar: Bar = { symbol, timeframe: '1m', start: minuteStart, ...ohlc, volume: opts.volume ?? 1_000_000 };
        cache.add(bar);
        bus.publish('market.bar', bar);
        if (opts.warm !== false) bus.publish('features.row', { symbol, start: bar.start, values: new Float64Array(FEATURE_NAMES.length), overlays: new Float64Array(0), bar });
      }
      return minuteStart;
    },
    settle,
    async restart() {
      for (const c of [...core.components].reverse()) await c.stop();
      core = build();
      for (const c of core.components) await c.start();
      await settle();
    },
    async stop() {
      for (const c of [...core.components].reverse()) await c.stop();
      db.close();
    },
  };
}

/** A flat bar at one price. */
export const flat = (p: number) => ({ open: p, high: p, low: p, close: p });
