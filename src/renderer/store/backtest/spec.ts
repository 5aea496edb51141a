// Turns the form as typed into the `backtest.run` request. Numbers are read here, once, with the
// field named in any complaint; the request is then checked against the contract's own schema, so
// the trader hears of a bad setting before anything is sent. What the engine alone can know (whether
// the history is stored, whether a model exists) comes back as its refusal.
import { describeZodError } from '../../../shared/contract';
import {
  BacktestSpecSchema,
  SIGNAL_SOURCES,
  type BacktestRisk,
  type BacktestSpecInput,
  type DecisionPolicy,
  type FillSettings,
  type ModelMode,
} from '../../../shared/backtest';
import type { BacktestDraft } from './initialState';

/** What the null fields of the draft stand for until the trader types. */
export interface DraftDefaults {
  symbols: string;
  from: string;
  to: string;
}

export type SpecOutcome = { ok: true; spec: BacktestSpecInput } | { ok: false; message: string };

/** "spy, qqq aapl" → ['SPY', 'QQQ', 'AAPL']; the schema checks each. */
export function parseSymbolList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
}

class FieldError extends Error {}

/** A number typed in a field; blank gives `undefined` where the field may be left to the engine. */
function numberIn(text: string, field: string, optional: true): number | undefined;
function numberIn(text: string, field: string, optional?: false): number;
function numberIn(text: string, field: string, optional = false): number | undefined {
  const t = text.trim();
  if (t === '') {
    if (optional) return undefined;
    throw new FieldError(`${field}: a number is needed`);
  }
  const n = Number(t);
  if (!Number.isFinite(n)) throw new FieldError(`${field}: "${t}" is not a number`);
  return n;
}

function policyOf(d: BacktestDraft): DecisionPolicy {
  switch (d.policy) {
    case 'all':
      return { kind: 'all' };
    case 'auto':
      return { kind: 'auto', threshold: numberIn(d.threshold, 'Auto threshold') };
    case 'sources':
      if (d.policySources.length === 0) throw new FieldError('Decision policy: pick the sources whose signals are taken');
      return { kind: 'sources', sources: [...d.policySources] };
    case 'replay':
      return { kind: 'replay' };
  }
}

function modelOf(d: BacktestDraft): ModelMode {
  switch (d.model) {
    case 'none':
      return { kind: 'none' };
    case 'frozen':
      if (d.modelId.trim() === '') throw new FieldError('Model: pick the frozen model to score with');
      return { kind: 'frozen', modelId: d.modelId.trim() };
    case 'walk-forward': {
      const trainingDelayBars = numberIn(d.trainingDelayBars, 'Training delay', true);
      const retrainEveryMinutes = numberIn(d.retrainEveryMinutes, 'Retrain every', true);
      return {
        kind: 'walk-forward',
        ...(trainingDelayBars !== undefined ? { trainingDelayBars } : {}),
        ...(retrainEveryMinutes !== undefined ? { retrainEveryMinutes } : {}),
      };
    }
  }
}

function fillsOf(d: BacktestDraft): Partial<FillSettings> {
  const participationPct = numberIn(d.maxParticipationPct, 'Max participation', true);
  return {
    fees: d.fees,
    slippage: d.slippage === 'bps' ? { kind: 'bps', bps: numberIn(d.slippageBps, 'Slippage (bps)') } : { kind: 'none' },
    // Typed as a percent of the bar's volume; the settings take a fraction.
    maxParticipation: participationPct === undefined ? null : participationPct / 100,
    latencyMs: numberIn(d.latencyMs, 'Latency'),
  };
}

function riskOf(d: BacktestDraft): BacktestRisk {
  const risk: BacktestRisk = {};
  const bankroll = numberIn(d.bankroll, 'Bankroll', true);
  const dailyRiskPct = numberIn(d.dailyRiskPct, 'Daily risk %', true);
  const symbolCapPct = numberIn(d.symbolCapPct, 'Symbol cap %', true);
  if (bankroll !== undefined) risk.bankroll = bankroll;
  if (dailyRiskPct !== undefined) risk.dailyRiskPct = dailyRiskPct;
  if (symbolCapPct !== undefined) risk.symbolCapPct = symbolCapPct;
  return risk;
}

export function specFromDraft(draft: BacktestDraft, defaults: DraftDefaults): SpecOutcome {
  try {
    if (draft.sources.length === 0) throw new FieldError('Signal sources: enable at least one');
    const label = draft.label.trim();
    const spec: BacktestSpecInput = {
      symbols: parseSymbolList(draft.symbols ?? defaults.symbols),
      from: draft.from ?? defaults.from,
      to: draft.to ?? defaults.to,
      // Listed in the contract's order whatever order they were ticked in.
      sources: SIGNAL_SOURCES.filter((s) => draft.sources.includes(s)),
      policy: policyOf(draft),
      model: modelOf(draft),
      fills: fillsOf(draft),
      risk: riskOf(draft),
      seed: numberIn(draft.seed, 'Seed'),
      randomRuns: numberIn(draft.randomRuns, 'Random runs'),
      ...(label !== '' ? { label } : {}),
    };
    if (spec.from > spec.to) throw new FieldError(`Dates: from ${spec.from} is after to ${spec.to}`);
    const checked = BacktestSpecSchema.safeParse(spec);
    if (!checked.success) return { ok: false, message: describeZodError(checked.error) };
    return { ok: true, spec };
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, message: error.message };
    throw error;
  }
}
