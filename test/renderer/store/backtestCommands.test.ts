// The backtest panel's requests and the events that drive it, against the fake engine: a run is
// started with the form's settings, canceled by its run id, its result fetched once its job is done,
// the past runs read again when a run ends, and a clicked trade's New York day asked for.
import { describe, expect, it } from 'vitest';
import { fail, ok, type CockpitApi } from '../../../src/shared/contract';
import type { ConnectionState } from '../../../src/renderer/api/socket-client';
import { createCockpitStores } from '../../../src/renderer/store';
import {
  cancelBacktest,
  openTradeDay,
  showPastRun,
  startBacktest,
  toggleCompared,
  tradeDate,
} from '../../../src/renderer/store/backtest/commands';
import { createEngineClient } from '../../../src/renderer/store/engine';
import { startCockpit } from '../../../src/renderer/store/wiring';
import { backtestProgress, backtestResult, backtestSummary, backtestTrade, bar, createFakeApi, flush, jobProgress, T0, type Responders } from '../fakes';

const SPEC = { symbols: ['SPY'], from: '2011-01-03', to: '2011-01-31', policy: { kind: 'all' as const }, model: { kind: 'none' as const } };

const responders: Responders = {
  'backtest.run': () => ok({ runId: 'bt-1', jobId: 'job-bt-1' }),
  'backtest.cancel': () => ok({ canceled: true }),
  'backtest.list': () => ok({ runs: [backtestSummary('bt-1')] }),
  'backtest.get': ({ runId }) => ok({ summary: backtestSummary(runId), result: backtestResult(runId) }),
  'backtest.dayBars': ({ symbol }) => ok({ bars: [bar(symbol, Date.UTC(2011, 0, 4, 14, 30), 127)] }),
};

function setup(extra: Responders = {}) {
  const fake = createFakeApi({ ...responders, ...extra });
  const stores = createCockpitStores({ now: () => T0 });
  const engine = createEngineClient(fake.api, stores.notices);
  const connection = { api: fake.api as CockpitApi, transport: 'socket' as const, onState: (l: (s: ConnectionState, d: string) => void) => l('connecting', '') };
  const stop = startCockpit(connection, stores, engine);
  const callsOf = (channel: string) => fake.calls.filter((c) => c.channel === channel).map((c) => c.payload);
  return { fake, stores, engine, stop, callsOf };
}

const backtestJob = (state: 'queued' | 'running' | 'done' | 'failed' | 'canceled', extra = {}) =>
  jobProgress({ jobId: 'job-bt-1', kind: 'backtest', state, message: state, fraction: state === 'done' ? 1 : 0.5, ...extra });

describe('starting and canceling a backtest', () => {
  it('when Run is pressed then backtest.run carries the settings and the run is shown', async () => {
    const { stores, engine, callsOf } = setup();
    await startBacktest(engine, stores, SPEC);
    expect(callsOf('backtest.run')).toEqual([SPEC]);
    expect(stores.backtest.getState().shownRunId).toBe('bt-1');
    expect(stores.backtest.getState().runs?.map((r) => [r.runId, r.state])).toEqual([['bt-1', 'done']]);
    expect(stores.backtest.getState().started).toEqual([{ runId: 'bt-1', jobId: 'job-bt-1' }]);
  });

  it('when the engine refuses (no history for those days) then its code and message are kept for the form', async () => {
    const { stores, engine } = setup({ 'backtest.run': () => fail('REFUSED', 'no SPY bars stored for 2011-01-03..2011-01-31: import them first') });
    await startBacktest(engine, stores, SPEC);
    expect(stores.backtest.getState().runError).toEqual({ code: 'REFUSED', message: 'no SPY bars stored for 2011-01-03..2011-01-31: import them first' });
    expect(stores.backtest.getState().shownRunId).toBeNull();
    expect(stores.backtest.getState().starting).toBe(false);
  });

  it('when Cancel is pressed then backtest.cancel names the run, and a refusal is kept next to the button', async () => {
    const { stores, engine, callsOf } = setup();
    await cancelBacktest(engine, stores, 'bt-1');
    expect(callsOf('backtest.cancel')).toEqual([{ runId: 'bt-1' }]);
    expect(stores.backtest.getState().cancel['bt-1']).toEqual({ kind: 'answered', canceled: true });

    const refusing = setup({ 'backtest.cancel': () => fail('REFUSED', 'run bt-1 has ended') });
    await cancelBacktest(refusing.engine, refusing.stores, 'bt-1');
    expect(refusing.stores.backtest.getState().cancel['bt-1']).toMatchObject({ kind: 'refused', error: { code: 'REFUSED' } });
  });
});

