// Reads a tabular CSV for the training CLI: a header row, one label column, every other column a
// numeric feature (empty, NA or NaN cells are missing values). Rows are parsed straight into a
// row-major Float32Array, the layout the trainer and ONNX Runtime use.
import { readFileSync } from 'node:fs';

export interface TabularData {
  x: Float32Array;
  y: Float32Array;
  n: number;
  f: number;
  featureNames: string[];
  labelName: string;
}

export class TabularError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TabularError';
  }
}

const MISSING = new Set(['', 'NA', 'NaN', 'nan', 'null', 'NULL']);

export function readTabularCsv(path: string, label: string, expectFeatures?: readonly string[]): TabularData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TabularError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let pos = text.indexOf('\n');
  if (pos < 0) pos = text.length;
  const header = text.slice(0, pos).replace(/\r$/, '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const li = header.indexOf(label);
  if (li < 0) throw new TabularError(`${path}: no label column "${label}" in the header (${header.slice(0, 12).join(', ')}${header.length > 12 ? ', …' : ''})`);
  const featureNames = header.filter((_, i) => i !== li);
  if (featureNames.length === 0) throw new TabularError(`${path}: no feature columns besides the label`);
  if (expectFeatures && (expectFeatures.length !== featureNames.length || expectFeatures.some((n, i) => n !== featureNames[i]))) {
    throw new TabularError(`${path}: its feature columns differ from the training file's`);
  }
  const f = featureNames.length;
  const width = header.length;
  const lines = text.slice(pos + 1).split('\n');
  let n = 0;
  const x = new Float32Array(lines.length * f);
  const y = new Float32Array(lines.length);
  for (let r = 0; r < lines.length; r++) {
    const line = lines[r]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (cells.length !== width) throw new TabularError(`${path}: line ${r + 2} has ${cells.length} cells, the header ${width}`);
    let c = 0;
    for (let i = 0; i < width; i++) {
      const raw = cells[i]!.trim();
      const v = MISSING.has(raw) ? Number.NaN : Number(raw);
      if (Number.isNaN(v) && !MISSING.has(raw)) throw new TabularError(`${path}: line ${r + 2}, column ${header[i]}: "${raw}" is not a number`);
      if (i === li) {
        if (!Number.isInteger(v) || v < 0) throw new TabularError(`${path}: line ${r + 2}: label "${raw}" must be a class number 0, 1, 2, …`);
        y[n] = v;
      } else x[n * f + c++] = v;
    }
    n++;
  }
  return { x: x.subarray(0, n * f), y: y.subarray(0, n), n, f, featureNames, labelName: label };
}
