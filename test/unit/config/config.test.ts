import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_WATCHLIST, loadConfig, secretsOf } from '../../../src/main/config/config';

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('with no variables gives the simulated default with at least 8 liquid symbols', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('SIMULATED');
    expect(config.watchlist.length).toBeGreaterThanOrEqual(8);
    expect(config.watchlist).toEqual([...DEFAULT_WATCHLIST]);
    expect(config.sim.speed).toBeGreaterThan(1);
    expect(config.headless.host).toBe('127.0.0.1');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('an invalid value names the variable, its value and what is allowed', () => {
    const error = issuesOf(() => loadConfig({ TRADING_SIM_SPEED: 'fast' }));
    expect(error.message).toContain('TRADING_SIM_SPEED="fast"');
    expect(error.message).toMatch(/allowed .*number from 1 to 1000000/);
    expect(error.issues).toHaveLength(1);
  });

  it('reports every bad variable at once', () => {
    const error = issuesOf(() => loadConfig({ TRADING_MODE: 'yolo', TRADING_HEADLESS_PORT: '70000', TRADING_WATCHLIST: 'spy,SPY' }));
    expect(error.issues.map((i) => i.variable).sort()).toEqual(['TRADING_HEADLESS_PORT', 'TRADING_MODE', 'TRADING_WATCHLIST']);
    expect(error.message).toContain('simulated | paper | live');
  });

  it('an unknown TRADING_ variable (a typo) is refused rather than ignored', () => {
    const error = issuesOf(() => loadConfig({ TRADING_SIM_SPEEED: '10' }));
    expect(error.message).toContain('TRADING_SIM_SPEEED');
    expect(error.message).toContain('unknown variable');
  });

  it('ignores variables without the TRADING_ prefix', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' }).mode).toBe('SIMULATED');
  });

  it('paper or live mode without Alpaca keys is refused', () => {
    const error = issuesOf(() => loadConfig({ TRADING_MODE: 'paper' }));
    expect(error.message).toContain('TRADING_MODE="paper"');
    expect(error.message).toContain('TRADING_ALPACA_KEY_ID');
  });

  it('PAPER is the default whenever Alpaca keys exist, on Alpaca data; LIVE only when asked', () => {
    const keys = { TRADING_ALPACA_KEY_ID: 'PKTEST1', TRADING_ALPACA_SECRET_KEY: 'secret-1' };
    const paper = loadConfig(keys);
    expect(paper.mode).toBe('PAPER');
    expect(paper.feed).toBe('alpaca');
    expect(loadConfig({ ...keys, TRADING_MODE: 'live' }).mode).toBe('LIVE');
    expect(loadConfig({ ...keys, TRADING_MODE: 'simulated' })).toMatchObject({ mode: 'SIMULATED', feed: 'synthetic' });
  });

  it('paper or live on simulated or replayed prices is refused, naming the feed', () => {
    const keys = { TRADING_ALPACA_KEY_ID: 'PKTEST1', TRADING_ALPACA_SECRET_KEY: 'secret-1' };
    for (const feed of ['synthetic', 'replay']) {
      const error = issuesOf(() => loadConfig({ ...keys, TRADING_MODE: 'paper', TRADING_FEED: feed, TRADING_REPLAY_FROM: '2011-01-03', TRADING_REPLAY_TO: '2011-01-31' }));
      expect(error.issues.map((i) => i.variable)).toEqual(['TRADING_FEED']);
      expect(error.message).toContain('alpaca or polygon when TRADING_MODE=paper');
    }
  });

  it('risk limits and exits come from variables; nonsense combinations are refused by name', () => {
    const c = loadConfig({
      TRADING_BANKROLL: '50000',
      TRADING_DAILY_POSITION_LIMIT: '8000',
      TRADING_DAILY_RISK_PCT: '5',
      TRADING_MAX_ORDER_QTY: '300',
      TRADING_FLATTEN_MINUTES: '10',
      TRADING_ENTRY_CUTOFF_MINUTES: '20',
      TRADING_MAX_DAILY_LOSS: '750',
      TRADING_EXIT_PEAK_PCT: '0.5',
      TRADING_EXIT_ML_THRESHOLD: '0',
    });
    expect(c.risk).toEqual({ bankroll: 50_000, dailyPositionLimit: 8_000, dailyRiskPct: 5, maxOrderQty: 300, flattenMinutesBeforeClose: 10, entryCutoffMinutes: 20 });
    expect(c.maxDailyLoss).toBe(750);
    expect(c.exits).toEqual({ peakExitPct: 0.5, trailAmount: 0, maxBarsHeld: 0, mlExitThreshold: 0 });
    expect(loadConfig({}).exits.peakExitPct).toBe(1);

    expect(issuesOf(() => loadConfig({ TRADING_SYMBOL_CAP_PCT: '60' })).issues.map((i) => i.variable)).toEqual(['TRADING_SYMBOL_CAP_PCT']);
    expect(issuesOf(() => loadConfig({ TRADING_MAX_DAILY_LOSS: '30000' })).message).toContain('no larger than the bankroll (20000)');
    expect(issuesOf(() => loadConfig({ TRADING_ENTRY_CUTOFF_MINUTES: '3', TRADING_FLATTEN_MINUTES: '5' })).message).toContain('entries stop before the flatten');
    expect(issuesOf(() => loadConfig({ TRADING_MAX_ORDER_QTY: '10.5' })).issues.map((i) => i.variable)).toEqual(['TRADING_MAX_ORDER_QTY']);
    expect(issuesOf(() => loadConfig({ TRADING_ALPACA_TRADING_URL: 'ftp://x' })).issues.map((i) => i.variable)).toEqual(['TRADING_ALPACA_TRADING_URL']);
  });

  it('a secret never shows its value: not in errors, JSON, string or inspect', () => {
    const error = issuesOf(() => loadConfig({ TRADING_ALPACA_KEY_ID: 'PKSECRETVALUE123' }));
    expect(error.message).not.toContain('PKSECRETVALUE123');
    const config = loadConfig({ TRADING_ALPACA_KEY_ID: 'PKSECRETVALUE123', TRADING_ALPACA_SECRET_KEY: 'sk-very-secret-456' });
    const printed = [JSON.stringify(config), String(config.alpaca?.keyId), inspect(config, { depth: 5 })].join('\n');
    expect(printed).not.toContain('PKSECRETVALUE123');
    expect(printed).not.toContain('sk-very-secret-456');
    expect(printed).toContain('[REDACTED]');
    expect(config.alpaca?.keyId.reveal()).toBe('PKSECRETVALUE123');
    expect(secretsOf(config)).toEqual(['PKSECRETVALUE123', 'sk-very-secret-456']);
  });

  it('overrides win over the environment', () => {
    expect(loadConfig({ TRADING_SIM_SPEED: '10' }, { TRADING_SIM_SPEED: '600' }).sim.speed).toBe(600);
  });
});

