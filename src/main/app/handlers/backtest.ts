// The backtest channels: named by the contract, not built yet, so they answer NOT_AVAILABLE.
import { RefusalError } from '../../ipc/dispatcher';
import type { DomainHandlers } from './combine';

type BacktestChannel = 'backtest.run' | 'backtest.cancel' | 'backtest.list' | 'backtest.get' | 'backtest.dayBars';

export function backtestHandlers(): DomainHandlers<BacktestChannel> {
  const refuse = (): never => {
    throw new RefusalError('NOT_AVAILABLE', 'The backtester is not part of this build yet (the backtest issue); nothing was started');
  };
  return { 'backtest.run': refuse, 'backtest.cancel': refuse, 'backtest.list': refuse, 'backtest.get': refuse, 'backtest.dayBars': refuse };
}
