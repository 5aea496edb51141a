// The Models panel: which model scores the signals and on what hardware, how the continuous learning
// stands (labelled rows, retrain cadence, next retrain in New York time, a retrain running), the
// registry's models with their held-out losses against the model they would replace and the prior,
// the lifecycle log live from `models.event`, and the walk-forward evaluation. Train now, Promote
// and Roll back answer with a refusal where the engine says no: next to the button and as a notice.
import { memo, useEffect, useState } from 'react';
import type { AppError } from '../../shared/contract';
import { formatCount, formatLoss, lossVerdict } from '../components/models/metricFormat';
import { WalkForwardSection } from '../components/models/WalkForwardSection';
import { formatNyClock } from '../components/nyTime';
import { useCockpit, useModels } from '../store/context';
import type { ModelSummary } from '../store/models/initialState';
import { holdoutLosses, modelsSelectors } from '../store/models/selectors';
import { loadModels } from '../store/wiring';

const TRAIN_REASON = 'manual (cockpit Models panel)';
const ROLLBACK_REASON = 'rolled back by the trader (cockpit Models panel)';
const TOP_FEATURES = 3;
/** How long an action's outcome stays next to the buttons; the notices keep refusals for good. */
const OUTCOME_SHOWN_MS = 20_000;

type Outcome = { kind: 'ok'; text: string } | { kind: 'error'; error: AppError } | null;