describe('issue 12: dates and endpoint overrides are validated', () => {
  it('TRADING_SIM_START=2011-02-30 (not a calendar date) is refused; every date variable wants a real date', () => {
    const error = issuesOf(() => loadConfig({ TRADING_SIM_START: '2011-02-30' }));
    expect(error.issues.map((i) => i.variable)).toEqual(['TRADING_SIM_START']);
    expect(error.message).toContain('TRADING_SIM_START="2011-02-30"');
    expect(error.message).toContain('real calendar date YYYY-MM-DD');
    for (const bad of ['2011-02-30', '2011-13-01', '2011-04-31', '2011-00-10', '2011-01-00', '2011-1-05', '2013-02-29']) {
      const replay = { TRADING_FEED: 'replay', TRADING_REPLAY_FROM: '2011-01-03', TRADING_REPLAY_TO: '2011-03-31' };
      expect(issuesOf(() => loadConfig({ TRADING_SIM_START: bad })).issues.map((i) => i.variable)).toEqual(['TRADING_SIM_START']);
      expect(issuesOf(() => loadConfig({ ...replay, TRADING_REPLAY_FROM: bad })).issues.map((i) => i.variable)).toContain('TRADING_REPLAY_FROM');
      expect(issuesOf(() => loadConfig({ ...replay, TRADING_REPLAY_TO: bad })).issues.map((i) => i.variable)).toContain('TRADING_REPLAY_TO');
    }
    expect(loadConfig({ TRADING_SIM_START: '2012-02-29' }).sim.startDate).toBe('2012-02-29');
    expect(loadConfig({ TRADING_FEED: 'replay', TRADING_REPLAY_FROM: '2011-01-31', TRADING_REPLAY_TO: '2011-12-31' }).replay).toEqual({ from: '2011-01-31', to: '2011-12-31' });
  });

  it('TRADING_ALPACA_TRADING_URL=http://evil.example (plain http off loopback, would receive the keys) is refused', () => {
    const keys = { TRADING_ALPACA_KEY_ID: 'PKSECRETVALUE123', TRADING_ALPACA_SECRET_KEY: 'sk-very-secret-456' };
    const cases: Array<[string, string]> = [
      ['TRADING_ALPACA_TRADING_URL', 'http://evil.example'],
      ['TRADING_ALPACA_DATA_REST_URL', 'http://evil.example'],
      ['TRADING_ALPACA_TRADING_STREAM_URL', 'ws://evil.example/stream'],
      ['TRADING_ALPACA_DATA_URL', 'ws://10.0.0.5/v2/iex'],
      ['TRADING_ALPACA_TRADING_URL', 'http://128.0.0.1'],
      ['TRADING_ALPACA_TRADING_URL', 'http://127.0.0.1.evil.example'],
      ['TRADING_ALPACA_TRADING_URL', 'wss://paper-api.alpaca.markets'],
      ['TRADING_ALPACA_TRADING_STREAM_URL', 'https://paper-api.alpaca.markets/stream'],
      ['TRADING_ALPACA_TRADING_URL', 'https://paper-api.alpaca.markets#frag'],
    ];
    for (const [variable, value] of cases) {
      const error = issuesOf(() => loadConfig({ ...keys, [variable]: value }));
      expect(error.issues.map((i) => i.variable), `${variable}=${value}`).toEqual([variable]);
      expect(error.message).toContain(`${variable}=`);
      expect(error.message).toMatch(/only on a loopback host \(127\.0\.0\.0\/8, localhost, ::1\)/);
      expect(error.message).not.toContain('PKSECRETVALUE123');
      expect(error.message).not.toContain('sk-very-secret-456');
    }
  });

  it('an endpoint URL with credentials in it is refused, and the error never shows them', () => {
    const error = issuesOf(() => loadConfig({ TRADING_ALPACA_TRADING_URL: 'https://PKLEAK:hunter2secret@paper-api.alpaca.markets' }));
    expect(error.issues.map((i) => i.variable)).toEqual(['TRADING_ALPACA_TRADING_URL']);
    expect(error.message).toContain('no user:password@');
    expect(error.message).not.toContain('hunter2secret');
    expect(error.message).not.toContain('PKLEAK');
    expect(issuesOf(() => loadConfig({ TRADING_ALPACA_DATA_URL: 'ws://user@127.0.0.1:9/v2/iex' })).issues.map((i) => i.variable)).toEqual(['TRADING_ALPACA_DATA_URL']);
  });

  it('https/wss anywhere and http/ws on a loopback host (the test fakes) are accepted', () => {
    const c = loadConfig({
      TRADING_ALPACA_TRADING_URL: 'https://paper-api.alpaca.markets',
      TRADING_ALPACA_TRADING_STREAM_URL: 'wss://paper-api.alpaca.markets/stream',
      TRADING_ALPACA_DATA_URL: 'ws://127.0.0.1:4567/v2/iex',
      TRADING_ALPACA_DATA_REST_URL: 'http://127.0.0.1:4567',
    });
    expect(c.endpoints).toEqual({
      alpacaTrading: 'https://paper-api.alpaca.markets',
      alpacaTradingStream: 'wss://paper-api.alpaca.markets/stream',
      alpacaData: 'ws://127.0.0.1:4567/v2/iex',
      alpacaDataRest: 'http://127.0.0.1:4567',
    });
    for (const url of ['http://localhost:8080', 'http://127.1.2.3:80/x', 'http://[::1]:9000', 'http://api.localhost']) {
      expect(loadConfig({ TRADING_ALPACA_TRADING_URL: url }).endpoints.alpacaTrading).toBe(url);
    }
    expect(loadConfig({ TRADING_ALPACA_TRADING_STREAM_URL: 'ws://localhost:1/stream' }).endpoints.alpacaTradingStream).toBe('ws://localhost:1/stream');
  });
});
