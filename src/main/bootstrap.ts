// Start-up shared by the hosts and the CLI: read .env and the environment once, validate, and
// stop with a message that names the bad variable when the configuration is wrong.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { ConfigError, loadConfig, readDotEnv, type EngineConfig, type VariableName } from './config/config';

export interface BootstrapOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  overrides?: Partial<Record<VariableName, string>>;
}

/** The .env file in the working folder with the environment over it: what resolveConfig reads. */
export function readEnvironment(options: Pick<BootstrapOptions, 'cwd' | 'env'> = {}): Record<string, string | undefined> {
  const cwd = options.cwd ?? process.cwd();
  return { ...readDotEnv(join(cwd, '.env')), ...(options.env ?? process.env) };
}

/** Environment variables win over the .env file in the working folder; `overrides` win over both. */
export function resolveConfig(options: BootstrapOptions = {}): EngineConfig {
  return loadConfig(readEnvironment(options), options.overrides ?? {});
}

/** Exits the process with status 2 and the config error's message when the config is invalid. */
export function resolveConfigOrExit(options: BootstrapOptions = {}, stderr: NodeJS.WritableStream = process.stderr): EngineConfig {
  try {
    return resolveConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) {
      stderr.write(`${error.message}\nNothing was started. Fix the variable(s) above in the environment or .env.\n`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * Makes the data folder private before anything is written to it: created 0700 when missing; an
 * existing one (Electron creates userData 0755) owned by this user is narrowed to 0700, and so are the
 * log and model folders inside it. Files are written 0600 by their writers (database, logs, models,
 * window state, keychain). A no-op for modes on Windows (no POSIX permissions there).
 */
export function secureDataDir(config: Pick<EngineConfig, 'dataDir' | 'logDir' | 'modelsDir'>): void {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const inside = (dir: string): boolean => {
    const rel = relative(config.dataDir, dir);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  for (const dir of [config.dataDir, config.logDir, config.modelsDir]) {
    if (!inside(dir)) continue; // a log folder elsewhere (TRADING_LOG_DIR) is the trader's to set
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const st = statSync(dir);
      if ((st.mode & 0o077) !== 0 && (process.getuid === undefined || st.uid === process.getuid())) chmodSync(dir, 0o700);
    } catch {
      // Not ours to change (a shared folder): the files inside are still written 0600.
    }
  }
}
