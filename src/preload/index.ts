// The sandboxed preload: puts the contract's CockpitApi on `window.cockpit` and nothing else.
// A sandboxed preload may require only a few Electron modules; contextBridge and ipcRenderer are two.
import { contextBridge, ipcRenderer } from 'electron';
import { createCockpitApi } from './cockpit-api';

contextBridge.exposeInMainWorld('cockpit', createCockpitApi(ipcRenderer));