/** One action at a time from this panel; its outcome stays shown until the next one. */
function useModelActions() {
  const { engine, stores } = useCockpit();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  // A refusal from minutes ago would read as the current state of learning; it fades out.
  useEffect(() => {
    if (!outcome) return;
    const timer = setTimeout(() => setOutcome(null), OUTCOME_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [outcome]);
  const run = async (action: () => Promise<Outcome>): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    setOutcome(await action());
    setBusy(false);
  };
  const trainNow = (): Promise<void> =>
    run(async () => {
      // A refusal (too few labelled rows) is also filed as a notice by the engine client.
      const r = await engine.call('models.train', { reason: TRAIN_REASON });
      return r.ok ? { kind: 'ok', text: `Retrain started: job ${r.data.jobId}` } : { kind: 'error', error: r.error };
    });
  const promote = (id: string): Promise<void> =>
    run(async () => {
      const r = await engine.call('models.promote', { id });
      // The engine sends no event for a trader's own promotion: re-read the registry.
      await loadModels(engine, stores);
      return r.ok ? { kind: 'ok', text: `Promoted ${r.data.id}` } : { kind: 'error', error: r.error };
    });
  const rollBack = async (activeId: string | null): Promise<void> => {
    const what = activeId ? `Roll back ${activeId}` : 'Roll back the active model';
    if (!window.confirm(`${what} to the model it replaced? Signals will be scored by that model from now on.`)) return;
    await run(async () => {
      const r = await engine.call('models.rollback', { reason: ROLLBACK_REASON });
      await loadModels(engine, stores);
      return r.ok ? { kind: 'ok', text: `Rolled back to ${r.data.id}` } : { kind: 'error', error: r.error };
    });
  };
  return { busy, outcome, trainNow, promote, rollBack };
}

type Actions = ReturnType<typeof useModelActions>;

function ModelsHeader({ actions }: { actions: Actions }) {
  const activeId = useModels(modelsSelectors.activeModelId);
  const inference = useModels(modelsSelectors.inference);
  const learning = useModels(modelsSelectors.learning);
  const training = useModels(modelsSelectors.isTraining);
  const { busy, outcome, trainNow, rollBack } = actions;
  return (
    <div className="models-header">
      <div className="models-facts">
        <span className="models-fact">
          <span className="models-label">Active</span>
          <span className="models-active" data-testid="models-active" data-model-id={activeId ?? ''}>
            {activeId ?? 'none (rule signals only)'}
          </span>
        </span>
        <span className="models-fact" data-testid="models-inference" title={inference?.note ?? ''}>
          <span className="models-label">Inference</span>
          {inference ? inference.provider : '…'}
          {inference?.note && <span className="models-note"> · {inference.note}</span>}
        </span>
        <span className="models-fact" data-testid="models-learning">
          <span className="models-label">Learning</span>
          {learning ? (
            <>
              <span data-testid="models-labelled-rows" data-rows={learning.labelledRows}>
                {formatCount(learning.labelledRows)} labelled rows
              </span>
              {` · retrain every ${learning.retrainEveryMinutes} min · next `}
              <span data-testid="models-next-retrain">{learning.nextRetrainAt === null ? '—' : formatNyClock(learning.nextRetrainAt)}</span>
            </>
          ) : (
            '…'
          )}
        </span>
        {training && (
          <span className="models-training" data-testid="models-training">
            training…
          </span>
        )}
      </div>
      <div className="models-actions">
        <button type="button" data-testid="models-train-now" disabled={busy || training} onClick={() => void trainNow()}>
          Train now
        </button>
        <button type="button" data-testid="models-rollback" disabled={busy || activeId === null} onClick={() => void rollBack(activeId)}>
          Roll back
        </button>
        {outcome?.kind === 'ok' && (
          <span className="dialog-result" data-testid="models-action-result">
            {outcome.text}
          </span>
        )}
        {outcome?.kind === 'error' && (
          <span className="dialog-error" data-testid="models-action-error" data-code={outcome.error.code}>
            {outcome.error.code}: {outcome.error.message}
          </span>
        )}
      </div>
    </div>
  );
}

const ModelRow = memo(function ModelRow({ model, busy, onPromote }: { model: ModelSummary; busy: boolean; onPromote: (id: string) => void }) {
  const losses = holdoutLosses(model);
  const vsActive = lossVerdict(losses.model, losses.active);
  const vsPrior = lossVerdict(losses.model, losses.prior);
  const reason = typeof model.metrics.reason === 'string' ? model.metrics.reason : '';
  return (
    <tr className={`model-row model-${model.status}`} data-testid={`model-row-${model.id}`} data-status={model.status}>
      <td className="model-id" title={[model.note, model.parentId ? `parent ${model.parentId}` : '', reason].filter(Boolean).join(' · ')}>
        {model.id}
      </td>
      <td>
        <span className={`badge model-status status-${model.status}`}>{model.status}</span>
      </td>
      <td className="date">{formatNyClock(model.createdAt)}</td>
      <td className={`num loss-${vsActive === 'unknown' ? vsPrior : vsActive}`} title={`vs active: ${vsActive}, vs prior: ${vsPrior}`}>
        {formatLoss(losses.model)}
      </td>
      <td className="num">{formatLoss(losses.active)}</td>
      <td className="num">{formatLoss(losses.prior)}</td>
      <td className="num">{formatCount(losses.rows)}</td>
      <td className="model-features">
        {model.topFeatures.slice(0, TOP_FEATURES).map((f) => (
          <span key={f.name} className="model-feature" title={`mean |SHAP| ${f.importance.toPrecision(3)}`}>
            {f.name}
          </span>
        ))}
      </td>
      <td>
        {model.status === 'candidate' && (
          <button type="button" data-testid={`model-promote-${model.id}`} disabled={busy} onClick={() => onPromote(model.id)}>
            Promote
          </button>
        )}
      </td>
    </tr>
  );
});

function ModelTable({ actions }: { actions: Actions }) {
  const models = useModels(modelsSelectors.models);
  const known = useModels(modelsSelectors.isKnown);
  if (!known) return <div className="panel-empty">Asking the engine for its models…</div>;
  if (models.length === 0) {
    return (
      <div className="panel-empty" data-testid="models-empty">
        No model trained yet: the first retrain runs once enough labelled rows have been collected.
      </div>
    );
  }
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="models-table">
        <thead>
          <tr>
            <th>Model</th>
            <th>Status</th>
            <th className="date">Created (ET)</th>
            <th className="num" title="this model's log loss on the newest held-out rows">Held-out LL</th>
            <th className="num" title="the then-active model's log loss on the same rows">Active LL</th>
            <th className="num" title="always predicting the base rate, on the same rows">Prior LL</th>
            <th className="num">Rows</th>
            <th>Top features</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <ModelRow key={m.id} model={m} busy={actions.busy} onPromote={(id) => void actions.promote(id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EventLog() {
  const events = useModels(modelsSelectors.events);
  if (events.length === 0) return <div className="panel-empty">No model events yet.</div>;
  return (
    <ol className="models-events" data-testid="models-events">
      {events.map((e) => (
        <li key={`${e.at}|${e.kind}|${e.modelId ?? ''}|${e.message}`} className={`models-event event-${e.kind}`} data-testid="models-event" data-kind={e.kind}>
          <time className="notice-time">{formatNyClock(e.at)}</time>
          <span className="models-event-kind">{e.kind}</span>
          {e.modelId && <span className="models-event-model">{e.modelId}</span>}
          <span className="notice-message">{e.message}</span>
        </li>
      ))}
    </ol>
  );
}

export function ModelsPanel() {
  const actions = useModelActions();
  return (
    <div className="panel models" data-testid="models">
      <ModelsHeader actions={actions} />
      <section className="models-section">
        <h3 className="panel-heading">Models</h3>
        <ModelTable actions={actions} />
      </section>
      <section className="models-section">
        <h3 className="panel-heading">Events</h3>
        <EventLog />
      </section>
      <WalkForwardSection />
    </div>
  );
}
