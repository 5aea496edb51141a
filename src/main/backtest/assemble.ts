// A run's result from what the collector booked: the equity curve with its drawdown, the metrics, P&L
// by signal source and by exit rule, and the baselines on the same days (buy-and-hold of SPY and of
// the traded symbols, random entries with the same sizing and exits).
import type { BacktestResult, BacktestSpec } from '../../shared/backtest';
import type { NyseCalendar } from '../calendar/nyse';
import type { HistoryStore } from '../store/history-store';
import { baselinesFor, type BaselineParts } from './baseline-inputs';
import { drawdownSeries, equityMetrics, groupPnl } from './metrics';
import type { CollectedRun } from './result-collector';

export interface AssembleInput {
  runId: string;
  spec: BacktestSpec;
  run: CollectedRun;
  models: BacktestResult['models'];
  history: HistoryStore;
  calendar: NyseCalendar;
  exits: BaselineParts['exits'];
  limits: BaselineParts['limits'];
}

export function assembleResult({ runId, spec, run, models, history, calendar, exits, limits }: AssembleInput): BacktestResult {
  const equity = drawdownSeries(run.marks);
  const metrics = equityMetrics({
    startEquity: run.startEquity,
    equity,
    daily: run.daily,
    trades: run.trades,
    exposureMinutes: run.exposureMinutes,
    sessionMinutes: run.sessionMinutes,
    tradedNotional: run.tradedNotional,
  });
  const baselines = baselinesFor({ spec, history, calendar, trades: run.trades, strategyReturn: metrics.totalReturn, exits, limits });
  return {
    runId,
    spec,
    bars: run.bars,
    sessions: run.sessions,
    trades: run.trades,
    equity,
    daily: run.daily,
    metrics,
    baselines,
    bySource: groupPnl(run.trades, (t) => t.sources),
    byExitRule: groupPnl(run.trades, (t) => [t.exitRule]),
    signals: run.signals,
    models,
  };
}
