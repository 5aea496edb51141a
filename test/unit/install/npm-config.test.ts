// What `npm ci` does on a machine that reaches only the npm registry: no npm warning from the
// project's own config, and no install script that downloads CUDA libraries or Electron.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  allowScripts?: Record<string, boolean>;
  engines?: { node?: string; npm?: string };
  devDependencies?: Record<string, string>;
};

/** The first npm that honours an `allowScripts` denial at install time (11.16.0 only reported it). */
const FIRST_NPM_HONOURING_ALLOW_SCRIPTS = [11, 17, 0] as const;

/** [major, minor, patch] of a plain x.y.z version. */
function versionParts(version: string): number[] {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  if (!match) throw new Error(`not a plain version: ${version}`);
  return match.slice(1).map(Number);
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** npm without the npm_config_* an `npm test` parent exports. */
function cleanNpmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

/** The keys set in the project's .npmrc (none when there is no .npmrc). */
function npmrcKeys(): string[] {
  const path = join(ROOT, '.npmrc');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith(';'))
    .map((line) => line.split('=')[0]?.trim() ?? '');
}

describe('.npmrc', () => {
  it('when the project .npmrc is read then it sets no package-specific key (npm drops unknown keys in its next major)', () => {
    // A package's own flag (onnxruntime-node-install=…) belongs in an environment variable.
    expect(npmrcKeys().filter((key) => /onnxruntime|electron|sqlite/i.test(key))).toEqual([]);
  });

  it('when npm loads the project config then it prints no "Unknown project config" warning', () => {
    const npm = spawnSync('npm', ['config', 'get', 'registry'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      // Only the project's .npmrc is under test: no npm_config_* inherited from an `npm test` parent.
      env: cleanNpmEnv(),
    });
    expect(npm.error).toBeUndefined();
    expect(npm.stderr).not.toMatch(/Unknown project config/i);
  });
});

describe('.npmrc key replaced by allowScripts', () => {
  it('the .npmrc key is replaced: an npm that ignores allowScripts is refused by engines, so the CUDA download cannot come back', () => {
    // allowScripts arrived in npm 11.16.0 as a report only; a `false` entry skips the script from 11.17.0.
    const range = packageJson.engines?.npm ?? '';
    const minimum = /^>=\s*(\d+\.\d+\.\d+)$/.exec(range)?.[1];
    expect(minimum, `engines.npm ${JSON.stringify(range)}`).toBeDefined();
    expect(compareVersions(versionParts(minimum!), FIRST_NPM_HONOURING_ALLOW_SCRIPTS)).toBeGreaterThanOrEqual(0);
    expect(compareVersions(versionParts('11.16.0'), versionParts(minimum!))).toBeLessThan(0);
    expect(compareVersions(versionParts('10.9.4'), versionParts(minimum!))).toBeLessThan(0);
    // The lockfile's copy of the root's engines agrees (npm ci reads it).
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: Record<string, string> }> };
    expect(lock.packages['']?.engines).toEqual(packageJson.engines);

    // npm itself applies the range: with --engine-strict the npm here installs a project with these engines
    // (an older one is refused with EBADENGINE; without the flag it names the project in an EBADENGINE warning).
    const dir = mkdtempSync(join(tmpdir(), 'npm-engines-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'engines-probe', version: '1.0.0', engines: packageJson.engines }));
      const npm = spawnSync('npm', ['install', '--dry-run', '--offline', '--engine-strict', '--no-audit', '--no-fund'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env: cleanNpmEnv(),
      });
      expect(npm.error).toBeUndefined();
      expect(npm.status, npm.stderr).toBe(0);
      expect(npm.stderr).not.toMatch(/EBADENGINE/);
      const running = spawnSync('npm', ['--version'], { encoding: 'utf8', timeout: 60_000, env: cleanNpmEnv() }).stdout;
      expect(compareVersions(versionParts(running), versionParts(minimum!))).toBeGreaterThanOrEqual(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('install scripts', () => {
  it('when npm ci runs then onnxruntime-node\'s install script (a CUDA download on Linux x64) is denied', () => {
    expect(packageJson.allowScripts?.['onnxruntime-node']).toBe(false);
  });

  it('when npm ci runs then Electron\'s install script (the binary download) is denied', () => {
    expect(packageJson.allowScripts?.electron).toBe(false);
  });

  it('when the engine runs on Node 20 then engines still allows it (only the desktop set-up needs Node 22.12)', () => {
    expect(packageJson.engines?.node).toBe('>=20.19');
  });

  it('Electron 39 is out of support: the declared and the installed electron are a supported major (43–45)', () => {
    const declared = packageJson.devDependencies?.electron ?? '';
    const declaredMajor = Number(/^[\^~]?(\d+)\./.exec(declared)?.[1]);
    expect(declaredMajor, `devDependencies.electron ${JSON.stringify(declared)}`).toBeGreaterThanOrEqual(43);
    expect(declaredMajor).toBeLessThanOrEqual(45);
    // Installed without its binary (the download is denied); its package.json is what npm resolved.
    const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string };
    const installedMajor = versionParts(installed.version)[0]!;
    expect(installedMajor).toBeGreaterThanOrEqual(43);
    expect(installedMajor).toBeLessThanOrEqual(45);
    expect(installedMajor).toBe(declaredMajor);
  });

  it('when onnxruntime-node was installed without its script then its CPU build is there and runs a model', async () => {
    const binding = join(ROOT, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', platform(), arch(), 'onnxruntime_binding.node');
    expect(existsSync(binding), binding).toBe(true);
    expect(ort.listSupportedBackends().map((b) => b.name)).toContain('cpu');
    // Nothing the script would have fetched is there: the CUDA provider libraries ship separately.
    expect(existsSync(join(binding, '..', 'libonnxruntime_providers_cuda.so'))).toBe(false);
    // An identity model (opset 13) through the CPU provider.
    const session = await ort.InferenceSession.create(identityModel(), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]) });
    expect(Array.from(out.y?.data as Float32Array)).toEqual([1, 2]);
    await session.release();
  });
});

/** A protobuf ModelProto: one Identity node, float tensor x[2] → y[2], opset 13. */
function identityModel(): Uint8Array {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const bytes = (field: number, payload: number[]): number[] => [(field << 3) | 2, ...varint(payload.length), ...payload];
  const str = (field: number, s: string): number[] => bytes(field, [...Buffer.from(s, 'utf8')]);
  const int = (field: number, n: number): number[] => [(field << 3) | 0, ...varint(n)];
  // ValueInfoProto { name, type: TypeProto { tensor_type { elem_type: FLOAT, shape { dim { dim_value: 2 } } } } }
  const valueInfo = (name: string): number[] => [
    ...str(1, name),
    ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, bytes(1, int(1, 2)))])),
  ];
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Identity')];
  const graph = [...bytes(1, node), ...str(2, 'g'), ...bytes(11, valueInfo('x')), ...bytes(12, valueInfo('y'))];
  const opset = [...str(1, ''), ...int(2, 13)];
  return Uint8Array.from([...int(1, 8), ...bytes(7, graph), ...bytes(8, opset)]);
}
