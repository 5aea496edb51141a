// The ways a backtest ends without a result: settings it cannot run with, or the trader's cancel.

/** Settings a backtest cannot run with (missing history, an unknown model): the message says what to do. */
export class BacktestInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestInputError';
  }
}

export class BacktestCanceled extends Error {
  constructor() {
    super('the backtest was canceled');
    this.name = 'BacktestCanceled';
  }
}