describe('following a run through its events', () => {
  it('when backtest.progress arrives then the run has its percent, rate and time left', () => {
    const { fake, stores } = setup();
    fake.emit('backtest.progress', backtestProgress('bt-1', { fraction: 0.5 }));
    expect(stores.backtest.getState().progress['bt-1']).toMatchObject({ fraction: 0.5, barsPerSecond: 12_345.6, etaSeconds: 35 });
  });

  it("when the run's job is done then its result is fetched and the past runs read again, once", async () => {
    const { fake, stores, engine, callsOf } = setup();
    await startBacktest(engine, stores, SPEC);
    // Read once as the run starts (it is listed as running)…
    expect(callsOf('backtest.list')).toHaveLength(1);
    fake.emit('job.progress', backtestJob('running'));
    await flush();
    expect(callsOf('backtest.get')).toEqual([]);
    fake.emit('job.progress', backtestJob('done'));
    fake.emit('job.progress', backtestJob('done'));
    await flush();
    expect(callsOf('backtest.get')).toEqual([{ runId: 'bt-1' }]);
    // …and once more as it ends, not once per repeated 'done'.
    expect(callsOf('backtest.list')).toHaveLength(2);
    const answer = stores.backtest.getState().results['bt-1'];
    expect(answer?.kind === 'loaded' && answer.result?.metrics.trades).toBe(40);
    expect(stores.backtest.getState().runs?.map((r) => r.runId)).toEqual(['bt-1']);
  });

  it('when the run fails or is canceled then only the list is read again (there is no result to fetch)', async () => {
    const { fake, stores, engine, callsOf } = setup();
    await startBacktest(engine, stores, SPEC);
    fake.emit('job.progress', backtestJob('canceled'));
    await flush();
    expect(callsOf('backtest.get')).toEqual([]);
    expect(callsOf('backtest.list')).toHaveLength(2);
  });

  it("when a short run's 'done' comes before the answer naming its job then the result is still fetched", async () => {
    let answer: (() => void) | null = null;
    const { fake, stores, engine, callsOf } = setup({
      'backtest.run': () => new Promise((resolve) => (answer = () => resolve(ok({ runId: 'bt-1', jobId: 'job-bt-1' })))),
    });
    const started = startBacktest(engine, stores, SPEC);
    await flush();
    fake.emit('job.progress', backtestJob('done'));
    answer!();
    await started;
    await flush();
    expect(callsOf('backtest.get')).toEqual([{ runId: 'bt-1' }]);
  });

  it('when another window\'s backtest ends then the list is read again but nothing is fetched for it', async () => {
    const { fake, callsOf } = setup();
    fake.emit('job.progress', jobProgress({ jobId: 'job-elsewhere', kind: 'backtest', state: 'done' }));
    await flush();
    expect(callsOf('backtest.list')).toHaveLength(1);
    expect(callsOf('backtest.get')).toEqual([]);
  });
});

describe('a clicked trade opens its New York day', () => {
  it('when a trade was entered at 2011-01-04T20:59Z then its day is 2011-01-04 in New York', async () => {
    const { stores, engine, callsOf } = setup();
    await openTradeDay(engine, stores, 'bt-1', backtestTrade(3, { symbol: 'SPY', entryTime: Date.parse('2011-01-04T20:59:00Z') }));
    expect(callsOf('backtest.dayBars')).toEqual([{ symbol: 'SPY', date: '2011-01-04' }]);
    expect(stores.backtest.getState().tradeDay).toMatchObject({ runId: 'bt-1', symbol: 'SPY', date: '2011-01-04', trade: { n: 3 } });
    expect(stores.backtest.getState().tradeDay?.bars).toHaveLength(1);
  });

  it('when a trade was entered at 2011-01-05T02:00Z then its day is still 2011-01-04 in New York (21:00 ET)', async () => {
    const { stores, engine, callsOf } = setup();
    await openTradeDay(engine, stores, 'bt-1', backtestTrade(4, { symbol: 'QQQ', entryTime: Date.parse('2011-01-05T02:00:00Z') }));
    expect(callsOf('backtest.dayBars')).toEqual([{ symbol: 'QQQ', date: '2011-01-04' }]);
    expect(tradeDate({ entryTime: Date.parse('2011-07-05T03:59:00Z') })).toBe('2011-07-04');
    expect(tradeDate({ entryTime: Date.parse('2011-07-05T04:00:00Z') })).toBe('2011-07-05');
  });

  it('when the day is refused then the refusal is kept for the chart heading', async () => {
    const { stores, engine } = setup({ 'backtest.dayBars': () => fail('NOT_AVAILABLE', 'no SPY bars stored for 2011-01-04') });
    await openTradeDay(engine, stores, 'bt-1', backtestTrade(1));
    expect(stores.backtest.getState().tradeDay).toMatchObject({ bars: null, error: { code: 'NOT_AVAILABLE' } });
  });
});

describe('past runs', () => {
  it('when a past run is opened then its result is fetched; when runs are ticked to compare then each is fetched once', async () => {
    const { stores, engine, callsOf } = setup();
    await showPastRun(engine, stores, 'bt-1');
    expect(stores.backtest.getState().shownRunId).toBe('bt-1');
    await toggleCompared(engine, stores, 'bt-1');
    await toggleCompared(engine, stores, 'bt-2');
    expect(callsOf('backtest.get')).toEqual([{ runId: 'bt-1' }, { runId: 'bt-2' }]);
    expect(stores.backtest.getState().compare).toEqual(['bt-1', 'bt-2']);
  });
});
