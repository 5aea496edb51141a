// The wiring between one connection and one set of stores: snapshots on open, events to actions.
import { describe, expect, it } from 'vitest';
import { ok, type CockpitApi } from '../../../src/shared/contract';
import type { ConnectionState } from '../../../src/renderer/api/socket-client';
import { createCockpitStores } from '../../../src/renderer/store';
import { createEngineClient } from '../../../src/renderer/store/engine';
import { coalesceReloads, startCockpit, type CockpitConnection } from '../../../src/renderer/store/wiring';
import {
  backtestSummary,
  createFakeApi,
  engineInfo,
  feeds,
  flush,
  historySummary,
  importReport,
  jobProgress,
  modelEvent,
  modelsList,
  modelSummary,
  quote,
  sessionStatus,
  T0,
  walkForwardResult,
  type Responders,
} from '../fakes';

const snapshotResponders: Responders = {
  'app.info': () => ok(engineInfo()),
  'session.status': () => ok(sessionStatus()),
  'market.watchlist': () => ok({ symbols: ['AAPL', 'MSFT'], quotes: [quote('AAPL', 101, T0)] }),
  'history.summary': () => ok(historySummary()),
  'market.feeds': () => ok(feeds('synthetic')),
  'models.list': () => ok(modelsList()),
  'orders.list': () => ok({ orders: [], positions: [], fills: [] }),
  'signals.list': () => ok({ mode: 'manual', threshold: 0.75, signals: [] }),
  'signals.focusList': () => ok(null),
  'backtest.list': () => ok({ runs: [] }),
};

/** A connection whose state the test drives, like the socket client's. */
function fakeConnection(api: CockpitApi, transport: 'preload' | 'socket' = 'socket') {
  const listeners: Array<(s: ConnectionState, d: string) => void> = [];
  let state: ConnectionState = 'connecting';
  const connection: CockpitConnection = {
    api,
    transport,
    onState: (l) => {
      listeners.push(l);
      l(state, '');
    },
  };
  const setState = (next: ConnectionState): void => {
    state = next;
    for (const l of listeners) l(next, next);
  };
  return { connection, setState };
}

function start(responders: Responders = snapshotResponders) {
  const fake = createFakeApi(responders);
  const stores = createCockpitStores({ now: () => T0 });
  const engine = createEngineClient(fake.api, stores.notices);
  const { connection, setState } = fakeConnection(fake.api);
  const stop = startCockpit(connection, stores, engine);
  return { fake, stores, setState, stop };
}

