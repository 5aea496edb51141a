// The form of a new backtest: what to replay (symbols, days), which signal generators run, how the
// desk decides, which model scores, how fills are simulated, the risk settings and the random
// baselines. The draft lives in the backtest store, so switching tabs keeps it. The request is built
// and checked as the trader types (the Run button says what is wrong); the engine's refusal (missing
// history, an unknown model) is shown under the button with its code.
import { useMemo, type FormEvent, type ReactNode } from 'react';
import { SIGNAL_SOURCES, type SignalSourceId } from '../../../shared/backtest';
import { startBacktest } from '../../store/backtest/commands';
import { FEE_SCHEDULES, type BacktestDraft, type FeeSchedule, type ModelKind, type PolicyKind, type SlippageKind } from '../../store/backtest/initialState';
import { backtestSelectors } from '../../store/backtest/selectors';
import { specFromDraft, type DraftDefaults } from '../../store/backtest/spec';
import { useBacktest, useCockpit, useHistory, useMarket, useModels, useSession } from '../../store/context';
import { historySelectors } from '../../store/history/selectors';
import { modelsSelectors } from '../../store/models/selectors';
import { nyDate } from '../nyTime';

const DAY_MS = 86_400_000;

export const POLICY_LABELS: Readonly<Record<PolicyKind, string>> = {
  all: 'Approve every sized signal',
  auto: 'Auto at or above a confidence',
  sources: 'Only chosen sources',
  replay: 'Replay my decisions',
};
export const MODEL_LABELS: Readonly<Record<ModelKind, string>> = {
  none: 'None (rule signals only)',
  frozen: 'Frozen model',
  'walk-forward': 'Walk-forward retraining',
};
const FEE_LABELS: Readonly<Record<FeeSchedule, string>> = {
  'alpaca-2024-05': 'Alpaca SEC + TAF, May 2024',
  'alpaca-2025-05': 'Alpaca SEC + TAF, May 2025',
  none: 'None',
};

/**
 * What the untouched fields stand for: the chart's symbol (else the watchlist's first), and the days
 * the history store holds for it (else the last 30 days to the session's clock).
 */
export function draftDefaults(symbol: string, stored: ReadonlyArray<{ symbol: string; first: number; last: number }>, now: number): DraftDefaults {
  const range = stored.find((s) => s.symbol === symbol);
  return {
    symbols: symbol,
    from: range ? nyDate(range.first) : nyDate(now - 30 * DAY_MS),
    to: range ? nyDate(range.last) : nyDate(now),
  };
}

const toggled = (list: readonly SignalSourceId[], id: SignalSourceId): SignalSourceId[] =>
  list.includes(id) ? list.filter((s) => s !== id) : [...list, id];

function Row({ label, title, children }: { label: string; title?: string; children: ReactNode }) {
  return (
    <label className="bt-field" title={title}>
      <span className="bt-field-label">{label}</span>
      {children}
    </label>
  );
}

function SourceBoxes({ chosen, onToggle, testIdPrefix }: { chosen: readonly SignalSourceId[]; onToggle: (id: SignalSourceId) => void; testIdPrefix: string }) {
  return (
    <div className="bt-sources">
      {SIGNAL_SOURCES.map((id) => (
        <label key={id} className="bt-source">
          <input type="checkbox" data-testid={`${testIdPrefix}-${id}`} checked={chosen.includes(id)} onChange={() => onToggle(id)} />
          {id}
        </label>
      ))}
    </div>
  );
}

