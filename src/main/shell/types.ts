// The slice of Electron the shell uses, passed in by the caller, plus the logger it writes to.
// Taking Electron as a parameter keeps these modules importable (and testable) under plain Node.
import type * as Electron from 'electron';

/** What the shell needs from `import electron from 'electron'` in the main process. */
export type ShellElectron = Pick<
  typeof Electron,
  'app' | 'BrowserWindow' | 'Menu' | 'ipcMain' | 'shell' | 'session' | 'screen' | 'dialog' | 'safeStorage' | 'protocol'
>;

/** Satisfied by the project's Logger (src/main/logging) and by `console`. */
export interface ShellLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
