// Keeps the trader's Alpaca and Polygon keys in the user data folder, encrypted by the operating
// system's keychain through Electron's safeStorage. Electron host only; the environment always wins.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { SafeStorage } from 'electron';
import type { VariableName } from '../config/config';
import { Secret } from '../config/secret';
import { checkKeyField, type KeyField } from './key-entry';

export const CREDENTIALS_FILE = 'credentials.bin';

/** Where to go instead when the keychain cannot be used. */
export const ENVIRONMENT_HINT =
  'Put the keys in the environment or in .env instead: TRADING_ALPACA_KEY_ID and TRADING_ALPACA_SECRET_KEY (and TRADING_POLYGON_API_KEY).';

/** The part of `electron.safeStorage` used here. */
export type KeychainSafeStorage = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/** Keys in memory are Secrets: they print, log and serialise as [REDACTED]. */
export interface BrokerKeys {
  readonly alpacaKeyId: Secret;
  readonly alpacaSecretKey: Secret;
  readonly polygonApiKey: Secret | null;
}

export type KeychainAvailability = { ok: true } | { ok: false; message: string };
export type KeychainWrite = { ok: true } | { ok: false; message: string };
export type KeychainRead =
  | { status: 'none' }
  | { status: 'loaded'; keys: BrokerKeys }
  /** The file exists but gives no keys; `message` says why and what to do. No keys are used. */
  | { status: 'error'; message: string };

export interface Keychain {
  readonly filePath: string;
  /** Whether keys can be stored safely on this computer, and if not, why. Valid only after app 'ready'. */
  availability(): KeychainAvailability;
  hasSavedKeys(): boolean;
  save(keys: BrokerKeys): KeychainWrite;
  load(): KeychainRead;
  /** Deletes the saved keys (no error when there are none). */
  forget(): KeychainWrite;
}

export interface KeychainOptions {
  safeStorage: KeychainSafeStorage;
  userDataDir: string;
  /** Defaults to process.platform; on Linux the storage backend is checked too. */
  platform?: NodeJS.Platform;
}

// Base64 of each ciphertext; the field names say what is inside, the values say nothing.
const CredentialsFileSchema = z.object({
  format: z.literal('cockpit-credentials'),
  version: z.literal(1),
  alpacaKeyId: z.string().min(1),
  alpacaSecretKey: z.string().min(1),
  polygonApiKey: z.string().min(1).optional(),
});
type CredentialsFile = z.infer<typeof CredentialsFileSchema>;

