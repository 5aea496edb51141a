// The engine bus's topics: every push event of the IPC contract (so hosts can forward them as they
// are) plus engine-internal topics that never leave the process.
import type { EventMap } from '../../shared/contract';
import type { QuoteTick, Trade, TradingStatus } from '../../shared/domain';
import type { MessageBus } from './bus';
import type { FeatureRow } from '../features/feature-engine';
import type { Scores } from '../ml/learning-service';

export type EngineTopics = EventMap & {
  /** Prints, top of book and trading statuses from vendors that stream them (not sent to the renderer). */
  'data.trade': Trade;
  'data.quote': QuoteTick;
  'data.status': TradingStatus;
  /** The feature vector of a closed regular-session bar (its arrays are the engine's own: copy to keep). */
  'features.row': FeatureRow;
  /** The active model's P(up) for the symbols of one minute, scored in one batched call. */
  'models.scores': Scores;
};

/** Named request endpoints inside the engine (later issues add more). */
export type EngineEndpoints = {
  'execution.flattenAll': (arg: { cause: string }) => Promise<{ closed: number }>;
};

export type EngineBus = MessageBus<EngineTopics, EngineEndpoints>;
