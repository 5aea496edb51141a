// `cockpit train` on a tabular CSV: a planted signal is learned, the ONNX model loads with its
// sidecar and scores in onnxruntime-node, and --json reports the training time and validation loss.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli';
import { SeededRandom } from '../../../src/main/engine/random';
import { loadModel } from '../../../src/main/ml/inference/model-loader';

function csv(path: string, rows: number, seed: number, classes: 2 | 3) {
  const rng = new SeededRandom(seed);
  const lines = ['a,b,noise,label'];
  for (let i = 0; i < rows; i++) {
    const a = rng.normal();
    const b = rng.normal();
    const noise = rng.normal();
    const score = 1.5 * a - b + 0.3 * rng.normal();
    const label = classes === 2 ? (score > 0 ? 1 : 0) : score < -0.7 ? 0 : score > 0.7 ? 2 : 1;
    lines.push(`${a.toFixed(5)},${i % 17 === 0 ? '' : b.toFixed(5)},${noise.toFixed(5)},${label}`);
  }
  writeFileSync(path, lines.join('\n'));
}

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { env: {}, cwd: '/nonexistent' }, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('cockpit train', () => {
  it.each([2, 3] as const)('learns a planted signal (%i classes), writes model.onnx + model.json, scores in onnxruntime', async (classes) => {
    const dir = mkdtempSync(join(tmpdir(), 'train-'));
    csv(join(dir, 'train.csv'), 4_000, 1, classes);
    csv(join(dir, 'valid.csv'), 1_000, 2, classes);
    const out = join(dir, 'model');
    const r = await cli([
      'train', '--data', join(dir, 'train.csv'), '--valid', join(dir, 'valid.csv'), '--label', 'label',
      '--objective', classes === 2 ? 'binary' : 'multiclass', '--num-round', '60', '--max-depth', '4', '--eta', '0.2',
      '--max-bin', '64', '--nthread', '1', '--seed', '7', '--out', out, '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as { trainingSeconds: number; validLogLoss: number; classes: number };
    expect(summary.trainingSeconds).toBeGreaterThan(0);
    expect(summary.classes).toBe(classes);
    // Far better than the prior's entropy (ln 2 ≈ 0.69, ln 3 ≈ 1.10).
    expect(summary.validLogLoss).toBeLessThan(classes === 2 ? 0.3 : 0.5);

    const loaded = await loadModel(out, { version: 'tabular:train.csv', names: ['a', 'b', 'noise'], warmup: 0 });
    expect(loaded.ok).toBe(true);
    const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
    const x = new Float32Array([2, -1, 0, -2, 1, 0]); // a clear positive and a clear negative
    const res = await session.run({ input: new ort.Tensor('float32', x, [2, 3]) });
    const p = res.probabilities!.data as Float32Array;
    expect(p[classes - 1]).toBeGreaterThan(0.8); // top class for row 0
    expect(p[classes]).toBeGreaterThan(0.8); // class 0 for row 1
  });

  it('refuses a bad file with a clear message and exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'train-'));
    writeFileSync(join(dir, 'bad.csv'), 'a,b,label\n1,2,0\n1,x,1\n');
    const r = await cli(['train', '--data', join(dir, 'bad.csv'), '--label', 'label', '--out', join(dir, 'm')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('line 3, column b: "x" is not a number');
    const r2 = await cli(['train', '--data', join(dir, 'bad.csv'), '--label', 'target', '--out', join(dir, 'm')]);
    expect(r2.err).toContain('no label column "target"');
  });
});
