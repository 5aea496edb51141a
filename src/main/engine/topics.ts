// The engine bus's type: the kernel's MessageBus over the shared message map (src/shared/messages.ts).
import type { EngineEndpoints, EngineTopics } from '../../shared/messages';
import type { MessageBus } from './bus';

export type { EngineEndpoints, EngineTopics } from '../../shared/messages';
export type EngineBus = MessageBus<EngineTopics, EngineEndpoints>;
