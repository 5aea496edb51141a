// The engine bus's topics: every push event of the IPC contract (so hosts can forward them as they
// are) plus engine-internal topics that never leave the process.
import type { EventMap } from '../../shared/contract';
import type { MessageBus } from './bus';

export type EngineTopics = EventMap;

/** Named request endpoints inside the engine (later issues add execution.flattenAll and more). */
export type EngineEndpoints = {
  'execution.flattenAll': (arg: { cause: string }) => Promise<{ closed: number }>;
};

export type EngineBus = MessageBus<EngineTopics, EngineEndpoints>;
