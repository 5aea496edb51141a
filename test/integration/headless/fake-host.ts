// A minimal EngineHost for the headless server's own tests: answers from a function, publishes
// events on demand, reports the secrets it was given.
import type { EngineHost, EventListener } from '../../../src/main/engine/host-api';
import { ok, type EventName, type EventPayload, type Result } from '../../../src/shared/contract';

export interface FakeHost extends EngineHost {
  publish<E extends EventName>(event: E, payload: EventPayload<E>): void;
  answer: (channel: string, payload: unknown) => Result<unknown> | Promise<Result<unknown>>;
  secretValues: string[];
}

export function fakeHost(): FakeHost {
  const listeners = new Set<EventListener>();
  const host: FakeHost = {
    id: 'fake-host',
    answer: (channel) => ok({ echoed: channel }),
    secretValues: [],
    dispatch: async (channel, payload) => host.answer(channel, payload),
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    publish(event, payload) {
      for (const l of listeners) l(event, payload);
    },
    secrets: () => host.secretValues,
    start: async () => undefined,
    stop: async () => undefined,
  };
  return host;
}