export function BacktestForm() {
  const { engine, stores } = useCockpit();
  const draft = useBacktest(backtestSelectors.draft);
  const starting = useBacktest(backtestSelectors.starting);
  const runError = useBacktest(backtestSelectors.runError);
  const symbol = useMarket((s) => s.selected ?? s.symbols[0] ?? '');
  const stored = useHistory(historySelectors.storedSymbols);
  const now = useSession((s) => s.now);
  const models = useModels(modelsSelectors.models);
  // The session clock moves every second; the default dates only need its day.
  const today = nyDate(now ?? Date.now());
  const defaults = useMemo(() => draftDefaults(symbol, stored, Date.parse(`${today}T12:00:00Z`)), [symbol, stored, today]);
  const outcome = useMemo(() => specFromDraft(draft, defaults), [draft, defaults]);
  const change = (patch: Partial<BacktestDraft>): void => stores.backtest.getState().draftChanged(patch);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!outcome.ok || starting) return;
    void startBacktest(engine, stores, outcome.spec);
  };

  const text = (field: keyof BacktestDraft, testId: string, props: { placeholder?: string; size?: number; type?: string; step?: string; min?: number; max?: number } = {}) => (
    <input
      data-testid={testId}
      value={String(draft[field] ?? '')}
      onChange={(e) => change({ [field]: e.target.value } as Partial<BacktestDraft>)}
      {...props}
    />
  );

  return (
    <form className="bt-form" data-testid="backtest-form" onSubmit={submit}>
      <Row label="Symbols">
        <input
          data-testid="backtest-symbols"
          value={draft.symbols ?? defaults.symbols}
          onChange={(e) => change({ symbols: e.target.value })}
          placeholder="SPY, QQQ"
          size={14}
        />
      </Row>
      <Row label="From">
        <input data-testid="backtest-from" type="date" value={draft.from ?? defaults.from} onChange={(e) => change({ from: e.target.value })} />
      </Row>
      <Row label="To">
        <input data-testid="backtest-to" type="date" value={draft.to ?? defaults.to} onChange={(e) => change({ to: e.target.value })} />
      </Row>

      <fieldset className="bt-group">
        <legend>Signal sources</legend>
        <SourceBoxes chosen={draft.sources} onToggle={(id) => change({ sources: toggled(draft.sources, id) })} testIdPrefix="backtest-source" />
      </fieldset>

      <fieldset className="bt-group">
        <legend>Decision policy</legend>
        <Row label="Policy">
          <select data-testid="backtest-policy" value={draft.policy} onChange={(e) => change({ policy: e.target.value as PolicyKind })}>
            {(Object.keys(POLICY_LABELS) as PolicyKind[]).map((k) => (
              <option key={k} value={k}>
                {POLICY_LABELS[k]}
              </option>
            ))}
          </select>
        </Row>
        {draft.policy === 'auto' && (
          <Row label="Threshold" title="Signals at or above this fused confidence (0..1) are taken">
            {text('threshold', 'backtest-policy-threshold', { type: 'number', step: '0.05', min: 0, max: 1 })}
          </Row>
        )}
        {draft.policy === 'sources' && (
          <SourceBoxes
            chosen={draft.policySources}
            onToggle={(id) => change({ policySources: toggled(draft.policySources, id) })}
            testIdPrefix="backtest-policy-source"
          />
        )}
        {draft.policy === 'replay' && <p className="bt-hint">Approves and vetoes as the audit trail recorded them; signals with no decision are let go.</p>}
      </fieldset>

      <fieldset className="bt-group">
        <legend>Model</legend>
        <Row label="Mode">
          <select data-testid="backtest-model" value={draft.model} onChange={(e) => change({ model: e.target.value as ModelKind })}>
            {(Object.keys(MODEL_LABELS) as ModelKind[]).map((k) => (
              <option key={k} value={k}>
                {MODEL_LABELS[k]}
              </option>
            ))}
          </select>
        </Row>
        {draft.model === 'frozen' && (
          <Row label="Model id">
            {models.length > 0 ? (
              <select data-testid="backtest-model-id" value={draft.modelId} onChange={(e) => change({ modelId: e.target.value })}>
                <option value="">pick a model…</option>
                {models.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id} ({m.status})
                  </option>
                ))}
              </select>
            ) : (
              text('modelId', 'backtest-model-id', { placeholder: 'intraday-…', size: 24 })
            )}
          </Row>
        )}
        {draft.model === 'walk-forward' && (
          <>
            <Row label="Training delay" title="Bars (minutes) between a retrain's last row and its model's first score">
              {text('trainingDelayBars', 'backtest-training-delay', { type: 'number', min: 1, max: 390 })}
            </Row>
            <Row label="Retrain every" title="Minutes between retrains; blank: the engine's cadence">
              {text('retrainEveryMinutes', 'backtest-retrain-every', { type: 'number', min: 5, max: 390, placeholder: 'engine default' })}
            </Row>
          </>
        )}
      </fieldset>

      <fieldset className="bt-group">
        <legend>Fills</legend>
        <Row label="Fees">
          <select data-testid="backtest-fees" value={draft.fees} onChange={(e) => change({ fees: e.target.value as FeeSchedule })}>
            {FEE_SCHEDULES.map((f) => (
              <option key={f} value={f}>
                {FEE_LABELS[f]}
              </option>
            ))}
          </select>
        </Row>
        <Row label="Slippage">
          <select data-testid="backtest-slippage" value={draft.slippage} onChange={(e) => change({ slippage: e.target.value as SlippageKind })}>
            <option value="none">None</option>
            <option value="bps">Basis points</option>
          </select>
          {draft.slippage === 'bps' && text('slippageBps', 'backtest-slippage-bps', { type: 'number', min: 0, max: 500, step: '0.5' })}
        </Row>
        <Row label="Max participation %" title="Largest share of a bar's volume one order may take; blank: no cap">
          {text('maxParticipationPct', 'backtest-max-participation', { type: 'number', min: 0, max: 100, placeholder: 'no cap' })}
        </Row>
        <Row label="Latency (ms)">{text('latencyMs', 'backtest-latency', { type: 'number', min: 0 })}</Row>
      </fieldset>

      <fieldset className="bt-group">
        <legend>Risk</legend>
        <Row label="Bankroll ($)">{text('bankroll', 'backtest-bankroll', { type: 'number', min: 0, placeholder: 'engine default' })}</Row>
        <Row label="Daily risk %">{text('dailyRiskPct', 'backtest-daily-risk', { type: 'number', min: 0, max: 100, step: '0.1', placeholder: 'engine default' })}</Row>
        <Row label="Symbol cap %">{text('symbolCapPct', 'backtest-symbol-cap', { type: 'number', min: 0, max: 100, placeholder: 'engine default' })}</Row>
      </fieldset>

      <fieldset className="bt-group">
        <legend>Random baselines</legend>
        <Row label="Seed">{text('seed', 'backtest-seed', { type: 'number', min: 0 })}</Row>
        <Row label="Random runs" title="Runs with the same sizing and exits but random entry minutes">
          {text('randomRuns', 'backtest-random-runs', { type: 'number', min: 0, max: 1000 })}
        </Row>
      </fieldset>

      <Row label="Label">{text('label', 'backtest-label', { placeholder: 'optional', size: 18 })}</Row>

      <div className="bt-submit">
        <button type="submit" data-testid="backtest-run" disabled={!outcome.ok || starting}>
          {starting ? 'Starting…' : 'Run backtest'}
        </button>
        {!outcome.ok && (
          <span className="bt-form-error" data-testid="backtest-form-error">
            {outcome.message}
          </span>
        )}
      </div>
      {runError && (
        <p className="dialog-error" data-testid="backtest-error" data-code={runError.code}>
          {runError.code}: {runError.message}
        </p>
      )}
    </form>
  );
}
