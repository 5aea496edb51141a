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

/** Dispatched on the window (by the connection banner's button) to reconnect the socket now. */
export const RECONNECT_EVENT = 'cockpit:reconnect';

/** Where the token waits for a reload of this tab (gone when the tab closes); never in the address bar. */
const TOKEN_STORAGE_KEY = 'cockpit.accessToken';

function tabStorage(win: Window): Storage | null {
  try {
    return win.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * The access token the host printed after '#token=', taken out of the address bar as soon as it is
 * read (history, bookmarks, screenshots and screen shares never see it again) and kept in this
 * tab's session storage so that a reload still connects. Other fragment parameters stay.
 */
export function takeAccessToken(win: Window): string {
  const params = new URLSearchParams(win.location.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  const storage = tabStorage(win);
  if (fromHash === null) {
    try {
      return storage?.getItem(TOKEN_STORAGE_KEY) ?? '';
    } catch {
      return '';
    }
  }
  params.delete('token');
  const rest = params.toString();
  const { pathname, search } = win.location;
  try {
    win.history.replaceState(win.history.state, '', `${pathname}${search}${rest === '' ? '' : `#${rest}`}`);
  } catch {
    // No history API (an odd embedding): fall back to clearing the fragment outright.
    win.location.hash = rest;
  }
  try {
    storage?.setItem(TOKEN_STORAGE_KEY, fromHash);
  } catch {
    // Storage refused (private mode, quota): the token lives in memory only; a reload needs the printed address.
  }
  return fromHash;
}

export function connectCockpit(win: Window = window): Connection {
  if (win.cockpit) {
    return { api: win.cockpit, transport: 'preload', onState: (l) => l('open', 'preload') };
  }
  // Read once; the client keeps it in memory for every reconnect.
  const token = takeAccessToken(win);
  const proto = win.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const stateListeners: Array<(s: ConnectionState, d: string) => void> = [];
  const client = createSocketClient({
    url: `${proto}//${win.location.host}${SOCKET_PATH}`,
    token,
    WebSocketImpl: (win as Window & { WebSocket?: typeof WebSocket }).WebSocket,
    onState: (s, d) => stateListeners.forEach((l) => l(s, d)),
  });
  win.addEventListener(RECONNECT_EVENT, () => client.reconnect());
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
