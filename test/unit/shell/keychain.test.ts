// Broker keys kept encrypted by the OS keychain: they come back as saved, never lie on disk in
// plain text, are refused where the keychain is no real protection, and a damaged file means no
// keys and a clear message, never a crash. The environment always wins.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/main/config/config';
import { Secret } from '../../../src/main/config/secret';
import {
  CREDENTIALS_FILE,
  createKeychain,
  keychainOverrides,
  startupKeys,
  type BrokerKeys,
  type Keychain,
  type KeychainSafeStorage,
} from '../../../src/main/shell/keychain';
import { createFakeElectron, type FakeElectron } from './fake-electron';

const KEY_ID = 'PKTESTKEY0123456789A';
const SECRET = 'sEcReTkEy0123456789abcdefghijklmnopqrstu';
const POLYGON = 'pOlYgOnKeY0123456789abcdefghijkl';

const keys = (polygon: string | null = POLYGON): BrokerKeys => ({
  alpacaKeyId: new Secret(KEY_ID),
  alpacaSecretKey: new Secret(SECRET),
  polygonApiKey: polygon === null ? null : new Secret(polygon),
});

let dir: string;
let fake: FakeElectron;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-keychain-'));
  fake = createFakeElectron();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function keychain(platform: NodeJS.Platform = 'linux'): Keychain {
  return createKeychain({ safeStorage: fake.electron.safeStorage, userDataDir: dir, platform });
}

function revealed(read: ReturnType<Keychain['load']>) {
  if (read.status !== 'loaded') throw new Error(`expected keys, got ${JSON.stringify(read)}`);
  return {
    keyId: read.keys.alpacaKeyId.reveal(),
    secretKey: read.keys.alpacaSecretKey.reveal(),
    polygon: read.keys.polygonApiKey?.reveal() ?? null,
  };
}

describe('saving and loading', () => {
  it('when keys are saved then the next start loads the same keys', () => {
    expect(keychain().save(keys())).toEqual({ ok: true });
    expect(revealed(keychain().load())).toEqual({ keyId: KEY_ID, secretKey: SECRET, polygon: POLYGON });
  });

  it('when no Polygon key is given then only the Alpaca pair comes back', () => {
    expect(keychain().save(keys(null))).toEqual({ ok: true });
    expect(revealed(keychain().load())).toEqual({ keyId: KEY_ID, secretKey: SECRET, polygon: null });
  });

  it('when nothing was ever saved then there are no keys and no error', () => {
    expect(keychain().load()).toEqual({ status: 'none' });
    expect(keychain().hasSavedKeys()).toBe(false);
  });

  it('when keys are saved then the file holds no key in plain text or plain base64', () => {
    keychain().save(keys());
    const text = readFileSync(join(dir, CREDENTIALS_FILE), 'utf8');
    for (const plain of [KEY_ID, SECRET, POLYGON]) {
      expect(text).not.toContain(plain);
      expect(text).not.toContain(Buffer.from(plain).toString('base64'));
    }
    expect(JSON.parse(text)).toMatchObject({ format: 'cockpit-credentials', version: 1 });
  });

  it('when keys are saved then only the owner can read the file and no temp file is left', () => {
    keychain().save(keys());
    if (process.platform !== 'win32') expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([CREDENTIALS_FILE]);
  });

  it('when keys are saved twice then the second set replaces the first', () => {
    keychain().save(keys());
    keychain().save({ ...keys(null), alpacaKeyId: new Secret('PKSECONDKEY000000000') });
    expect(revealed(keychain().load())).toEqual({ keyId: 'PKSECONDKEY000000000', secretKey: SECRET, polygon: null });
  });

  it('when the keys are forgotten then the file is gone and nothing loads', () => {
    keychain().save(keys());
    expect(keychain().forget()).toEqual({ ok: true });
    expect(existsSync(join(dir, CREDENTIALS_FILE))).toBe(false);
    expect(keychain().load()).toEqual({ status: 'none' });
    expect(keychain().forget()).toEqual({ ok: true });
  });
});

