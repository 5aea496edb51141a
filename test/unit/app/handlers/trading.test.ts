import { describe, expect, it } from 'vitest';
import { MessageBus } from '../../../../src/main/engine/bus';
import { SimulatedClock } from '../../../../src/main/engine/clock';
import type { EngineBus } from '../../../../src/main/engine/topics';
import { RefusalError } from '../../../../src/main/ipc/dispatcher';
import { createMemoryLogger } from '../../../../src/main/logging/logger';
import type { RiskDay } from '../../../../src/main/risk/risk-ledger';
import { TradingStateMachine } from '../../../../src/main/risk/trading-state';
import { LIVE_WAIT_CAUSE, tradingHandlers, type LiveConfirmation } from '../../../../src/main/app/handlers/trading';

const NOW = Date.UTC(2025, 2, 3, 15, 0);

function desk(live: boolean, realizedPnl = 0) {
  const bus: EngineBus = new MessageBus();
  const clock = new SimulatedClock(NOW);
  const trading = new TradingStateMachine(bus, clock, createMemoryLogger());
  const confirmation: LiveConfirmation = { live, confirmed: false };
  if (live) trading.change('REDUCING', `${LIVE_WAIT_CAUSE}: confirm live trading in the cockpit to allow entries`);
  const day: RiskDay = { tradingDay: '2025-03-03', positionValueLimit: 10_000, capitalAtRiskCap: 200, capitalAtRiskUsed: 0, realizedPnl, maxDailyLoss: 400, state: 'ACTIVE', updatedAt: NOW };
  const flattened: Array<[string | null, string]> = [];
  const handlers = tradingHandlers({
    config: { watchlist: ['SPY', 'AAPL'] },
    trading,
    ledger: { day: () => day },
    positions: {
      flatten: async (symbol, cause) => {
        flattened.push([symbol, cause]);
        return { closed: 1 };
      },
    },
    brokerLabel: live ? 'Alpaca (live)' : 'Alpaca (paper)',
    live: confirmation,
    log: createMemoryLogger(),
  });
  return { handlers, trading, confirmation, flattened };
}

const refusal = async (fn: () => unknown): Promise<RefusalError> => {
  try {
    await fn();
  } catch (error) {
    if (error instanceof RefusalError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('trading handlers', () => {
  it('when the trader types anything but LIVE then the live session stays REDUCING', async () => {
    const { handlers, trading, confirmation } = desk(true);
    expect((await refusal(() => handlers['trading.confirmLive']({ phrase: 'live' }))).code).toBe('BAD_REQUEST');
    expect(confirmation.confirmed).toBe(false);
    expect(trading.state.state).toBe('REDUCING');
    expect((await refusal(() => handlers['trading.resume']({ confirm: true }))).code).toBe('REFUSED');
  });

  it('when the trader types LIVE then entries are allowed', async () => {
    const { handlers, confirmation } = desk(true);
    expect(await handlers['trading.confirmLive']({ phrase: 'LIVE' })).toMatchObject({ state: 'ACTIVE', cause: 'LIVE trading confirmed by the trader' });
    expect(confirmation.confirmed).toBe(true);
  });

  it('when the day hit its loss limit then confirming LIVE lifts only the wait, and resume is refused', async () => {
    const { handlers, trading } = desk(true, -450);
    expect(await handlers['trading.confirmLive']({ phrase: 'LIVE' })).toMatchObject({ state: 'REDUCING' });
    expect((await refusal(() => handlers['trading.resume']({ confirm: true }))).message).toContain('daily loss limit');
    expect(trading.state.state).toBe('REDUCING');
  });

  it('a paper session has nothing to confirm', async () => {
    const { handlers } = desk(false);
    const e = await refusal(() => handlers['trading.confirmLive']({ phrase: 'LIVE' }));
    expect(e.code).toBe('REFUSED');
    expect(e.message).toContain('Alpaca (paper)');
  });

  it('flattening a symbol outside the watchlist is refused; one inside is sent with the trader as the cause', async () => {
    const { handlers, flattened } = desk(false);
    expect((await refusal(() => handlers['positions.flatten']({ symbol: 'TSLA' }))).code).toBe('BAD_REQUEST');
    expect(await handlers['positions.flatten']({ symbol: 'SPY' })).toEqual({ closed: 1 });
    expect(await handlers['positions.flatten']({})).toEqual({ closed: 1 });
    expect(flattened).toEqual([['SPY', 'flatten SPY by the trader'], [null, 'flatten all by the trader']]);
  });
});
