// The key window's sandboxed preload: puts `window.brokerKeys` ({ submit, cancel }) in the page and
// nothing else. The cockpit window never loads this file.
import { contextBridge, ipcRenderer } from 'electron';
import { createBrokerKeysApi } from './api';

contextBridge.exposeInMainWorld('brokerKeys', createBrokerKeysApi(ipcRenderer));
