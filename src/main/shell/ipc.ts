// The IPC bridge between the cockpit window and the engine: one `ipcMain.handle` per contract
// channel, a sender check on every call, and engine push events forwarded to the window. Every
// answer and every push event has the configured secrets scrubbed out on its way to the page.
import {
  fail,
  IPC_EVENT_CHANNEL,
  IPC_REQUEST_PREFIX,
  requestChannels,
  type EventName,
  type EventPayload,
  type Result,
} from '../../shared/contract';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { EngineHost } from '../engine/host-api';
import { scrubSecrets, type SecretSource } from '../engine/scrub';
import type { ShellLogger } from './types';

/** True when a call comes from the cockpit's own main frame showing the app's own page. */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

export function createSenderCheck(
  appContents: () => WebContents | null,
  isAppUrl: (url: string) => boolean,
): SenderCheck {
  return (event) => {
    try {
      const contents = appContents();
      const frame = event.senderFrame;
      if (contents === null || contents.isDestroyed() || frame === null) return false;
      // Compare ids, not objects: Electron does not promise one wrapper object per webContents.
      if (event.sender.id !== contents.id) return false;
      // A subframe (an injected iframe, say) never gets to trade, even on the app's own origin.
      if (frame.parent !== null) return false;
      return isAppUrl(frame.url);
    } catch {
      // senderFrame throws when the frame is already gone; such a call has nobody to answer.
      return false;
    }
  };
}

/**
 * Registers `cockpit:<channel>` for every contract channel and nothing else. Handlers never
 * throw: Electron rewrites error messages that cross IPC, so failures travel as Result values.
 * Every answer has `secrets()` scrubbed out. Returns a function that removes every handler again.
 */
export function registerRequestHandlers(
  ipcMain: IpcMain,
  dispatch: EngineHost['dispatch'],
  isTrustedSender: SenderCheck,
  logger: ShellLogger,
  secrets: SecretSource,
): () => void {
  const registered: string[] = [];
  for (const channel of requestChannels) {
    const ipcChannel = IPC_REQUEST_PREFIX + channel;
    ipcMain.handle(ipcChannel, async (event, payload: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        logger.warn(`shell: refused ${channel} from ${describeSender(event)}`);
        return fail('UNAUTHORIZED', `${channel}: the call did not come from the cockpit window`);
      }
      let result: Result<unknown>;
      try {
        result = await dispatch(channel, payload);
      } catch (error) {
        // The dispatcher promises not to throw; if it does anyway the renderer still gets a value.
        logger.error(`shell: ${channel} threw`, { error });
        result = fail('INTERNAL', `${channel} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return scrubOrWithhold(result, secrets, logger, channel);
    });
    registered.push(ipcChannel);
  }
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    for (const ipcChannel of registered) ipcMain.removeHandler(ipcChannel);
  };
}

function describeSender(event: IpcMainInvokeEvent): string {
  try {
    return JSON.stringify(event.senderFrame?.url ?? '(no frame)').slice(0, 200);
  } catch {
    return '(unknown frame)';
  }
}

/** The answer with the secrets scrubbed out; a generic failure if scrubbing itself fails. */
function scrubOrWithhold(result: Result<unknown>, secrets: SecretSource, logger: ShellLogger, channel: string): Result<unknown> {
  try {
    return scrubSecrets(result, secrets());
  } catch (error) {
    logger.error(`shell: could not scrub the answer to ${channel}; withheld`, { error });
    return fail('INTERNAL', `${channel} failed: the answer could not be checked for secrets`);
  }
}

/**
 * Sends one contract push event to the window, with `secrets()` scrubbed out of its payload;
 * false when there is no live window to receive it (or the event could not be sent).
 */
export function sendPushEvent<E extends EventName>(
  contents: WebContents | null,
  event: E,
  payload: EventPayload<E>,
  logger: ShellLogger | undefined,
  secrets: SecretSource,
): boolean {
  if (contents === null || contents.isDestroyed()) return false;
  try {
    // Inside the try: a secret source that throws must not reach the engine's publish loop either.
    contents.send(IPC_EVENT_CHANNEL, { event, payload: scrubSecrets(payload, secrets()) });
    return true;
  } catch (error) {
    // This runs inside the engine's publish loop; a payload that cannot be cloned must not break it.
    logger?.error(`shell: could not send ${event} to the window`, { error });
    return false;
  }
}

/**
 * Forwards every engine push event to whatever window `target()` returns, with the engine's
 * secrets scrubbed out. Returns the unsubscribe.
 */
export function forwardEngineEvents(
  engine: Pick<EngineHost, 'onEvent' | 'secrets'>,
  target: () => WebContents | null,
  logger: ShellLogger,
): () => void {
  const secrets: SecretSource = () => engine.secrets();
  return engine.onEvent((event, payload) => {
    sendPushEvent(target(), event, payload, logger, secrets);
  });
}
