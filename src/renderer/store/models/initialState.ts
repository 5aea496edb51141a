// The models slice's shape: the engine's model registry as `models.list` last described it (models,
// inference, learning schedule), the model lifecycle log (`models.event`, newest first), whether a
// retrain is running, and the walk-forward evaluation the trader last started from the Models panel.
import type { EventPayload, RequestOf, ResponseOf } from '../../../shared/contract';

export type ModelsList = ResponseOf<'models.list'>;
export type ModelSummary = ModelsList['models'][number];
export type ModelStatus = ModelSummary['status'];
export type ModelEvent = EventPayload<'models.event'>;
export type ModelEventKind = ModelEvent['kind'];
export type InferenceStatus = ModelsList['inference'];
export type LearningStatus = ModelsList['learning'];
export type WalkForwardPeriod = NonNullable<RequestOf<'models.walkForward'>['period']>;

/** A walk-forward run the engine accepted: its job id and what was asked. */
export interface WalkForwardRun {
  jobId: string;
  symbols: readonly string[];
  from: string;
  to: string;
  period: WalkForwardPeriod;
  trainPeriods: number;
}

export interface ModelsState {
  /** Newest first; null until the engine has answered `models.list`. */
  models: readonly ModelSummary[] | null;
  /** Lifecycle events, newest first, at most `eventCapacity`. */
  events: readonly ModelEvent[];
  eventCapacity: number;
  /** Null until the engine has answered. */
  inference: InferenceStatus | null;
  learning: LearningStatus | null;
  /** A retrain is running: from the last list answer, then from the retrain's own events. */
  training: boolean;
  /** The walk-forward run the panel follows; null before the first one. */
  walkForward: WalkForwardRun | null;
}

export const DEFAULT_MODEL_EVENT_CAPACITY = 200;

export const initialModelsState: ModelsState = {
  models: null,
  events: [],
  eventCapacity: DEFAULT_MODEL_EVENT_CAPACITY,
  inference: null,
  learning: null,
  training: false,
  walkForward: null,
};
