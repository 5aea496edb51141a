// The Backtest panel as the trader sees it. The renderer tests run under Node without a DOM, so the
// panel is rendered to markup with react-dom/server from stores holding the state under test, and
// clicks are made by calling the handlers of the plain-props parts (the progress line, the trade
// list, the past runs) with the panel's own request functions behind them.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ok } from '../../../src/shared/contract';
import { SIGNAL_SOURCES } from '../../../src/shared/backtest';
import { RunsTable } from '../../../src/renderer/components/backtest/PastRuns';
import { TradesTable } from '../../../src/renderer/components/backtest/ResultTables';
import { RunProgressView } from '../../../src/renderer/components/backtest/RunStatus';
import { BacktestPanel } from '../../../src/renderer/panels/BacktestPanel';
import { createCockpitStores } from '../../../src/renderer/store';
import { cancelBacktest, openTradeDay, toggleCompared } from '../../../src/renderer/store/backtest/commands';
import type { BacktestState } from '../../../src/renderer/store/backtest/initialState';
import { runViewOf } from '../../../src/renderer/store/backtest/runState';
import { createBacktestStore } from '../../../src/renderer/store/backtest/store';
import { CockpitProvider, type Cockpit } from '../../../src/renderer/store/context';
import { createEngineClient } from '../../../src/renderer/store/engine';
import type { JobsState } from '../../../src/renderer/store/jobs/initialState';
import { createJobsStore } from '../../../src/renderer/store/jobs/store';
import { click, findAllByTestId, getByTestId } from '../elementTree';
import {
  backtestBaselines,
  backtestProgress,
  backtestResult,
  backtestSummary,
  backtestTrade,
  bar,
  createFakeApi,
  flush,
  jobProgress,
  type Responders,
} from '../fakes';

const responders: Responders = {
  'backtest.cancel': () => ok({ canceled: true }),
  'backtest.get': ({ runId }) => ok({ summary: backtestSummary(runId), result: backtestResult(runId) }),
  'backtest.dayBars': ({ symbol }) => ok({ bars: [bar(symbol, Date.UTC(2011, 0, 4, 14, 30), 127)] }),
};

/** A cockpit whose backtest and jobs stores start from the given state (server rendering reads the initial state). */
function cockpitWith(init: { backtest?: Partial<BacktestState>; jobs?: Partial<JobsState> } = {}) {
  const fake = createFakeApi(responders);
  const stores = { ...createCockpitStores(), backtest: createBacktestStore({ initial: init.backtest ?? {} }), jobs: createJobsStore(init.jobs ?? {}) };
  const cockpit: Cockpit = { api: fake.api, engine: createEngineClient(fake.api, stores.notices), stores };
  const render = (): string =>
    renderToStaticMarkup(
      <CockpitProvider cockpit={cockpit}>
        <BacktestPanel />
      </CockpitProvider>,
    );
  const callsOf = (channel: string) => fake.calls.filter((c) => c.channel === channel).map((c) => c.payload);
  return { fake, cockpit, stores, render, callsOf };
}