const REENTER = 'Use Trading → Forget broker keys, then enter them again with Trading → Broker keys…';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createKeychain(options: KeychainOptions): Keychain {
  const { safeStorage } = options;
  const platform = options.platform ?? process.platform;
  const filePath = join(options.userDataDir, CREDENTIALS_FILE);

  const availability = (): KeychainAvailability => {
    let available: boolean;
    try {
      available = safeStorage.isEncryptionAvailable();
    } catch (error) {
      return { ok: false, message: `The operating system keychain could not be asked (${describe(error)}). ${ENVIRONMENT_HINT}` };
    }
    if (!available) {
      return { ok: false, message: `The operating system keychain is not available to the cockpit, so keys cannot be stored encrypted. ${ENVIRONMENT_HINT}` };
    }
    if (platform === 'linux') {
      // Without a secret service (GNOME Keyring, KWallet) Chromium encrypts with a fixed, public
      // key and still reports encryption as available: that would only look like protection.
      const backend = safeStorage.getSelectedStorageBackend();
      if (backend === 'basic_text' || backend === 'unknown') {
        return {
          ok: false,
          message:
            `No secret service (GNOME Keyring or KWallet) was found; Electron's fallback ("${backend}") ` +
            `is not real protection, so the cockpit will not store keys with it. ${ENVIRONMENT_HINT}`,
        };
      }
    }
    return { ok: true };
  };

  const encrypt = (secret: Secret): string => safeStorage.encryptString(secret.reveal()).toString('base64');

  const decrypt = (field: KeyField, base64: string): string => {
    const plain = safeStorage.decryptString(Buffer.from(base64, 'base64'));
    const checked = checkKeyField(field, plain, true);
    if (!checked.ok || checked.value === null) throw new Error(checked.ok ? 'empty key' : checked.message);
    return checked.value;
  };

  return {
    filePath,
    availability,
    hasSavedKeys() {
      try {
        readFileSync(filePath);
        return true;
      } catch {
        return false;
      }
    },

    save(keys) {
      const usable = availability();
      if (!usable.ok) return usable;
      let file: CredentialsFile;
      try {
        file = {
          format: 'cockpit-credentials',
          version: 1,
          alpacaKeyId: encrypt(keys.alpacaKeyId),
          alpacaSecretKey: encrypt(keys.alpacaSecretKey),
          ...(keys.polygonApiKey !== null ? { polygonApiKey: encrypt(keys.polygonApiKey) } : {}),
        };
      } catch (error) {
        return { ok: false, message: `The keychain refused to encrypt the keys (${describe(error)}). ${ENVIRONMENT_HINT}` };
      }
      const temp = `${filePath}.${process.pid}.tmp`;
      try {
        mkdirSync(options.userDataDir, { recursive: true, mode: 0o700 });
        // A leftover temp file from a crash would keep its old mode; start from a fresh one.
        rmSync(temp, { force: true });
        writeFileSync(temp, `${JSON.stringify(file)}\n`, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
        // Atomic: a crash mid-save leaves the old file or the new one, never half of one.
        renameSync(temp, filePath);
        return { ok: true };
      } catch (error) {
        rmSync(temp, { force: true });
        return { ok: false, message: `Could not write ${filePath} (${describe(error)}).` };
      }
    },

    load() {
      let text: string;
      try {
        text = readFileSync(filePath, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'none' };
        return { status: 'error', message: `Could not read ${filePath} (${describe(error)}); no saved broker keys are used.` };
      }
      let file: CredentialsFile;
      try {
        const parsed = CredentialsFileSchema.safeParse(JSON.parse(text));
        if (!parsed.success) throw new Error('unexpected content');
        file = parsed.data;
      } catch {
        return { status: 'error', message: `${filePath} is damaged; no saved broker keys are used. ${REENTER}` };
      }
      let available = false;
      try {
        available = safeStorage.isEncryptionAvailable();
      } catch {
        available = false;
      }
      if (!available) {
        return {
          status: 'error',
          message: `The operating system keychain is not available, so the saved broker keys cannot be decrypted; none are used. ${ENVIRONMENT_HINT}`,
        };
      }
      try {
        const keys: BrokerKeys = {
          alpacaKeyId: new Secret(decrypt('keyId', file.alpacaKeyId)),
          alpacaSecretKey: new Secret(decrypt('secretKey', file.alpacaSecretKey)),
          polygonApiKey: file.polygonApiKey !== undefined ? new Secret(decrypt('polygonKey', file.polygonApiKey)) : null,
        };
        return { status: 'loaded', keys };
      } catch {
        // The reason may quote decrypted bytes; it is not passed on.
        return {
          status: 'error',
          message:
            `The saved broker keys in ${filePath} could not be decrypted with this user's keychain ` +
            `(copied from another computer or user, or the keychain was reset); none are used. ${REENTER}`,
        };
      }
    },

    forget() {
      try {
        rmSync(filePath, { force: true });
        return { ok: true };
      } catch (error) {
        return { ok: false, message: `Could not delete ${filePath} (${describe(error)}).` };
      }
    },
  };
}

export type KeyVariable = Extract<VariableName, 'TRADING_ALPACA_KEY_ID' | 'TRADING_ALPACA_SECRET_KEY' | 'TRADING_POLYGON_API_KEY'>;

const isSet = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

/** True when the environment (or .env) leaves a key for the keychain to supply. */
export function environmentLacksKeys(env: Readonly<Record<string, string | undefined>>): boolean {
  const hasAlpaca = isSet(env.TRADING_ALPACA_KEY_ID) || isSet(env.TRADING_ALPACA_SECRET_KEY);
  return !hasAlpaca || !isSet(env.TRADING_POLYGON_API_KEY);
}

/**
 * The config overrides the saved keys supply. The environment wins: the Alpaca pair comes from the
 * keychain only when the environment sets neither of the two, the Polygon key only when it is unset.
 */
export function keychainOverrides(
  env: Readonly<Record<string, string | undefined>>,
  keys: BrokerKeys,
): Partial<Record<KeyVariable, string>> {
  const out: Partial<Record<KeyVariable, string>> = {};
  if (!isSet(env.TRADING_ALPACA_KEY_ID) && !isSet(env.TRADING_ALPACA_SECRET_KEY)) {
    out.TRADING_ALPACA_KEY_ID = keys.alpacaKeyId.reveal();
    out.TRADING_ALPACA_SECRET_KEY = keys.alpacaSecretKey.reveal();
  }
  if (!isSet(env.TRADING_POLYGON_API_KEY) && keys.polygonApiKey !== null) {
    out.TRADING_POLYGON_API_KEY = keys.polygonApiKey.reveal();
  }
  return out;
}

export interface StartupKeys {
  overrides: Partial<Record<KeyVariable, string>>;
  /** Where the keys of this session come from, for the log (never the keys). */
  source: 'environment' | 'keychain' | 'none';
  /** Why saved keys were not used, when they exist but could not be read. */
  problem: string | null;
}

/** What the Electron host passes to resolveConfig at start. Call after app 'ready'. Never throws. */
export function startupKeys(env: Readonly<Record<string, string | undefined>>, keychain: Keychain): StartupKeys {
  const fromEnvironment = !environmentLacksKeys(env);
  if (fromEnvironment) return { overrides: {}, source: 'environment', problem: null };
  let read: KeychainRead;
  try {
    read = keychain.load();
  } catch (error) {
    read = { status: 'error', message: `Reading the saved broker keys failed (${describe(error)}); none are used.` };
  }
  const envHasAny = isSet(env.TRADING_ALPACA_KEY_ID) || isSet(env.TRADING_ALPACA_SECRET_KEY) || isSet(env.TRADING_POLYGON_API_KEY);
  if (read.status === 'error') return { overrides: {}, source: envHasAny ? 'environment' : 'none', problem: read.message };
  if (read.status === 'none') return { overrides: {}, source: envHasAny ? 'environment' : 'none', problem: null };
  const overrides = keychainOverrides(env, read.keys);
  return { overrides, source: Object.keys(overrides).length > 0 ? 'keychain' : 'environment', problem: null };
}
