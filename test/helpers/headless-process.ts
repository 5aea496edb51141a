// Starts the built headless host (`node out/main/headless.js`, what `npm run headless` runs) as a
// child process on a free loopback port and reads the URL it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const HEADLESS_ENTRY = resolve('out/main/headless.js');

export interface HeadlessProcess {
  child: ChildProcess;
  openUrl: string;
  token: string;
  dataDir: string;
  output: () => string;
  stop(): Promise<number | null>;
}

export function assertBuilt(): void {
  if (!existsSync(HEADLESS_ENTRY) || !existsSync(resolve('out/renderer/index.html'))) {
    throw new Error('the app is not built: run `npm run build` (npm test does it first)');
  }
}

export function startHeadlessProcess(args: string[] = [], env: Record<string, string> = {}): Promise<HeadlessProcess> {
  assertBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'cockpit-e2e-'));
  const cleanEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TRADING_') && v !== undefined) cleanEnv[k] = v;
  const child = spawn(process.execPath, [HEADLESS_ENTRY, '--port', '0', ...args], {
    env: { ...cleanEnv, TRADING_DATA_DIR: dataDir, ...env },
    cwd: dataDir, // no stray .env from the repository
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`headless host did not start:\n${out}`)), 20_000);
    const onData = (): void => {
      const m = /open: (http:\/\/\S+#token=(\S+))/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolvePromise({
        child,
        openUrl: m[1]!,
        token: m[2]!,
        dataDir,
        output: () => out,
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null) return r(child.exitCode);
            child.once('exit', (code) => r(code));
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`headless host exited with ${code}:\n${out}`));
    });
  });
}

/** Runs the built headless host to completion (for start-up failures). */
export function runHeadlessToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  assertBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'cockpit-e2e-'));
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [HEADLESS_ENTRY, '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', HOME: dataDir, TRADING_DATA_DIR: dataDir, ...env },
      cwd: dataDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}
