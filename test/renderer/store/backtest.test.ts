// The backtest store and the request the form builds: what the trader typed becomes the contract's
// `backtest.run` settings, late answers never overwrite newer ones, and at most four runs are compared.
import { describe, expect, it } from 'vitest';
import { SIGNAL_SOURCES } from '../../../src/shared/backtest';
import { DEFAULT_DRAFT, MAX_COMPARED, type BacktestDraft } from '../../../src/renderer/store/backtest/initialState';
import { runViewOf } from '../../../src/renderer/store/backtest/runState';
import { backtestSelectors } from '../../../src/renderer/store/backtest/selectors';
import { specFromDraft } from '../../../src/renderer/store/backtest/spec';
import { createBacktestStore, pruneOldest } from '../../../src/renderer/store/backtest/store';
import { backtestProgress, backtestResult, backtestSummary, backtestTrade, jobProgress } from '../fakes';

const DEFAULTS = { symbols: 'SPY', from: '2011-01-03', to: '2011-01-31' };
const draft = (patch: Partial<BacktestDraft> = {}): BacktestDraft => ({ ...DEFAULT_DRAFT, ...patch });

describe('the request the backtest form builds', () => {
  it('when the auto policy has a threshold of 0.6 then the request carries {kind: auto, threshold: 0.6}', () => {
    const outcome = specFromDraft(draft({ policy: 'auto', threshold: '0.6' }), DEFAULTS);
    expect(outcome.ok && outcome.spec.policy).toEqual({ kind: 'auto', threshold: 0.6 });
  });

  it('when nothing was typed then the defaults are run: all sources, approve all, no model, Alpaca 2024 fees, 100 random runs', () => {
    const outcome = specFromDraft(draft(), DEFAULTS);
    expect(outcome).toEqual({
      ok: true,
      spec: {
        symbols: ['SPY'],
        from: '2011-01-03',
        to: '2011-01-31',
        sources: [...SIGNAL_SOURCES],
        policy: { kind: 'all' },
        model: { kind: 'none' },
        fills: { fees: 'alpaca-2024-05', slippage: { kind: 'none' }, maxParticipation: null, latencyMs: 0 },
        risk: {},
        seed: 1,
        randomRuns: 100,
      },
    });
  });

  it('when every setting is filled in then each lands where the contract puts it', () => {
    const outcome = specFromDraft(
      draft({
        symbols: 'spy, qqq aapl',
        from: '2011-01-04',
        to: '2011-01-14',
        sources: ['vwap_reversion', 'orb'],
        policy: 'sources',
        policySources: ['orb'],
        model: 'walk-forward',
        trainingDelayBars: '3',
        retrainEveryMinutes: '30',
        fees: 'alpaca-2025-05',
        slippage: 'bps',
        slippageBps: '2.5',
        maxParticipationPct: '10',
        latencyMs: '250',
        bankroll: '50000',
        dailyRiskPct: '1.5',
        symbolCapPct: '20',
        seed: '7',
        randomRuns: '250',
        label: '  January, three symbols ',
      }),
      DEFAULTS,
    );
    expect(outcome).toEqual({
      ok: true,
      spec: {
        symbols: ['SPY', 'QQQ', 'AAPL'],
        from: '2011-01-04',
        to: '2011-01-14',
        // In the contract's order, not the order ticked.
        sources: ['orb', 'vwap_reversion'],
        policy: { kind: 'sources', sources: ['orb'] },
        model: { kind: 'walk-forward', trainingDelayBars: 3, retrainEveryMinutes: 30 },
        fills: { fees: 'alpaca-2025-05', slippage: { kind: 'bps', bps: 2.5 }, maxParticipation: 0.1, latencyMs: 250 },
        risk: { bankroll: 50_000, dailyRiskPct: 1.5, symbolCapPct: 20 },
        seed: 7,
        randomRuns: 250,
        label: 'January, three symbols',
      },
    });
  });

  it('when a frozen model or replayed decisions are chosen then the request names them', () => {
    const frozen = specFromDraft(draft({ model: 'frozen', modelId: 'intraday-20240315T100000-train-1', policy: 'replay' }), DEFAULTS);
    expect(frozen.ok && frozen.spec.model).toEqual({ kind: 'frozen', modelId: 'intraday-20240315T100000-train-1' });
    expect(frozen.ok && frozen.spec.policy).toEqual({ kind: 'replay' });
  });

  it('when a setting is wrong then no request is built and the field is named', () => {
    expect(specFromDraft(draft({ policy: 'auto', threshold: '1.4' }), DEFAULTS)).toMatchObject({ ok: false, message: expect.stringContaining('policy.threshold') });
    expect(specFromDraft(draft({ policy: 'auto', threshold: 'high' }), DEFAULTS)).toEqual({ ok: false, message: 'Auto threshold: "high" is not a number' });
    expect(specFromDraft(draft({ sources: [] }), DEFAULTS)).toMatchObject({ ok: false, message: expect.stringContaining('Signal sources') });
    expect(specFromDraft(draft({ policy: 'sources', policySources: [] }), DEFAULTS)).toMatchObject({ ok: false });
    expect(specFromDraft(draft({ model: 'frozen', modelId: ' ' }), DEFAULTS)).toMatchObject({ ok: false, message: expect.stringContaining('frozen model') });
    expect(specFromDraft(draft({ from: '2011-02-01' }), DEFAULTS)).toMatchObject({ ok: false, message: expect.stringContaining('after') });
    expect(specFromDraft(draft({ symbols: 'spy$' }), DEFAULTS)).toMatchObject({ ok: false, message: expect.stringContaining('symbols.0') });
    expect(specFromDraft(draft({ seed: '' }), DEFAULTS)).toEqual({ ok: false, message: 'Seed: a number is needed' });
  });
});