describe('where the keychain is no real protection', () => {
  it('when encryption is unavailable then saving is refused with a pointer to the environment variables', () => {
    fake.safeStorage.available = false;
    const saved = keychain().save(keys());
    expect(saved.ok).toBe(false);
    if (!saved.ok) {
      expect(saved.message).toMatch(/keychain is not available/);
      expect(saved.message).toContain('TRADING_ALPACA_KEY_ID');
      expect(saved.message).toContain('TRADING_ALPACA_SECRET_KEY');
    }
    expect(existsSync(join(dir, CREDENTIALS_FILE))).toBe(false);
  });

  it("when Linux falls back to 'basic_text' then saving is refused, though encryption reports available", () => {
    fake.safeStorage.backend = 'basic_text';
    const saved = keychain('linux').save(keys());
    expect(saved).toMatchObject({ ok: false, message: expect.stringContaining('basic_text') });
    if (!saved.ok) expect(saved.message).toContain('TRADING_ALPACA_KEY_ID');
    expect(existsSync(join(dir, CREDENTIALS_FILE))).toBe(false);
  });

  it('when not on Linux then the storage backend is not asked (it exists only there)', () => {
    const safeStorage: KeychainSafeStorage = {
      ...fake.electron.safeStorage,
      isEncryptionAvailable: () => true,
      encryptString: (s) => fake.electron.safeStorage.encryptString(s),
      decryptString: (b) => fake.electron.safeStorage.decryptString(b),
      getSelectedStorageBackend: vi.fn(() => 'basic_text' as const),
    };
    const mac = createKeychain({ safeStorage, userDataDir: dir, platform: 'darwin' });
    expect(mac.save(keys())).toEqual({ ok: true });
    expect(safeStorage.getSelectedStorageBackend).not.toHaveBeenCalled();
  });

  it('when the keychain throws while encrypting then saving fails with a message and writes nothing', () => {
    const safeStorage: KeychainSafeStorage = {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'kwallet5',
      encryptString: () => {
        throw new Error('wallet locked');
      },
      decryptString: () => '',
    };
    const saved = createKeychain({ safeStorage, userDataDir: dir, platform: 'linux' }).save(keys());
    expect(saved).toMatchObject({ ok: false, message: expect.stringContaining('wallet locked') });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a damaged or foreign credentials file', () => {
  const file = () => join(dir, CREDENTIALS_FILE);

  it('when the file is not JSON then loading gives a clear error and no keys', () => {
    writeFileSync(file(), '{"format":"cockpit-cred');
    const read = keychain().load();
    expect(read.status).toBe('error');
    if (read.status === 'error') expect(read.message).toMatch(/damaged.*Forget broker keys/s);
  });

  it('when the file has the wrong shape then loading gives an error and no keys', () => {
    for (const bad of [[], null, { format: 'cockpit-credentials', version: 2, alpacaKeyId: 'x', alpacaSecretKey: 'y' }, { alpacaKeyId: 1 }]) {
      writeFileSync(file(), JSON.stringify(bad));
      expect(keychain().load().status).toBe('error');
    }
  });

  it("when the file was written with another user's keychain then it does not decrypt: error, no keys", () => {
    keychain().save(keys());
    fake.safeStorage.keyByte = 0x33;
    const read = keychain().load();
    expect(read.status).toBe('error');
    if (read.status === 'error') {
      expect(read.message).toMatch(/could not be decrypted/);
      for (const plain of [KEY_ID, SECRET, POLYGON]) expect(read.message).not.toContain(plain);
    }
  });

  it('when a ciphertext was tampered with then loading gives an error, not a broken key', () => {
    keychain().save(keys());
    const saved = JSON.parse(readFileSync(file(), 'utf8')) as Record<string, string>;
    writeFileSync(file(), JSON.stringify({ ...saved, alpacaSecretKey: Buffer.from('v10Zgarbage').toString('base64') }));
    expect(keychain().load().status).toBe('error');
  });

  it('when a decrypted key is not a plausible key then loading gives an error', () => {
    const enc = (s: string) => fake.electron.safeStorage.encryptString(s).toString('base64');
    writeFileSync(file(), JSON.stringify({ format: 'cockpit-credentials', version: 1, alpacaKeyId: enc('PK KEY WITH SPACES'), alpacaSecretKey: enc(SECRET) }));
    expect(keychain().load().status).toBe('error');
  });

  it('when the keychain is unavailable at start then the saved keys are not used and the message says why', () => {
    keychain().save(keys());
    fake.safeStorage.available = false;
    const read = keychain().load();
    expect(read).toMatchObject({ status: 'error', message: expect.stringContaining('cannot be decrypted') });
  });
});

describe('at start: the environment wins over the keychain', () => {
  beforeEach(() => {
    keychain().save(keys());
  });

  it('when the environment has no keys then the saved ones become config overrides', () => {
    const start = startupKeys({}, keychain());
    expect(start).toEqual({
      overrides: { TRADING_ALPACA_KEY_ID: KEY_ID, TRADING_ALPACA_SECRET_KEY: SECRET, TRADING_POLYGON_API_KEY: POLYGON },
      source: 'keychain',
      problem: null,
    });
  });

  it('when the environment has every key then the keychain is not even read', () => {
    const kc = keychain();
    const load = vi.spyOn(kc, 'load');
    const env = { TRADING_ALPACA_KEY_ID: 'PKFROMENV00000000000', TRADING_ALPACA_SECRET_KEY: 'envsecret000000000000', TRADING_POLYGON_API_KEY: 'envpolygon0000000000' };
    expect(startupKeys(env, kc)).toEqual({ overrides: {}, source: 'environment', problem: null });
    expect(load).not.toHaveBeenCalled();
  });

  it('when the environment sets the Alpaca pair but no Polygon key then only the Polygon key comes from the keychain', () => {
    const env = { TRADING_ALPACA_KEY_ID: 'PKFROMENV00000000000', TRADING_ALPACA_SECRET_KEY: 'envsecret000000000000' };
    expect(startupKeys(env, keychain()).overrides).toEqual({ TRADING_POLYGON_API_KEY: POLYGON });
  });

  it('when the environment sets only one Alpaca key then the keychain does not complete the pair', () => {
    // Mixing an id from one place with a secret from another would be a confusing auth failure.
    expect(keychainOverrides({ TRADING_ALPACA_KEY_ID: 'PKFROMENV00000000000' }, keys())).toEqual({ TRADING_POLYGON_API_KEY: POLYGON });
  });

  it('when .env leaves a key blank then the keychain fills it in', () => {
    expect(keychainOverrides({ TRADING_ALPACA_KEY_ID: '', TRADING_ALPACA_SECRET_KEY: '  ' }, keys(null))).toEqual({
      TRADING_ALPACA_KEY_ID: KEY_ID,
      TRADING_ALPACA_SECRET_KEY: SECRET,
    });
  });

  it('when both hold keys then the config the engine gets has the environment keys', () => {
    const env = { TRADING_MODE: 'simulated', TRADING_FEED: 'synthetic', TRADING_ALPACA_KEY_ID: 'PKFROMENV00000000000', TRADING_ALPACA_SECRET_KEY: 'envsecret000000000000' };
    const config = loadConfig(env, startupKeys(env, keychain()).overrides);
    expect(config.alpaca?.keyId.reveal()).toBe('PKFROMENV00000000000');
    expect(config.alpaca?.secretKey.reveal()).toBe('envsecret000000000000');
    expect(config.polygon?.apiKey.reveal()).toBe(POLYGON);
  });

  it('when only the keychain holds keys then the config the engine gets has them', () => {
    const env = { TRADING_MODE: 'simulated', TRADING_FEED: 'synthetic' };
    const config = loadConfig(env, startupKeys(env, keychain()).overrides);
    expect(config.alpaca?.keyId.reveal()).toBe(KEY_ID);
    expect(config.alpaca?.secretKey.reveal()).toBe(SECRET);
  });

  it('when the saved file is damaged then the start goes on without keys and says why', () => {
    writeFileSync(join(dir, CREDENTIALS_FILE), 'not json');
    const start = startupKeys({}, keychain());
    expect(start.overrides).toEqual({});
    expect(start.source).toBe('none');
    expect(start.problem).toMatch(/damaged/);
  });

  it('when loading throws anyway then the start still goes on without keys', () => {
    const kc = keychain();
    vi.spyOn(kc, 'load').mockImplementation(() => {
      throw new Error('boom');
    });
    expect(startupKeys({}, kc)).toMatchObject({ overrides: {}, source: 'none', problem: expect.stringContaining('boom') });
  });
});
