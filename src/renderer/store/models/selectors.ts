// Atomic selectors over the models slice, and the reading of a model's held-out losses from its
// free-form metrics record.
import type { ModelSummary } from './initialState';
import type { ModelsStore } from './store';

const NO_MODELS: readonly ModelSummary[] = [];

export const modelsSelectors = {
  /** The same empty array until the engine answers, so nothing re-renders for it. */
  models: (s: ModelsStore): readonly ModelSummary[] => s.models ?? NO_MODELS,
  isKnown: (s: ModelsStore): boolean => s.models !== null,
  events: (s: ModelsStore) => s.events,
  inference: (s: ModelsStore) => s.inference,
  learning: (s: ModelsStore) => s.learning,
  isTraining: (s: ModelsStore): boolean => s.training,
  /** The model the inference service serves; the registry's active one when the service has not said. */
  activeModelId: (s: ModelsStore): string | null =>
    s.inference?.activeModel ?? s.models?.find((m) => m.status === 'active')?.id ?? null,
  walkForward: (s: ModelsStore) => s.walkForward,
  walkForwardJobId: (s: ModelsStore): string | null => s.walkForward?.jobId ?? null,
};

/** Held-out log losses a retrain measured on the same newest rows; NaN where unknown. */
export interface HoldoutLosses {
  /** This model's. */
  model: number;
  /** The model that was active when this one was trained (NaN when there was none). */
  active: number;
  /** Always predicting the training base rate: the bar to beat. */
  prior: number;
  rows: number;
}

const finite = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);

/** `metrics` is an open record in the contract; only numbers are taken from it. */
export function holdoutLosses(model: Pick<ModelSummary, 'metrics'>): HoldoutLosses {
  const m = model.metrics;
  return {
    model: finite(m.holdoutLogLoss),
    active: finite(m.activeHoldoutLogLoss),
    prior: finite(m.priorLogLoss),
    rows: finite(m.holdoutRows),
  };
}
