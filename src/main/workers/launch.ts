// Starts a worker thread by entry name: the bundled `out/main/<name>.js` in built runs, the
// TypeScript source through tsx when running from source (tests, `npm run cli`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export type WorkerName = 'import-worker' | 'train-worker' | 'backtest-worker';

export function startWorker(name: WorkerName, data: unknown): Worker {
  const here = dirname(fileURLToPath(import.meta.url));
  // Bundled: this module lives in out/main/ or out/main/chunks/.
  for (const built of [join(here, `${name}.js`), join(here, '..', `${name}.js`)]) {
    if (existsSync(built)) return new Worker(built, { workerData: data });
  }
  const source = join(here, `${name}.ts`);
  if (!existsSync(source)) throw new Error(`worker entry ${name} not found next to ${here}`);
  return new Worker(join(here, 'ts-bootstrap.mjs'), {
    workerData: { ...(data as object), __entry: pathToFileURL(source).href },
  });
}
