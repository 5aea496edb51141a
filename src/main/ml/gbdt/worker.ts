// Worker threads for nthread > 1. Each runs the same kernels as the main thread on shared memory and
// owns a fixed share: of the features (whole 32-bit bin words) for histograms and splits, of every
// node's rows for moving them, of the row blocks for gradients. A task is one Atomics round trip
// (three per tree level); new buffers (more histogram slots) reach the workers on a MessagePort that
// they drain synchronously before each task. A worker that throws reports it and the task fails; one
// that dies outright (out of memory) would leave the main thread waiting.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { kernelSource, type HistogramKernels, type LevelContext } from './histogram';

const CTL_GENERATION = 0;
const CTL_DONE = 1;
const CTL_FAILED = 2;
const CTL_EXIT = 3;

/** The buffers a worker views; all SharedArrayBuffer-backed. */
export type SharedBuffers = Pick<
  LevelContext,
  | 'recOffset'
  | 'rec32'
  | 'rec8'
  | 'recF32'
  | 'gh'
  | 'margins'
  | 'labels'
  | 'weight'
  | 'blockSums'
  | 'rowLeaf'
  | 'sampleMask'
  | 'slots'
  | 'slotOffset'
  | 'taskI32'
  | 'taskF64'
  | 'out'
  | 'capacity'
>;

const workerSource = (numFeatures: number): string => `
'use strict';
const { workerData, receiveMessageOnPort, parentPort } = require('node:worker_threads');
const kernels = (function () { ${kernelSource(numFeatures)} })();
const { ctl, port, t, fixed, wasmModule, memory } = workerData;
const ctx = Object.assign({}, fixed);
ctx.wasm = new WebAssembly.Instance(wasmModule, { env: { memory } }).exports;
parentPort.postMessage('ready');
function drain() {
  let m;
  while ((m = receiveMessageOnPort(port)) !== undefined) {
    Object.assign(ctx, m.message);
  }
}
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${CTL_GENERATION}, seen);
  seen = Atomics.load(ctl, ${CTL_GENERATION});
  if (Atomics.load(ctl, ${CTL_EXIT}) === 1) break;
  try {
    drain();
    kernels.run(ctx, t);
  } catch (e) {
    port.postMessage({ error: String((e && e.stack) || e) });
    Atomics.store(ctl, ${CTL_FAILED}, 1);
  }
  Atomics.add(ctl, ${CTL_DONE}, 1);
  Atomics.notify(ctl, ${CTL_DONE});
}
port.close();
`;

export type FixedContext = Pick<
  LevelContext,
  'numWords' | 'numFeatures' | 'threads' | 'n' | 'multiclass' | 'outputs' | 'numBins' | 'missingBin' | 'lambda' | 'minChildWeight' | 'gamma'
>;

/** `threads - 1` workers plus the calling thread, which always takes share 0. */
export class HistogramWorkers {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(16));
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];

  private constructor(private readonly threads: number) {}

  static async start(threads: number, fixed: FixedContext, wasm: { module: WebAssembly.Module; memory: WebAssembly.Memory }, buffers: SharedBuffers): Promise<HistogramWorkers> {
    const pool = new HistogramWorkers(threads);
    const ready: Promise<void>[] = [];
    for (let t = 1; t < threads; t++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(workerSource(fixed.numFeatures), {
        eval: true,
        workerData: { ctl: pool.ctl, port: port2, t, fixed, wasmModule: wasm.module, memory: wasm.memory },
        transferList: [port2],
      });
      pool.workers.push(worker);
      pool.ports.push(port1);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`gbdt histogram worker exited (${code}) before it was ready`)));
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw error;
    }
    pool.share(buffers);
    return pool;
  }

  /** Hands (new) buffers to every worker; they pick them up before the next task. */
  share(buffers: SharedBuffers): void {
    for (const port of this.ports) port.postMessage(buffers);
  }

  /** Runs one task: the workers their shares, this thread share 0; returns when all are done. */
  run(kernels: HistogramKernels, ctx: LevelContext): void {
    const ctl = this.ctl;
    Atomics.store(ctl, CTL_DONE, 0);
    Atomics.add(ctl, CTL_GENERATION, 1);
    Atomics.notify(ctl, CTL_GENERATION);
    kernels.run(ctx, 0);
    const others = this.threads - 1;
    for (;;) {
      const done = Atomics.load(ctl, CTL_DONE);
      if (done >= others) break;
      Atomics.wait(ctl, CTL_DONE, done, 1_000);
    }
    if (Atomics.load(ctl, CTL_FAILED) === 1) {
      const messages: string[] = [];
      for (const port of this.ports) {
        let m;
        while ((m = receiveMessageOnPort(port)) !== undefined) {
          const body = m.message as { error?: string };
          if (body.error) messages.push(body.error);
        }
      }
      throw new Error(`gbdt histogram worker failed: ${messages.join('\n') || 'unknown error'}`);
    }
  }

  async close(): Promise<void> {
    Atomics.store(this.ctl, CTL_EXIT, 1);
    Atomics.add(this.ctl, CTL_GENERATION, 1);
    Atomics.notify(this.ctl, CTL_GENERATION);
    for (const port of this.ports) port.close();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
