// The order path's four components, wired the one way they fit together: risk approves, execution
// routes, the position manager runs every exit, the reconciler squares the book with the broker.
// The composition root (and the property test that drives the same path) builds them here; the
// order in `components` is their start order (the book is restored before the start reconciliation).
import type { StatusListener } from '../engine/lifecycle';
import type { SessionScheduler } from '../engine/session-scheduler';
import type { ExitRules } from '../risk/exits';
import { RiskEngine, type RiskOptions, type RiskParts } from '../risk/risk-engine';
import { ExecutionEngine, type ExecutionBroker } from './execution-engine';
import { PositionManager } from './position-manager';
import { Reconciler } from './reconciler';

/** Risk's parts (the session, the book, the ledger), the broker, and the engine's session schedule. */
export interface TradingCoreParts extends RiskParts {
  broker: ExecutionBroker;
  /** The engine's session schedule (the flatten time is one of its jobs). */
  scheduler?: SessionScheduler;
}

export interface TradingCoreOptions extends RiskOptions {
  /** Exit rules besides the stop and target each entry carries; the EOD flatten comes from the limits. */
  exits?: Omit<ExitRules, 'flattenMinutesBeforeClose'>;
  /** Hold each entry's hard stop at the broker as a stop order (default true). */
  protectiveStops?: boolean;
  /** Most of today's fills served by `orders.list` (default 2 000). */
  recentFills?: number;
}

export interface TradingCore {
  risk: RiskEngine;
  execution: ExecutionEngine;
  positions: PositionManager;
  reconciler: Reconciler;
  /** In start order. */
  components: [RiskEngine, ExecutionEngine, PositionManager, Reconciler];
}

export function buildTradingCore(parts: TradingCoreParts, options: TradingCoreOptions, onStatus: StatusListener): TradingCore {
  const { bus, clock, calendar, cache, trading, store, ledger, broker, log } = parts;
  const execution = new ExecutionEngine({ bus, clock, store, broker, log: log.child('execution') }, options.recentFills !== undefined ? { recentFills: options.recentFills } : {}, onStatus);
  const risk = new RiskEngine(
    { bus, clock, calendar, cache, trading, store, ledger, execution, log: log.child('risk'), ...(parts.vix ? { vix: parts.vix } : {}) },
    {
      limits: options.limits,
      ...(options.breaker ? { breaker: options.breaker } : {}),
      ...(options.sectorOf ? { sectorOf: options.sectorOf } : {}),
      ...(options.marketableLimitPct !== undefined ? { marketableLimitPct: options.marketableLimitPct } : {}),
    },
    onStatus,
  );
  const positions = new PositionManager(
    { bus, clock, calendar, cache, trading, store, risk, execution, log: log.child('positions'), ...(parts.scheduler ? { scheduler: parts.scheduler } : {}) },
    {
      flattenMinutesBeforeClose: options.limits.flattenMinutesBeforeClose,
      ...(options.exits ? { exits: options.exits } : {}),
      ...(options.protectiveStops !== undefined ? { protectiveStops: options.protectiveStops } : {}),
    },
    onStatus,
  );
  const reconciler = new Reconciler({ bus, clock, store, broker, execution, trading, log: log.child('reconciler') }, onStatus);
  return { risk, execution, positions, reconciler, components: [risk, execution, positions, reconciler] };
}
