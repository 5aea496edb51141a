// Builds the contract's CockpitApi on top of ipcRenderer: only contract channels go out, only
// contract events come in, and page code never sees an IpcRendererEvent.
import {
  fail,
  IPC_EVENT_CHANNEL,
  IPC_REQUEST_PREFIX,
  isEventName,
  isRequestChannel,
  type CockpitApi,
  type EventName,
  type EventPayload,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
  type Result,
} from '../shared/contract';
import type { IpcRenderer } from 'electron';

/** The two ipcRenderer methods the API needs; a test passes a fake. */
export type IpcPort = Pick<IpcRenderer, 'invoke' | 'on'>;

type AnyListener = (payload: unknown) => void;

function isPushMessage(message: unknown): message is { event: EventName; payload: unknown } {
  return typeof message === 'object' && message !== null && isEventName((message as { event?: unknown }).event);
}

export function createCockpitApi(
  ipc: IpcPort,
  reportListenerError: (event: EventName, error: unknown) => void = (event, error) =>
    console.error(`cockpit: a listener for ${event} threw`, error),
): CockpitApi {
  // Entries are objects, not the listener functions, so subscribing the same function twice
  // yields two independent subscriptions with their own unsubscribe.
  const listeners = new Map<EventName, Set<{ listener: AnyListener }>>();
  let subscribed = false;

  const fanOut = (message: unknown): void => {
    if (!isPushMessage(message)) return;
    const entries = listeners.get(message.event);
    if (entries === undefined) return;
    // Copy first: a listener may unsubscribe itself (or another) while we iterate.
    for (const entry of [...entries]) {
      try {
        entry.listener(message.payload);
      } catch (error) {
        // One faulty panel must not starve the others of quotes.
        reportListenerError(message.event, error);
      }
    }
  };

  return {
    request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      if (!isRequestChannel(channel)) {
        return Promise.resolve(fail('UNKNOWN_CHANNEL', `unknown channel ${JSON.stringify(String(channel)).slice(0, 120)}`));
      }
      return (ipc.invoke(IPC_REQUEST_PREFIX + channel, payload) as Promise<Result<ResponseOf<C>>>).catch(
        // Only when no handler answers (window closing, app quitting): still a value, never a throw.
        (error: unknown) =>
          fail('DISCONNECTED', `${channel}: ${error instanceof Error ? error.message : String(error)}`),
      );
    },

    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      if (!isEventName(event)) throw new TypeError(`unknown event ${JSON.stringify(String(event)).slice(0, 120)}`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      if (!subscribed) {
        subscribed = true;
        // The IpcRendererEvent stays here: it carries `sender`, which page code must never hold.
        ipc.on(IPC_EVENT_CHANNEL, (_ipcEvent, message: unknown) => fanOut(message));
      }
      const entry = { listener: listener as AnyListener };
      let entries = listeners.get(event);
      if (entries === undefined) {
        entries = new Set();
        listeners.set(event, entries);
      }
      entries.add(entry);
      return () => {
        listeners.get(event)?.delete(entry);
      };
    },
  };
}
