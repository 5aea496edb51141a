// The Electron shell's public surface: the integrator calls `startElectronShell` from src/main/index.ts.
export { startElectronShell, type ElectronShell, type ElectronShellOptions } from './lifecycle';
export type { ShellElectron, ShellLogger } from './types';
export { registerAppScheme } from './app-protocol';
