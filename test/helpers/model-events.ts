// Waits on the learning service's own events, not on the wall clock: a retrain runs in a worker
// thread, and what it ends in (promoted, candidate, refused, failed) is a 'models.event'.
import type { EventPayload } from '../../src/shared/contract';
import type { Engine } from '../../src/main/app/compose';

export type ModelEvent = EventPayload<'models.event'>;
export const OUTCOMES: ReadonlySet<ModelEvent['kind']> = new Set(['promoted', 'candidate', 'refused', 'failed']);

/**
 * Resolves with the next retrain outcome, once the service has let go of the training (its worker is
 * released right after the event, in the same turn of the event loop).
 */
export function nextOutcome(engine: Pick<Engine, 'bus'>): Promise<ModelEvent> {
  return new Promise((resolve) => {
    const off = engine.bus.subscribe('models.event', (e) => {
      if (!OUTCOMES.has(e.kind)) return;
      off();
      setImmediate(() => resolve(e));
    });
  });
}