describe('startCockpit', () => {
  it('when the connection opens then info, status, watchlist, stored history, feeds and models are requested and land in the stores', async () => {
    const { fake, stores, setState } = start();
    expect(fake.calls).toEqual([]);
    setState('open');
    await flush();
    expect(fake.calls.map((c) => c.channel).sort()).toEqual([
      'app.info',
      'backtest.list',
      'history.summary',
      'market.feeds',
      'market.watchlist',
      'models.list',
      'orders.list',
      'session.status',
      'signals.focusList',
      'signals.list',
    ]);
    expect(stores.models.getState().models?.map((m) => m.id)).toEqual(['intraday-20240315T100000-train-1']);
    expect(stores.models.getState().learning?.retrainEveryMinutes).toBe(15);
    expect(stores.history.getState().summary?.dbPath).toBe('/tmp/history.sqlite');
    expect(stores.session.getState().feeds?.map((f) => f.id)).toEqual(['synthetic', 'replay', 'alpaca', 'polygon']);
    expect(stores.session.getState().mode).toBe('SIMULATED');
    expect(stores.session.getState().transport).toBe('socket');
    expect(stores.session.getState().trading?.state).toBe('ACTIVE');
    expect(stores.market.getState().symbols).toEqual(['AAPL', 'MSFT']);
    expect(stores.market.getState().selected).toBe('AAPL');
  });

  it('when the socket reconnects then the snapshots are read again', async () => {
    const { fake, setState } = start();
    setState('open');
    await flush();
    setState('connecting');
    setState('open');
    await flush();
    expect(fake.calls.filter((c) => c.channel === 'session.status')).toHaveLength(2);
  });

  it('when events arrive then each reaches its store', () => {
    const { fake, stores } = start();
    fake.emit('market.quote', quote('AAPL', 104, T0));
    fake.emit('feed.health', { feedId: 'toy', label: 'Toy', state: 'stale', detail: 'no bar for 5 s', at: T0, simulated: true });
    fake.emit('trading.state', { state: 'HALTED', previous: 'ACTIVE', cause: 'daily loss limit', at: T0 });
    fake.emit('clock.tick', { now: T0 + 1_000 });
    fake.emit('component.state', { name: 'risk', state: 'faulted', detail: 'boom' });
    fake.emit('app.notice', { level: 'warn', code: 'RISK_DENIED', message: 'position limit', at: T0 });
    fake.emit('ui.command', { command: 'import.open' });
    expect(stores.market.getState().quotes.AAPL?.last).toBe(104);
    expect(stores.session.getState().feed?.state).toBe('stale');
    expect(stores.session.getState().trading?.state).toBe('HALTED');
    expect(stores.session.getState().now).toBe(T0 + 1_000);
    expect(stores.session.getState().components.risk?.state).toBe('faulted');
    expect(stores.notices.getState().notices[0]?.code).toBe('RISK_DENIED');
    expect(stores.ui.getState().dialog).toBe('import.open');
  });

  it('when order and position events arrive then the blotter follows them', () => {
    const { fake, stores } = start();
    fake.emit('orders.update', {
      clientOrderId: 'entry-1', brokerOrderId: 'sim-1', symbol: 'AAPL', side: 'buy', qty: 5, type: 'market', timeInForce: 'day',
      intent: 'entry', reason: 'test', status: 'filled', filledQty: 5, avgFillPrice: 101, submittedAt: T0, updatedAt: T0 + 60_000, note: '',
    });
    fake.emit('positions.update', { positions: [{ symbol: 'AAPL', qty: 5, avgEntryPrice: 101 }] });
    expect(stores.blotter.getState().orders['entry-1']?.status).toBe('filled');
    expect(stores.blotter.getState().positions).toEqual([{ symbol: 'AAPL', qty: 5, avgEntryPrice: 101 }]);
  });

  it('when a signal event arrives then the signals store follows it', () => {
    const { fake, stores } = start();
    fake.emit('signals.update', {
      id: 's-1', symbol: 'AAPL', side: 'long', sources: ['orb'], confidence: 0.8, reasons: ['breakout'], entryPrice: 100, stopPrice: 99, targetPrice: null,
      qty: 10, dollarsAtRisk: 10, createdAt: T0, expiresAt: T0 + 60_000, status: 'executed', conflictsWith: null, modelVersion: null,
    });
    expect(stores.signals.getState().signals['s-1']?.status).toBe('executed');
  });

  it('when the menu asks for the models then the Models panel is asked to the front and no dialog opens', () => {
    const { fake, stores } = start();
    fake.emit('ui.command', { command: 'models.open' });
    expect(stores.ui.getState().panelFocus?.panel).toBe('models');
    expect(stores.ui.getState().dialog).toBeNull();
  });

  it('when the menu asks for the backtest then the Backtest panel is asked to the front and no dialog opens', () => {
    const { fake, stores } = start();
    fake.emit('ui.command', { command: 'backtest.open' });
    expect(stores.ui.getState().panelFocus?.panel).toBe('backtest');
    expect(stores.ui.getState().dialog).toBeNull();
  });

  it('when the connection opens then the past backtests are listed into the backtest store', async () => {
    const { stores, setState } = start({ ...snapshotResponders, 'backtest.list': () => ok({ runs: [backtestSummary('bt-1')] }) });
    setState('open');
    await flush();
    expect(stores.backtest.getState().runs?.map((r) => r.runId)).toEqual(['bt-1']);
  });

  it('when a snapshot request is refused then it becomes a notice and the others still load', async () => {
    const { stores, setState } = start({ ...snapshotResponders, 'session.status': undefined });
    setState('open');
    await flush();
    expect(stores.notices.getState().notices.map((n) => n.code)).toEqual(['NOT_AVAILABLE']);
    expect(stores.market.getState().symbols).toEqual(['AAPL', 'MSFT']);
  });

  it('when the watchlist request fails then the watchlist from app.info is used', async () => {
    const { stores, setState } = start({ ...snapshotResponders, 'market.watchlist': undefined });
    setState('open');
    await flush();
    expect(stores.market.getState().symbols).toEqual(['AAPL', 'MSFT']);
  });

  it('when stopped then events no longer reach the stores and no listener is left behind', () => {
    const { fake, stores, stop } = start();
    stop();
    fake.emit('market.quote', quote('AAPL', 104, T0));
    expect(stores.market.getState().quotes.AAPL).toBeUndefined();
    expect(fake.listenerCount('market.quote')).toBe(0);
  });

  it('when job progress arrives then the jobs store follows it', () => {
    const { fake, stores } = start();
    fake.emit('job.progress', jobProgress({ fraction: 0.25, phase: 'parsing' }));
    expect(stores.jobs.getState().jobs['import-1']).toMatchObject({ state: 'running', fraction: 0.25, phase: 'parsing' });
  });

  it('when an import finishes then the stored history and the feeds are read again, once', async () => {
    let stored = historySummary();
    const { fake, stores, setState } = start({ ...snapshotResponders, 'history.summary': () => ok(stored) });
    setState('open');
    await flush();
    const before = fake.calls.length;
    fake.emit('job.progress', jobProgress({ fraction: 0.5, phase: 'storing' }));
    expect(fake.calls.length).toBe(before);
    stored = historySummary([{ symbol: 'SPY', bars: 14_180, first: T0, last: T0 + 60_000 }]);
    const done = jobProgress({ state: 'done', fraction: 1, phase: 'done', message: 'imported SPY', result: importReport() });
    fake.emit('job.progress', done);
    fake.emit('job.progress', done);
    await flush();
    const reread = fake.calls.slice(before).map((c) => c.channel).sort();
    expect(reread).toEqual(['history.summary', 'market.feeds']);
    expect(stores.history.getState().summary?.symbols.map((s) => s.symbol)).toEqual(['SPY']);
    expect(stores.jobs.getState().jobs['import-1']?.state).toBe('done');
  });

  it('when an import fails then nothing is re-read, since nothing was written', async () => {
    const { fake, stores } = start();
    fake.emit('job.progress', jobProgress({ state: 'failed', fraction: 1, phase: 'failed', message: 'cannot parse line 3' }));
    await flush();
    expect(fake.calls).toEqual([]);
    expect(stores.jobs.getState().jobs['import-1']?.message).toBe('cannot parse line 3');
  });

  it('when a training job finishes then the history is not re-read', async () => {
    const { fake } = start();
    fake.emit('job.progress', jobProgress({ jobId: 'train-1', kind: 'train', state: 'done', fraction: 1 }));
    await flush();
    expect(fake.calls).toEqual([]);
  });

  it('when stopped then job progress no longer reaches the store', () => {
    const { fake, stores, stop } = start();
    stop();
    fake.emit('job.progress', jobProgress());
    expect(stores.jobs.getState().jobIds).toEqual([]);
    expect(fake.listenerCount('job.progress')).toBe(0);
  });

  it('when a model is promoted then it is logged, said as an info notice, and the registry is read again', async () => {
    let list = modelsList();
    const { fake, stores } = start({ ...snapshotResponders, 'models.list': () => ok(list) });
    const promoted = modelEvent({ kind: 'promoted', message: 'promoted: held-out log loss 0.6871 vs active none', at: T0 + 31 * 60_000 });
    list = modelsList({ models: [modelSummary({ status: 'active' })], events: [...list.events, promoted] });
    fake.emit('models.event', promoted);
    expect(stores.models.getState().events[0]?.kind).toBe('promoted');
    const notice = stores.notices.getState().notices[0];
    expect(notice).toMatchObject({ level: 'info', code: 'MODEL_PROMOTED', at: promoted.at });
    expect(notice?.message).toContain('intraday-20240315T100000-train-1');
    await flush();
    expect(fake.calls.map((c) => c.channel)).toEqual(['models.list']);
    expect(stores.models.getState().models?.[0]?.status).toBe('active');
    // The live event and the listed one are the same event.
    expect(stores.models.getState().events.filter((e) => e.kind === 'promoted')).toHaveLength(1);
  });

  it('when a candidate is kept or a retrain starts then the log shows it but no notice is raised', () => {
    const { fake, stores } = start();
    fake.emit('models.event', modelEvent({ kind: 'training', modelId: null, message: 'retraining on 1800 rows' }));
    fake.emit('models.event', modelEvent({ kind: 'candidate' }));
    expect(stores.models.getState().events.map((e) => e.kind)).toEqual(['candidate', 'training']);
    expect(stores.notices.getState().notices).toEqual([]);
  });

  it('when feature drift is detected then it is a warning notice', () => {
    const { fake, stores } = start();
    fake.emit('models.event', modelEvent({ kind: 'drift', message: 'feature drift (PSI > 0.25) in ret_1' }));
    expect(stores.notices.getState().notices[0]).toMatchObject({ level: 'warn', code: 'MODEL_DRIFT' });
  });

  it('when every retrain fails with the same words then one notice says it, and new words make another', () => {
    const { fake, stores } = start();
    for (let i = 0; i < 3; i++) fake.emit('models.event', modelEvent({ kind: 'failed', modelId: null, message: 'retrain failed: probability at row 0 is NaN', at: T0 + i }));
    fake.emit('models.event', modelEvent({ kind: 'failed', modelId: null, message: 'retrain failed: the training worker stopped (exit 1)', at: T0 + 3 }));
    expect(stores.notices.getState().notices.map((n) => n.code)).toEqual(['MODEL_TRAINING_FAILED', 'MODEL_TRAINING_FAILED']);
    expect(stores.models.getState().events.filter((e) => e.kind === 'failed')).toHaveLength(4);
  });

  it('when models are promoted one after another then each promotion is a notice', () => {
    const { fake, stores } = start();
    fake.emit('models.event', modelEvent({ kind: 'promoted', modelId: 'm-1', message: 'promoted', at: T0 }));
    fake.emit('models.event', modelEvent({ kind: 'promoted', modelId: 'm-2', message: 'promoted', at: T0 + 1 }));
    expect(stores.notices.getState().notices.map((n) => n.code)).toEqual(['MODEL_PROMOTED', 'MODEL_PROMOTED']);
  });

  it('when model events come in a burst then the registry is read once for the burst and once after', async () => {
    let answer: (() => void) | null = null;
    const { fake } = start({
      ...snapshotResponders,
      'models.list': () =>
        new Promise((resolve) => {
          answer = () => resolve(ok(modelsList()));
        }),
    });
    fake.emit('models.event', modelEvent({ kind: 'training', at: T0 }));
    fake.emit('models.event', modelEvent({ kind: 'promoted', at: T0 + 1 }));
    fake.emit('models.event', modelEvent({ kind: 'drift', at: T0 + 2 }));
    await flush();
    expect(fake.calls.filter((c) => c.channel === 'models.list')).toHaveLength(1);
    answer!();
    await flush();
    expect(fake.calls.filter((c) => c.channel === 'models.list')).toHaveLength(2);
    answer!();
    await flush();
    expect(fake.calls.filter((c) => c.channel === 'models.list')).toHaveLength(2);
  });

  it('when a retrain job runs and ends then the training flag follows it, and a late running report does not revive it', () => {
    const { fake, stores } = start();
    fake.emit('job.progress', jobProgress({ jobId: 'train-1', kind: 'train', state: 'running', fraction: 0.3 }));
    expect(stores.models.getState().training).toBe(true);
    fake.emit('job.progress', jobProgress({ jobId: 'train-1', kind: 'train', state: 'done', fraction: 1 }));
    fake.emit('job.progress', jobProgress({ jobId: 'train-1', kind: 'train', state: 'running', fraction: 0.8 }));
    expect(stores.models.getState().training).toBe(false);
  });

  it('when a walk-forward fails then it is an error notice, once', () => {
    const { fake, stores } = start();
    const failed = jobProgress({ jobId: 'evaluate-1', kind: 'evaluate', state: 'failed', fraction: 1, message: 'walk-forward failed: the dataset has no rows' });
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-1', kind: 'evaluate', state: 'running', fraction: 0.1 }));
    fake.emit('job.progress', failed);
    fake.emit('job.progress', failed);
    expect(stores.notices.getState().notices).toHaveLength(1);
    expect(stores.notices.getState().notices[0]).toMatchObject({ level: 'error', code: 'WALK_FORWARD_FAILED', message: failed.message, at: T0, source: 'cockpit' });
  });

  it('when a walk-forward ends with a report then no notice is raised, and an unreadable one is said', () => {
    const { fake, stores } = start();
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-1', kind: 'evaluate', state: 'done', fraction: 1, result: walkForwardResult() }));
    expect(stores.notices.getState().notices).toEqual([]);
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-2', kind: 'evaluate', state: 'done', fraction: 1, result: 'oops' }));
    expect(stores.notices.getState().notices.map((n) => n.code)).toEqual(['WALK_FORWARD_UNREADABLE']);
  });

  it('no limit on jobs: when a walk-forward waits in the queue then no notice is raised, and its end after waiting is judged once', () => {
    const { fake, stores } = start();
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-2', kind: 'evaluate', state: 'queued', fraction: 0, phase: 'queued', position: 2 }));
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-2', kind: 'evaluate', state: 'queued', fraction: 0, phase: 'queued', position: 1 }));
    expect(stores.notices.getState().notices).toEqual([]);
    expect(stores.jobs.getState().jobs['evaluate-2']).toMatchObject({ state: 'queued', position: 1 });
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-2', kind: 'evaluate', state: 'failed', fraction: 1, message: 'walk-forward failed: no rows' }));
    expect(stores.notices.getState().notices.map((n) => n.code)).toEqual(['WALK_FORWARD_FAILED']);
  });

  it('no limit on jobs: when a walk-forward is canceled, queued or running, then no notice is raised', () => {
    const { fake, stores } = start();
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-2', kind: 'evaluate', state: 'queued', fraction: 0, phase: 'queued', position: 1 }));
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-2', kind: 'evaluate', state: 'canceled', fraction: 0, phase: 'canceled' }));
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-1', kind: 'evaluate', state: 'running', fraction: 0.4 }));
    fake.emit('job.progress', jobProgress({ jobId: 'evaluate-1', kind: 'evaluate', state: 'canceled', fraction: 1, phase: 'canceled' }));
    expect(stores.notices.getState().notices).toEqual([]);
    expect(stores.jobs.getState().jobs['evaluate-1']?.state).toBe('canceled');
  });

  it('no limit on jobs: when a retrain waits in the queue then the training flag is on', () => {
    const { fake, stores } = start();
    fake.emit('job.progress', jobProgress({ jobId: 'train-1', kind: 'train', state: 'queued', fraction: 0, phase: 'queued', position: 1 }));
    expect(stores.models.getState().training).toBe(true);
    fake.emit('job.progress', jobProgress({ jobId: 'train-1', kind: 'train', state: 'canceled', fraction: 0, phase: 'canceled' }));
    expect(stores.models.getState().training).toBe(false);
  });

  it('when stopped then model events no longer reach the stores', () => {
    const { fake, stores, stop } = start();
    stop();
    fake.emit('models.event', modelEvent());
    expect(stores.models.getState().events).toEqual([]);
    expect(fake.listenerCount('models.event')).toBe(0);
  });
});

describe('coalesceReloads', () => {
  it('when called during a reload then one more reload follows it, and every caller waits for that one', async () => {
    const finish: Array<() => void> = [];
    let started = 0;
    const reload = coalesceReloads(
      () =>
        new Promise<void>((resolve) => {
          started++;
          finish.push(resolve);
        }),
    );
    const first = reload();
    const second = reload();
    const third = reload();
    expect(second).toBe(third);
    expect(started).toBe(1);
    let secondDone = false;
    void second.then(() => (secondDone = true));
    finish[0]!();
    await first;
    await flush();
    expect(started).toBe(2);
    expect(secondDone).toBe(false);
    finish[1]!();
    await second;
    expect(secondDone).toBe(true);
    expect(started).toBe(2);
  });

  it('when a reload fails then the next call still reloads', async () => {
    let calls = 0;
    const reload = coalesceReloads(() => (++calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve()));
    await reload();
    await reload();
    expect(calls).toBe(2);
  });
});
