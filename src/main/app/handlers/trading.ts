// The trading channels: the kill switch, resuming entries, the LIVE confirmation, and flattening
// positions on the trader's word.
import type { EngineConfig } from '../../config/config';
import type { PositionManager } from '../../execution/position-manager';
import type { Logger } from '../../logging/logger';
import type { RiskLedger } from '../../risk/risk-ledger';
import type { TradingStateMachine } from '../../risk/trading-state';
import { RefusalError } from '../../ipc/dispatcher';
import type { DomainHandlers } from './combine';

/** The cause of the REDUCING state a LIVE session starts in, until the trader confirms. */
export const LIVE_WAIT_CAUSE = 'LIVE session';

/** Whether this session trades real money, and whether the trader has confirmed it (typed LIVE). */
export interface LiveConfirmation {
  readonly live: boolean;
  confirmed: boolean;
}

export interface TradingHandlerDeps {
  config: Pick<EngineConfig, 'watchlist'>;
  trading: Pick<TradingStateMachine, 'state' | 'change' | 'killSwitch'>;
  ledger: Pick<RiskLedger, 'day'>;
  positions: Pick<PositionManager, 'flatten'>;
  brokerLabel: string;
  live: LiveConfirmation;
  log: Pick<Logger, 'warn'>;
}

export function tradingHandlers(deps: TradingHandlerDeps): DomainHandlers<'trading.killSwitch' | 'trading.resume' | 'trading.confirmLive' | 'positions.flatten'> {
  const { trading, ledger, live } = deps;
  return {
    'trading.killSwitch': ({ reason }) => trading.killSwitch(reason),
    'positions.flatten': async ({ symbol }) => {
      if (symbol !== undefined && !deps.config.watchlist.includes(symbol)) throw new RefusalError('BAD_REQUEST', `positions.flatten: ${symbol} is not in the watchlist`);
      return deps.positions.flatten(symbol ?? null, symbol ? `flatten ${symbol} by the trader` : 'flatten all by the trader');
    },
    'trading.resume': () => {
      if (trading.state.state === 'ACTIVE') return trading.state;
      if (live.live && !live.confirmed) throw new RefusalError('REFUSED', 'this is a LIVE session: confirm live trading first (type LIVE), then entries are allowed');
      const day = ledger.day();
      if (day.realizedPnl <= -day.maxDailyLoss) {
        // The max daily loss is a limit, not a warning: entries stay off until the next trading day.
        throw new RefusalError('REFUSED', `the daily loss limit was reached on ${day.tradingDay} (realised ${day.realizedPnl.toFixed(2)}, max loss ${day.maxDailyLoss.toFixed(2)}); entries resume on the next trading day`);
      }
      return trading.change('ACTIVE', 'resumed by the trader');
    },
    'trading.confirmLive': ({ phrase }) => {
      if (!live.live) throw new RefusalError('REFUSED', `this session trades ${deps.brokerLabel}, not a live account: there is nothing to confirm`);
      if (phrase !== 'LIVE') throw new RefusalError('BAD_REQUEST', 'trading.confirmLive: type LIVE (capitals) to confirm trading with real money');
      live.confirmed = true;
      deps.log.warn('live trading confirmed by the trader');
      // The confirmation lifts only the wait for it: a kill switch, a loss limit or a position mismatch
      // (anything else that stopped entries) still needs the trader's resume and its checks.
      if (trading.state.state !== 'REDUCING' || !trading.state.cause.startsWith(LIVE_WAIT_CAUSE)) return trading.state;
      const day = ledger.day();
      if (day.state !== 'ACTIVE' || day.realizedPnl <= -day.maxDailyLoss) return trading.state;
      return trading.change('ACTIVE', 'LIVE trading confirmed by the trader');
    },
  };
}
