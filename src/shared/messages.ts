// The engine bus's messages: every push event of the IPC contract (so hosts forward them as they are)
// plus the engine-internal topics that never leave the process, and the named request endpoints.
// They live here, not in the kernel, so the bus and the clock depend on no domain code.
import type { EventMap } from './contract';
import type { Bar, QuoteTick, Trade, TradingStatus } from './domain';

/** The feature vector of a closed regular-session bar. */
export interface FeatureRow {
  symbol: string;
  /** Bar start (epoch ms UTC); the row is known at start + 60 s. */
  start: number;
  values: Float64Array;
  overlays: Float64Array;
}

/** A feature row with the bar it was computed from: readers never look the bar up again. */
export interface BarFeatures extends FeatureRow {
  bar: Bar;
}

/** The active model's P(up) for the symbols of one minute, scored in one batched call. */
export interface Scores {
  start: number;
  symbols: string[];
  /** P(up) per symbol, from the active model. */
  probUp: Float32Array;
  modelId: string;
}

export type EngineTopics = EventMap & {
  /** Prints, top of book and trading statuses from vendors that stream them (not sent to the renderer). */
  'data.trade': Trade;
  'data.quote': QuoteTick;
  'data.status': TradingStatus;
  /** The feature vector of a closed regular-session bar, with its bar (its arrays are the engine's own: copy to keep). */
  'features.row': BarFeatures;
  /** The active model's P(up) for the symbols of one minute. */
  'models.scores': Scores;
};

/** Named request endpoints inside the engine. */
export type EngineEndpoints = {
  'execution.flattenAll': (arg: { cause: string }) => Promise<{ closed: number }>;
};