describe('backtest store', () => {
  it('when a run starts then it is shown and its job is known; a refusal is kept for the form', () => {
    const bt = createBacktestStore();
    bt.getState().runRequested();
    expect(bt.getState().starting).toBe(true);
    bt.getState().runRefused({ code: 'REFUSED', message: 'no SPY bars stored for 2011-01-03..2011-01-31' });
    expect(bt.getState().runError?.code).toBe('REFUSED');
    bt.getState().runStarted({ runId: 'bt-1', jobId: 'job-1' });
    const s = bt.getState();
    expect(s.starting).toBe(false);
    expect(s.runError).toBeNull();
    expect(backtestSelectors.shownRunId(s)).toBe('bt-1');
    expect(backtestSelectors.jobIdOf('bt-1')(s)).toBe('job-1');
    expect(backtestSelectors.jobIdOf('bt-other')(s)).toBeNull();
  });

  it('when compare boxes are ticked then at most four runs are compared, in the order picked', () => {
    const bt = createBacktestStore();
    for (const id of ['a', 'b', 'c', 'd', 'e']) bt.getState().compareToggled(id);
    expect(bt.getState().compare).toEqual(['a', 'b', 'c', 'd']);
    expect(MAX_COMPARED).toBe(4);
    bt.getState().compareToggled('b');
    expect(bt.getState().compare).toEqual(['a', 'c', 'd']);
  });

  it('when a second trade is picked before the first day arrives then the late answer is dropped', () => {
    const bt = createBacktestStore();
    bt.getState().tradePicked('bt-1', backtestTrade(1), '2011-01-04');
    const first = bt.getState().tradePicks;
    bt.getState().tradePicked('bt-1', backtestTrade(2, { symbol: 'QQQ' }), '2011-01-05');
    bt.getState().dayBarsReceived(first, []);
    expect(bt.getState().tradeDay).toMatchObject({ symbol: 'QQQ', date: '2011-01-05', bars: null });
    bt.getState().dayBarsReceived(bt.getState().tradePicks, []);
    expect(bt.getState().tradeDay?.bars).toEqual([]);
    // Closing and picking again does not reuse a number a late answer could match.
    bt.getState().tradeDayClosed();
    bt.getState().tradePicked('bt-1', backtestTrade(1), '2011-01-04');
    bt.getState().dayBarsReceived(first, []);
    expect(bt.getState().tradeDay?.bars).toBeNull();
  });

  it('when a run was opened while it ran and the list says it has ended since then the list is believed', () => {
    const bt = createBacktestStore();
    bt.getState().resultReceived('bt-1', { summary: backtestSummary('bt-1', { state: 'running' }), result: null });
    expect(backtestSelectors.summaryOf('bt-1')(bt.getState())?.state).toBe('running');
    bt.getState().runsListed([backtestSummary('bt-1', { state: 'done' })]);
    expect(backtestSelectors.summaryOf('bt-1')(bt.getState())?.state).toBe('done');
    // An ended answer is not overruled by an older list.
    bt.getState().resultReceived('bt-1', { summary: backtestSummary('bt-1', { state: 'done' }), result: backtestResult('bt-1') });
    bt.getState().runsListed([backtestSummary('bt-1', { state: 'running' })]);
    expect(backtestSelectors.summaryOf('bt-1')(bt.getState())?.state).toBe('done');
  });

  it('when a result is read again then the loaded one stays shown meanwhile', () => {
    const bt = createBacktestStore();
    bt.getState().resultReceived('bt-1', { summary: backtestSummary('bt-1'), result: backtestResult('bt-1') });
    bt.getState().resultRequested('bt-1');
    expect(bt.getState().results['bt-1']?.kind).toBe('loaded');
  });

  it('when many results arrive then the oldest are dropped, never the shown or compared ones', () => {
    expect(pruneOldest({ a: 1, b: 2, c: 3, d: 4 }, 2, new Set(['a']))).toEqual({ a: 1, d: 4 });
    const bt = createBacktestStore();
    bt.getState().runShown('keep');
    bt.getState().resultReceived('keep', { summary: backtestSummary('keep'), result: null });
    for (let i = 0; i < 20; i++) bt.getState().resultReceived(`r${i}`, { summary: backtestSummary(`r${i}`), result: null });
    expect(Object.keys(bt.getState().results)).toContain('keep');
    expect(Object.keys(bt.getState().results).length).toBeLessThanOrEqual(9);
  });
});

describe('where a run stands', () => {
  it('when only progress has come then it runs, with its percent, rate and time left', () => {
    expect(runViewOf({ progress: backtestProgress('bt-1') })).toMatchObject({ state: 'running', fraction: 0.42, barsPerSecond: 12_345.6, etaSeconds: 35 });
  });

  it('when the job ends then its end is final, whatever progress came late', () => {
    const job = jobProgress({ jobId: 'job-1', kind: 'backtest', state: 'canceled', message: 'canceled by the trader' });
    expect(runViewOf({ job, progress: backtestProgress('bt-1') })).toMatchObject({ state: 'canceled', etaSeconds: null });
    expect(runViewOf({ job: { ...job, state: 'done' } }).fraction).toBe(1);
  });

  it('when the job waits in line then its place is given', () => {
    expect(runViewOf({ job: jobProgress({ kind: 'backtest', state: 'queued', position: 2 }) })).toMatchObject({ state: 'queued', position: 2 });
  });

  it('when nothing is known but the engine summary then the summary says', () => {
    expect(runViewOf({ summary: backtestSummary('bt-1', { state: 'failed', message: 'worker exited' }) })).toMatchObject({ state: 'failed', message: 'worker exited' });
    expect(runViewOf({}).state).toBe('starting');
  });
});
