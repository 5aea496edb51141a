// Start-up shared by the hosts and the CLI: read .env and the environment once, validate, and
// stop with a message that names the bad variable when the configuration is wrong.
import { join } from 'node:path';
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
