// The broker a mode asks for: the simulated one (SIMULATED), or Alpaca's paper or live account.
import type { NyseCalendar } from '../calendar/nyse';
import type { EngineConfig } from '../config/config';
import type { Clock } from '../engine/clock';
import type { EngineBus } from '../engine/topics';
import { AlpacaBroker } from '../execution/alpaca-broker';
import type { ExecutionBroker } from '../execution/execution-engine';
import type { FillSettings } from '../../shared/backtest';
import { feeScheduleOf } from '../execution/fees';
import { SimBroker, type SimBrokerConfig } from '../execution/sim-broker';
import type { Logger } from '../logging/logger';
import { EngineConfigError } from './config-error';

export interface BrokerDeps {
  /** Replaces the broker the mode picks (tests, backtests); built with the engine's clock, calendar and bus. */
  broker?: (parts: { clock: Clock; calendar: NyseCalendar; bus: EngineBus }) => ExecutionBroker;
  /** fetch for the Alpaca REST calls (tests pass one that refuses anything but loopback). */
  fetch?: typeof fetch;
  /** The simulated broker's fill model and fees (a backtest's settings; the paper session that reconciles with it). */
  simFills?: FillSettings;
}

/** The simulated broker's settings for a backtest's (or a paper session's) fill settings. */
export function simBrokerSettings(fills: FillSettings): Pick<SimBrokerConfig, 'fillModel' | 'fees' | 'latencyMs'> {
  return {
    fillModel: { slippage: fills.slippage, limitFill: fills.limitFill, maxParticipation: fills.maxParticipation },
    fees: feeScheduleOf(fills.fees),
    latencyMs: fills.latencyMs,
  };
}

/** The simulated broker (SIMULATED), or Alpaca's paper or live account; PAPER never reaches the live host. */
export function buildBroker(config: EngineConfig, deps: BrokerDeps, clock: Clock, calendar: NyseCalendar, bus: EngineBus, log: Logger): ExecutionBroker {
  if (deps.broker) return deps.broker({ clock, calendar, bus });
  // The simulated broker matches the bus's bars itself, in the venue phase.
  if (config.mode === 'SIMULATED') return new SimBroker(clock, { calendar, bus, ...(deps.simFills ? simBrokerSettings(deps.simFills) : {}) });
  if (!config.alpaca) throw new EngineConfigError(`TRADING_MODE=${config.mode.toLowerCase()} needs the Alpaca keys (TRADING_ALPACA_KEY_ID and TRADING_ALPACA_SECRET_KEY)`);
  const brokerLog = log.child('alpaca-broker');
  return new AlpacaBroker({
    keyId: config.alpaca.keyId,
    secretKey: config.alpaca.secretKey,
    live: config.mode === 'LIVE',
    ...(config.endpoints.alpacaTrading ? { restUrl: config.endpoints.alpacaTrading } : {}),
    ...(config.endpoints.alpacaTradingStream ? { streamUrl: config.endpoints.alpacaTradingStream } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    now: () => clock.now(),
    log: (level, message) => brokerLog[level](message),
  });
}
