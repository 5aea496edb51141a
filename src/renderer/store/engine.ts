// The renderer's one way to send a request: it always resolves to a Result and files every failure
// as a notice, so callers branch on `ok` and nothing is ever thrown into React.
import {
  fail,
  type CockpitApi,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
  type Result,
} from '../../shared/contract';
import type { NoticesStoreApi } from './notices/store';

export interface EngineClient {
  call<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
}

export function createEngineClient(api: CockpitApi, notices: NoticesStoreApi): EngineClient {
  return {
    async call(channel, payload) {
      let result;
      try {
        result = await api.request(channel, payload);
      } catch (err) {
        // A transport should answer with a Result, but a preload bug must not take the UI down.
        result = fail('INTERNAL', err instanceof Error ? err.message : String(err));
      }
      if (!result.ok) notices.getState().requestFailed(channel, result.error);
      return result;
    },
  };
}
