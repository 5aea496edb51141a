// The models store: the registry as the engine lists it, the lifecycle log live and without
// duplicates, and whether a retrain is running.
import { describe, expect, it } from 'vitest';
import { holdoutLosses, modelsSelectors } from '../../../src/renderer/store/models/selectors';
import { createModelsStore, mergeModelEvents } from '../../../src/renderer/store/models/store';
import { jobProgress, modelEvent, modelsList, modelSummary, T0 } from '../fakes';

const MIN = 60_000;

describe('models store', () => {
  it('before the engine answers then no model is claimed, the empty list keeps its reference and nothing is active', () => {
    const models = createModelsStore();
    const s = models.getState();
    expect(modelsSelectors.isKnown(s)).toBe(false);
    expect(modelsSelectors.models(s)).toBe(modelsSelectors.models(models.getState()));
    expect(modelsSelectors.models(s)).toEqual([]);
    expect(modelsSelectors.activeModelId(s)).toBeNull();
    expect(modelsSelectors.isTraining(s)).toBe(false);
  });

  it('when the list arrives then models are newest first and the events too', () => {
    const models = createModelsStore();
    const older = modelSummary({ id: 'm-1', status: 'retired', createdAt: T0 });
    const newer = modelSummary({ id: 'm-2', status: 'active', createdAt: T0 + 15 * MIN });
    models.getState().modelsListed(
      modelsList({
        models: [older, newer],
        events: [modelEvent({ kind: 'training', at: T0 + 14 * MIN }), modelEvent({ kind: 'promoted', modelId: 'm-2', at: T0 + 15 * MIN })],
        inference: { provider: 'cpu', note: 'CUDA unavailable: fell back to CPU', activeModel: 'm-2' },
      }),
    );
    const s = models.getState();
    expect(modelsSelectors.models(s).map((m) => m.id)).toEqual(['m-2', 'm-1']);
    expect(modelsSelectors.events(s).map((e) => e.kind)).toEqual(['promoted', 'training']);
    expect(modelsSelectors.activeModelId(s)).toBe('m-2');
    expect(modelsSelectors.inference(s)?.note).toContain('fell back to CPU');
    expect(modelsSelectors.learning(s)?.labelledRows).toBe(2_250);
  });

  it('when the inference service has not said which model it serves then the registry active one is shown', () => {
    const models = createModelsStore();
    models.getState().modelsListed(modelsList({ models: [modelSummary({ id: 'm-3', status: 'active' })] }));
    expect(modelsSelectors.activeModelId(models.getState())).toBe('m-3');
  });

  it('when a live event is also in the next list answer then it is logged once, newest first', () => {
    const models = createModelsStore();
    const promoted = modelEvent({ kind: 'promoted', at: T0 + 40 * MIN, message: 'promoted: held-out log loss 0.6850' });
    models.getState().modelsListed(modelsList());
    models.getState().modelEventReceived(promoted);
    models.getState().modelsListed(modelsList({ events: [...modelsList().events, promoted] }));
    const kinds = modelsSelectors.events(models.getState()).map((e) => e.kind);
    expect(kinds).toEqual(['promoted', 'candidate', 'training']);
  });

  it('when the same event arrives twice then the store does not publish a change', () => {
    const models = createModelsStore();
    models.getState().modelEventReceived(modelEvent());
    let published = 0;
    models.subscribe(() => published++);
    models.getState().modelEventReceived(modelEvent());
    expect(published).toBe(0);
  });

  it('when more events arrive than the log holds then the oldest are dropped', () => {
    const models = createModelsStore({ eventCapacity: 3 });
    for (let i = 0; i < 5; i++) models.getState().modelEventReceived(modelEvent({ at: T0 + i * MIN, message: `event ${i}` }));
    expect(modelsSelectors.events(models.getState()).map((e) => e.message)).toEqual(['event 4', 'event 3', 'event 2']);
  });

  it('when a retrain starts then training shows until its job ends, and a later list answer has the last word', () => {
    const models = createModelsStore();
    models.getState().modelEventReceived(modelEvent({ kind: 'training', modelId: null }));
    expect(modelsSelectors.isTraining(models.getState())).toBe(true);
    models.getState().trainingProgressed(jobProgress({ jobId: 'train-1', kind: 'train', state: 'running', fraction: 0.4 }));
    expect(modelsSelectors.isTraining(models.getState())).toBe(true);
    models.getState().trainingProgressed(jobProgress({ jobId: 'train-1', kind: 'train', state: 'done', fraction: 1 }));
    expect(modelsSelectors.isTraining(models.getState())).toBe(false);
    models.getState().modelsListed(modelsList({ learning: { ...modelsList().learning, training: true } }));
    expect(modelsSelectors.isTraining(models.getState())).toBe(true);
  });

  it('when an import or a walk-forward reports progress then the retrain flag is untouched', () => {
    const models = createModelsStore();
    models.getState().trainingProgressed(jobProgress({ kind: 'import', state: 'running' }));
    models.getState().trainingProgressed(jobProgress({ jobId: 'evaluate-1', kind: 'evaluate', state: 'running' }));
    expect(modelsSelectors.isTraining(models.getState())).toBe(false);
  });

  it('when a walk-forward is started then its job is followed until cleared', () => {
    const models = createModelsStore();
    models.getState().walkForwardStarted({ jobId: 'evaluate-1', symbols: ['SPY'], from: '2011-01-03', to: '2011-01-31', period: 'day', trainPeriods: 5 });
    expect(modelsSelectors.walkForwardJobId(models.getState())).toBe('evaluate-1');
    models.getState().walkForwardCleared();
    expect(modelsSelectors.walkForward(models.getState())).toBeNull();
  });
});

describe('mergeModelEvents', () => {
  it('when nothing new arrives then the same array is returned', () => {
    const current = [modelEvent({ at: T0 + 2 * MIN }), modelEvent({ at: T0 + MIN })];
    expect(mergeModelEvents(current, [current[1]!], 10)).toBe(current);
  });

  it('when two different events share an instant then both are kept', () => {
    const a = modelEvent({ kind: 'promoted', at: T0 });
    const b = modelEvent({ kind: 'drift', at: T0, message: 'feature drift in ret_1' });
    expect(mergeModelEvents([a], [b], 10)).toHaveLength(2);
  });
});

describe('holdoutLosses', () => {
  it('when a retrain recorded its losses then the model, the active model and the prior are read', () => {
    expect(holdoutLosses(modelSummary())).toEqual({ model: 0.6871, active: 0.6902, prior: 0.6929, rows: 450 });
  });

  it('when the first model had nothing to beat then the active loss is NaN, not 0', () => {
    const losses = holdoutLosses(modelSummary({ metrics: { holdoutLogLoss: 0.69, activeHoldoutLogLoss: null, priorLogLoss: 'x' } }));
    expect(losses.model).toBe(0.69);
    expect(losses.active).toBeNaN();
    expect(losses.prior).toBeNaN();
    expect(losses.rows).toBeNaN();
  });
});
