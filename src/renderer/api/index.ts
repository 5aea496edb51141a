// Picks the transport: the preload's `window.cockpit` under Electron, the host's socket otherwise.
// Nothing else in the renderer knows which one it got.
import type { CockpitApi } from '../../shared/contract';
import { SOCKET_PATH } from '../../shared/contract';
import { createSocketClient, type ConnectionState } from './socket-client';

declare global {
  interface Window {
    cockpit?: CockpitApi;
  }
}

export interface Connection {
  api: CockpitApi;
  transport: 'preload' | 'socket';
  onState(listener: (state: ConnectionState, detail: string) => void): void;
}

export function connectCockpit(win: Window = window): Connection {
  if (win.cockpit) {
    return { api: win.cockpit, transport: 'preload', onState: (l) => l('open', 'preload') };
  }
  const params = new URLSearchParams(win.location.hash.replace(/^#/, ''));
  const token = params.get('token') ?? '';
  const proto = win.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const stateListeners: Array<(s: ConnectionState, d: string) => void> = [];
  const client = createSocketClient({
    url: `${proto}//${win.location.host}${SOCKET_PATH}`,
    token,
    onState: (s, d) => stateListeners.forEach((l) => l(s, d)),
  });
  return {
    api: client,
    transport: 'socket',
    onState: (l) => {
      stateListeners.push(l);
      l(client.state, '');
    },
  };
}

export type { ConnectionState };
