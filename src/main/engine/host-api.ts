// What a host (Electron shell, headless server, CLI) needs from an engine, and nothing more.
import type { EventName, EventPayload } from '../../shared/contract';
import type { Dispatch } from '../ipc/dispatcher';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface EngineHost {
  readonly id: string;
  /** Validates and runs one contract request; never throws. */
  readonly dispatch: Dispatch;
  /** Every push event of the contract, in publish order. Returns an unsubscribe function. */
  onEvent(listener: EventListener): () => void;
  /**
   * The configured secrets (broker and vendor keys), for the bridges to scrub out of every event and
   * response they pass on (see ./scrub). For the host side only: never sent to a renderer.
   */
  secrets(): readonly string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}
