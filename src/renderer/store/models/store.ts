// The models store: folds `models.list` answers, `models.event` pushes and retrain progress into one
// view of the registry. A list answer and the live events overlap (the engine keeps its recent events
// and also pushes each one), so events are merged by identity, never appended twice.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { JobProgress } from '../jobs/initialState';
import {
  initialModelsState,
  type ModelEvent,
  type ModelsList,
  type ModelsState,
  type ModelSummary,
  type WalkForwardRun,
} from './initialState';

export interface ModelsActions {
  modelsListed(list: ModelsList): void;
  modelEventReceived(event: ModelEvent): void;
  /** A `job.progress` of any kind; only retrains ('train') change the state. */
  trainingProgressed(progress: JobProgress): void;
  walkForwardStarted(run: WalkForwardRun): void;
  walkForwardCleared(): void;
}

export type ModelsStore = ModelsState & ModelsActions;
export type ModelsStoreApi = StoreApi<ModelsStore>;

export interface ModelsStoreOptions {
  initial?: Partial<ModelsState>;
  eventCapacity?: number;
}

/** The engine sends no event id; these four fields tell two events apart. */
const eventKey = (e: ModelEvent): string => `${e.at}|${e.kind}|${e.modelId ?? ''}|${e.message}`;

/**
 * Newest first, without duplicates, at most `capacity`. `incoming` is newest first and wins ties of
 * time over `current` (the sort is stable). Returns `current` itself when nothing changed.
 */
export function mergeModelEvents(current: readonly ModelEvent[], incoming: readonly ModelEvent[], capacity: number): readonly ModelEvent[] {
  const seen = new Set<string>();
  const merged: ModelEvent[] = [];
  for (const e of [...incoming, ...current]) {
    const key = eventKey(e);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(e);
  }
  merged.sort((a, b) => b.at - a.at);
  const out = merged.slice(0, capacity);
  const same = out.length === current.length && out.every((e, i) => eventKey(e) === eventKey(current[i]!));
  return same ? current : out;
}

/** Newest first; the engine lists oldest first, so equal creation times keep the engine's later one first. */
function newestFirst(models: readonly ModelSummary[]): ModelSummary[] {
  return [...models].reverse().sort((a, b) => b.createdAt - a.createdAt);
}

export function createModelsStore(options: ModelsStoreOptions = {}): ModelsStoreApi {
  return createStore<ModelsStore>()((set) => ({
    ...initialModelsState,
    eventCapacity: options.eventCapacity ?? initialModelsState.eventCapacity,
    ...options.initial,
    modelsListed: (list) =>
      set((s) => ({
        models: newestFirst(list.models),
        // The engine lists oldest first.
        events: mergeModelEvents(s.events, [...list.events].reverse(), s.eventCapacity),
        inference: list.inference,
        learning: list.learning,
        training: list.learning.training,
      })),
    modelEventReceived: (event) =>
      set((s) => {
        const events = mergeModelEvents(s.events, [event], s.eventCapacity);
        // A 'training' event is the retrain starting; its end comes as a job.progress or a list answer.
        const training = event.kind === 'training' ? true : s.training;
        return events === s.events && training === s.training ? s : { events, training };
      }),
    trainingProgressed: (progress) =>
      set((s) => {
        if (progress.kind !== 'train') return s;
        const training = progress.state === 'running' || progress.state === 'queued';
        return training === s.training ? s : { training };
      }),
    walkForwardStarted: (run) => set({ walkForward: run }),
    walkForwardCleared: () => set({ walkForward: null }),
  }));
}
