// The key window's whole API: submit the form, or cancel. Only the two broker-keys channels, and
// only the three string fields of the form, ever reach the main process from this window.
import type { IpcRenderer } from 'electron';
import { KEY_WINDOW_CHANNELS, type BrokerKeysApi, type KeySubmission, type KeyWindowReply } from '../../main/shell/key-entry';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export function createBrokerKeysApi(ipc: Pick<IpcRenderer, 'invoke'>): BrokerKeysApi {
  return {
    async submit(keys: KeySubmission): Promise<KeyWindowReply> {
      // Copy the fields: whatever else the page might attach to the object stays in the page.
      const payload: KeySubmission = { keyId: text(keys.keyId), secretKey: text(keys.secretKey), polygonKey: text(keys.polygonKey) };
      return (await ipc.invoke(KEY_WINDOW_CHANNELS.submit, payload)) as KeyWindowReply;
    },
    async cancel(): Promise<void> {
      await ipc.invoke(KEY_WINDOW_CHANNELS.cancel);
    },
  };
}
