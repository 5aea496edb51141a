// The backtest channel: named by the contract, not built yet, so it answers NOT_AVAILABLE.
import { RefusalError } from '../../ipc/dispatcher';
import type { DomainHandlers } from './combine';

export function backtestHandlers(): DomainHandlers<'backtest.run'> {
  return {
    'backtest.run': () => {
      throw new RefusalError('NOT_AVAILABLE', 'The backtester is not part of this build yet (the backtest issue); nothing was started');
    },
  };
}
