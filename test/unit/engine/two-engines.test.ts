import { describe, expect, it } from 'vitest';
import { manualEngine } from '../../helpers/engine';

describe('two engines in one process', () => {
  it('share no state: clocks, caches, trading state and buses are their own', async () => {
    const a = manualEngine({ TRADING_SIM_SEED: '1', TRADING_WATCHLIST: 'SPY,QQQ' });
    const b = manualEngine({ TRADING_SIM_SEED: '2', TRADING_WATCHLIST: 'SPY,AAPL,MSFT' });
    expect(a.engine.id).not.toBe(b.engine.id);
    await a.engine.start();
    await b.engine.start();

    a.minutes(30);
    expect(a.bars).toHaveLength(60);
    expect(b.bars).toHaveLength(0); // b's clock did not move
    expect(b.clock.now()).toBeLessThan(a.clock.now());

    b.minutes(10);
    expect(b.bars).toHaveLength(30);
    expect(a.bars).toHaveLength(60);
    expect(a.engine.cache.lastBar('SPY')!.close).not.toBe(b.engine.cache.lastBar('SPY')!.close);
    expect(a.engine.cache.quote('AAPL')).toBeNull();

    await a.engine.dispatch('trading.killSwitch', { reason: 'only a' });
    expect(a.engine.trading.state.state).toBe('HALTED');
    expect(b.engine.trading.state.state).toBe('ACTIVE');

    const infoA = await a.engine.dispatch('market.watchlist', {});
    const infoB = await b.engine.dispatch('market.watchlist', {});
    expect(infoA).toMatchObject({ ok: true, data: { symbols: ['SPY', 'QQQ'] } });
    expect(infoB).toMatchObject({ ok: true, data: { symbols: ['SPY', 'AAPL', 'MSFT'] } });

    await a.engine.stop();
    b.minutes(1);
    expect(b.bars).toHaveLength(33); // b keeps running after a stopped
    await b.engine.stop();
  });
});