/** The markup's text, without tags or React's text separators. */
const textOf = (html: string): string => html.replace(/<!-- -->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
/** The opening tag of the element with this data-testid. */
const tagOf = (html: string, testId: string): string | null => new RegExp(`<[^>]*data-testid="${testId}"[^>]*>`).exec(html)?.[0] ?? null;

const running = (extra: Partial<BacktestState> = {}): Partial<BacktestState> => ({
  started: [{ runId: 'bt-1', jobId: 'job-bt-1' }],
  shownRunId: 'bt-1',
  progress: { 'bt-1': backtestProgress('bt-1', { fraction: 0.42, barsPerSecond: 12_345.6, etaSeconds: 95 }) },
  ...extra,
});
const job = (state: 'queued' | 'running' | 'done' | 'failed' | 'canceled', message: string = state): Partial<JobsState> => ({
  jobs: { 'job-bt-1': jobProgress({ jobId: 'job-bt-1', kind: 'backtest', state, message, fraction: 0.42 }) },
  jobIds: ['job-bt-1'],
});

describe('the Backtest panel', () => {
  it('before any run then the form has every setting and the panel says what a backtest is', () => {
    const html = cockpitWith().render();
    expect(tagOf(html, 'backtest-panel')).not.toBeNull();
    for (const id of ['backtest-form', 'backtest-symbols', 'backtest-from', 'backtest-to', 'backtest-policy', 'backtest-model', 'backtest-fees', 'backtest-slippage',
      'backtest-max-participation', 'backtest-latency', 'backtest-bankroll', 'backtest-daily-risk', 'backtest-symbol-cap', 'backtest-seed', 'backtest-random-runs', 'backtest-run', 'backtest-none']) {
      expect(tagOf(html, id), id).not.toBeNull();
    }
    for (const source of SIGNAL_SOURCES) expect(tagOf(html, `backtest-source-${source}`)).toContain('checked');
  });

  it('when the auto policy or walk-forward retraining is chosen then their own fields appear', () => {
    const { render } = cockpitWith({ backtest: { draft: { ...createBacktestStore().getState().draft, policy: 'auto', model: 'walk-forward' } } });
    const html = render();
    expect(tagOf(html, 'backtest-policy-threshold')).toContain('value="0.6"');
    expect(tagOf(html, 'backtest-training-delay')).toContain('value="2"');
  });

  it('when the engine refused the run then its code and message are shown under the button', () => {
    const html = cockpitWith({ backtest: { runError: { code: 'REFUSED', message: 'no SPY bars stored for 2011-01-03..2011-01-31' } } }).render();
    expect(tagOf(html, 'backtest-error')).toContain('data-code="REFUSED"');
    expect(textOf(html)).toContain('REFUSED: no SPY bars stored for 2011-01-03..2011-01-31');
  });

  it('while a run runs then the progress bar shows its percent, bars per second and time left, with Cancel', () => {
    const html = cockpitWith({ backtest: running(), jobs: job('running') }).render();
    expect(tagOf(html, 'backtest-state')).toContain('data-state="running"');
    expect(tagOf(html, 'backtest-progress')).toContain('data-percent="42"');
    const text = textOf(html);
    expect(text).toContain('42%');
    expect(text).toContain('12,346 bars/s');
    expect(text).toContain('ETA 1:35');
    expect(text).toContain('3,276 / 7,800 bars');
    expect(tagOf(html, 'backtest-cancel')).not.toBeNull();
  });

  it('when Cancel is clicked then backtest.cancel is sent with the run id', async () => {
    const { cockpit, callsOf } = cockpitWith();
    const view = runViewOf({ progress: backtestProgress('bt-1') });
    const tree = RunProgressView({ runId: 'bt-1', view, cancel: undefined, onCancel: () => void cancelBacktest(cockpit.engine, cockpit.stores, 'bt-1') });
    click(getByTestId(tree, 'backtest-cancel'));
    await flush();
    expect(callsOf('backtest.cancel')).toEqual([{ runId: 'bt-1' }]);
    // While the engine answers the button says so and cannot be pressed twice.
    const pending = RunProgressView({ runId: 'bt-1', view, cancel: { kind: 'pending' }, onCancel: () => {} });
    expect(getByTestId(pending, 'backtest-cancel').props.disabled).toBe(true);
  });

  it('when the run was canceled or failed then the state says so and Cancel is gone', () => {
    const canceled = cockpitWith({ backtest: running(), jobs: job('canceled') }).render();
    expect(textOf(canceled)).toMatch(/\bcanceled\b/);
    expect(tagOf(canceled, 'backtest-state')).toContain('data-state="canceled"');
    expect(tagOf(canceled, 'backtest-cancel')).toBeNull();
    // The last report's time left and bar count would read as still going.
    expect(tagOf(canceled, 'backtest-progress-eta')).toBeNull();
    expect(textOf(canceled)).not.toContain('3,276 / 7,800 bars');
    const failed = cockpitWith({ backtest: running(), jobs: job('failed', 'worker exited with code 1') }).render();
    expect(tagOf(failed, 'backtest-state')).toContain('data-state="failed"');
    expect(textOf(failed)).toContain('worker exited with code 1');
  });

  it('when a finished run did not beat random entries then the warning leads the report, with the metrics and baselines', () => {
    const result = backtestResult('bt-1', { baselines: backtestBaselines({ beatenByRandom: true, random: { runs: 100, medianReturn: 0.015, p5Return: -0.01, p95Return: 0.03, strategyPercentile: 37.5 } }) });
    const html = cockpitWith({
      backtest: running({ results: { 'bt-1': { kind: 'loaded', summary: backtestSummary('bt-1'), result } } }),
      jobs: job('done'),
    }).render();
    expect(tagOf(html, 'backtest-state')).toContain('data-state="done"');
    expect(tagOf(html, 'backtest-progress')).toContain('data-percent="100"');
    const warning = tagOf(html, 'backtest-random-warning');
    expect(warning).toContain('role="alert"');
    const text = textOf(html);
    expect(text).toContain('Not better than random entries');
    expect(text).toContain('beat only 37.5%');
    expect(html.indexOf('backtest-random-warning')).toBeLessThan(html.indexOf('backtest-metrics'));
    expect(tagOf(html, 'backtest-metrics')).not.toBeNull();
    expect(tagOf(html, 'backtest-metric-totalReturn')).not.toBeNull();
    expect(text).toContain('Total return +1.24%');
    expect(text).toContain('Sharpe 1.42');
    expect(tagOf(html, 'backtest-baselines')).toContain('data-beaten-by-random="true"');
    expect(text).toContain('Buy and hold SPY +2.33%');
    expect(text).toContain('Random entries, median +1.50%');
    expect(tagOf(html, 'backtest-trades')).toContain('data-count="2"');
    expect(tagOf(html, 'backtest-trade-1')).toContain('data-symbol="SPY"');
    expect(tagOf(html, 'backtest-trade-1')).toContain('data-date="2011-01-04"');
    expect(tagOf(html, 'backtest-equity-chart')).not.toBeNull();
    expect(tagOf(html, 'backtest-day-chart')).not.toBeNull();
  });

  it('when a finished run beat random entries then there is no warning', () => {
    const html = cockpitWith({
      backtest: running({ results: { 'bt-1': { kind: 'loaded', summary: backtestSummary('bt-1'), result: backtestResult('bt-1') } } }),
      jobs: job('done'),
    }).render();
    expect(tagOf(html, 'backtest-metrics')).not.toBeNull();
    expect(tagOf(html, 'backtest-random-warning')).toBeNull();
  });

  it('when a trade row is clicked then backtest.dayBars asks for its symbol on its New York date', async () => {
    const { cockpit, callsOf } = cockpitWith();
    const trades = [
      backtestTrade(1, { symbol: 'SPY', entryTime: Date.parse('2011-01-04T20:59:00Z'), exitTime: Date.parse('2011-01-04T21:00:00Z') }),
      backtestTrade(2, { symbol: 'QQQ', entryTime: Date.parse('2011-01-05T02:00:00Z'), exitTime: Date.parse('2011-01-05T02:10:00Z') }),
    ];
    const tree = TradesTable({ trades, picked: null, onPick: (t) => void openTradeDay(cockpit.engine, cockpit.stores, 'bt-1', t) });
    expect(findAllByTestId(tree, /^backtest-trade-\d+$/)).toHaveLength(2);
    click(getByTestId(tree, 'backtest-trade-1'));
    await flush();
    click(getByTestId(tree, 'backtest-trade-2'));
    await flush();
    expect(callsOf('backtest.dayBars')).toEqual([
      { symbol: 'SPY', date: '2011-01-04' },
      { symbol: 'QQQ', date: '2011-01-04' },
    ]);
    expect(cockpit.stores.backtest.getState().tradeDay).toMatchObject({ symbol: 'QQQ', date: '2011-01-04', trade: { n: 2 } });
  });

  it('when two past runs are ticked then they are compared side by side, one column each', () => {
    const html = cockpitWith({
      backtest: {
        runs: [backtestSummary('bt-2', { label: 'second' }), backtestSummary('bt-1', { label: 'first' })],
        compare: ['bt-1', 'bt-2'],
        results: {
          'bt-1': { kind: 'loaded', summary: backtestSummary('bt-1', { label: 'first' }), result: backtestResult('bt-1') },
          'bt-2': {
            kind: 'loaded',
            summary: backtestSummary('bt-2', { label: 'second' }),
            result: backtestResult('bt-2', { metrics: { ...backtestResult('bt-2').metrics, totalReturn: -0.031, sharpe: -0.8 } }),
          },
        },
      },
    }).render();
    expect(tagOf(html, 'backtest-compare')).toContain('data-runs="2"');
    expect(tagOf(html, 'backtest-compare-table')).toContain('data-runs="2"');
    expect(tagOf(html, 'backtest-compare-col-bt-1')).not.toBeNull();
    expect(tagOf(html, 'backtest-compare-col-bt-2')).not.toBeNull();
    expect(html.indexOf('backtest-compare-col-bt-1')).toBeLessThan(html.indexOf('backtest-compare-col-bt-2'));
    const text = textOf(html);
    expect(text).toContain('Total return +1.24% -3.10%');
    expect(text).toContain('Sharpe 1.42 -0.80');
    expect(tagOf(html, 'backtest-compare-chart')).not.toBeNull();
    expect(tagOf(html, 'backtest-compare-bt-1')).toContain('checked');
    expect(tagOf(html, 'backtest-runs')).toContain('data-count="2"');
  });

  it('when four runs are compared then a fifth box cannot be ticked, and ticking one fetches that run', async () => {
    const runs = ['a', 'b', 'c', 'd', 'e'].map((id) => backtestSummary(id));
    const full = RunsTable({ runs, compare: ['a', 'b', 'c', 'd'], shownRunId: null, onOpen: () => {}, onToggleCompare: () => {} });
    expect(getByTestId(full, 'backtest-compare-e').props.disabled).toBe(true);
    expect(getByTestId(full, 'backtest-compare-a').props.disabled).toBe(false);
    const failed = RunsTable({ runs: [backtestSummary('f', { state: 'failed' })], compare: [], shownRunId: null, onOpen: () => {}, onToggleCompare: () => {} });
    expect(getByTestId(failed, 'backtest-compare-f').props.disabled).toBe(true);

    const { cockpit, callsOf } = cockpitWith();
    const tree = RunsTable({ runs, compare: [], shownRunId: null, onOpen: () => {}, onToggleCompare: (id) => void toggleCompared(cockpit.engine, cockpit.stores, id) });
    (getByTestId(tree, 'backtest-compare-c').props.onChange as () => void)();
    await flush();
    expect(callsOf('backtest.get')).toEqual([{ runId: 'c' }]);
    expect(cockpit.stores.backtest.getState().compare).toEqual(['c']);
  });
});
