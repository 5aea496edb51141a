// Exports the logistic-regression baseline (LinearModel) to ONNX: an optional ai.onnx.ml Imputer
// (NaN → impute value), an optional ai.onnx.ml Scaler, then an ai.onnx.ml LinearClassifier, no
// ZipMap. Same signature as the tree export: input float32 [N, F] → label int64 [N],
// probabilities float32 [N, C]. The trainer's LogisticModel is a LinearModel; withMeanImputation adds its NaN rule.
//
// onnxruntime semantics this relies on:
// - Imputer with replaced_value_float = NaN replaces every NaN by imputed_value_floats[feature]
//   (it needs a rank-2 input; ours is [N, F]).
// - Scaler computes (x - offset) * scale, so offset = mean and scale = 1 / std.
// - A LinearClassifier with ONE coefficient row and two labels is the "add a second class" case,
//   which older ORT kernels wrote as [1 - s, s] of the RAW score, ignoring LOGISTIC (1.30 applies
//   it). To be unambiguous on any runtime a binary model is exported as two rows [-w; w] with
//   intercepts [-b, b] and LOGISTIC: ORT writes [sigmoid(-s), sigmoid(s)] and picks label 1 when
//   s > 0 — the same probabilities and argmax as the single-row model.
// - Multiclass: K rows, SOFTMAX, multi_class = 1 (multinomial; ORT ignores the flag).

import { linearRows, type LinearModel } from '../linear-model';
import { ONNX_BATCH_DIM, ONNX_INPUT, ONNX_LABEL, ONNX_PROBABILITIES, OnnxExportError, type OnnxExportOptions } from './export-trees';
import {
  encodeModel,
  ONNX_DEFAULT_OPSET,
  ONNX_IR_VERSION,
  ONNX_ML_DOMAIN,
  ONNX_ML_OPSET,
  OnnxDataType,
  type OnnxModel,
  type OnnxNode,
} from './protobuf';

function validate(m: LinearModel): void {
  const f = m.featureNames.length;
  const rows = linearRows(m);
  if (f === 0) throw new OnnxExportError('the model has no features');
  if (m.coefficients.length !== rows * f) throw new OnnxExportError(`coefficients has ${m.coefficients.length} values for ${rows}×${f}`);
  if (m.classLabels.length < 2) throw new OnnxExportError('a classifier needs at least 2 classes');
  if (!m.classLabels.every((l) => Number.isSafeInteger(l))) throw new OnnxExportError('class labels must be integers');
  if (m.classLabels.length === 2 ? rows !== 1 : rows !== m.classLabels.length) {
    throw new OnnxExportError(`${rows} coefficient rows for ${m.classLabels.length} classes (binary: 1 row, multiclass: one per class)`);
  }
  if (![...m.coefficients, ...m.intercepts].every(Number.isFinite)) throw new OnnxExportError('non-finite coefficient or intercept');
  if (m.impute && (m.impute.length !== f || !m.impute.every(Number.isFinite))) throw new OnnxExportError('impute needs one finite value per feature');
  if (m.scaler) {
    if (m.scaler.mean.length !== f || m.scaler.scale.length !== f) throw new OnnxExportError('the scaler does not match the features');
    if (!m.scaler.scale.every((s) => Number.isFinite(s) && s !== 0)) throw new OnnxExportError('a scaler scale is zero or not finite');
    if (!m.scaler.mean.every(Number.isFinite)) throw new OnnxExportError('a scaler mean is not finite');
  }
}

export function linearModelToOnnx(m: LinearModel, options: OnnxExportOptions = {}): OnnxModel {
  validate(m);
  const f = m.featureNames.length;
  const binary = m.classLabels.length === 2;
  let coefficients: Float64Array = m.coefficients;
  let intercepts: Float64Array = m.intercepts;
  if (binary) {
    coefficients = new Float64Array(2 * f);
    for (let j = 0; j < f; j++) {
      coefficients[j] = -m.coefficients[j]!;
      coefficients[f + j] = m.coefficients[j]!;
    }
    intercepts = Float64Array.of(-m.intercepts[0]!, m.intercepts[0]!);
  }
  const nodes: OnnxNode[] = [];
  let classifierInput = ONNX_INPUT;
  if (m.impute) {
    nodes.push({
      opType: 'Imputer',
      domain: ONNX_ML_DOMAIN,
      name: 'imputer',
      inputs: [classifierInput],
      outputs: ['imputed'],
      attributes: [
        { name: 'imputed_value_floats', type: 'floats', value: m.impute },
        { name: 'replaced_value_float', type: 'float', value: Number.NaN },
      ],
    });
    classifierInput = 'imputed';
  }
  if (m.scaler) {
    const scalerInput = classifierInput;
    classifierInput = 'scaled';
    nodes.push({
      opType: 'Scaler',
      domain: ONNX_ML_DOMAIN,
      name: 'scaler',
      inputs: [scalerInput],
      outputs: [classifierInput],
      attributes: [
        { name: 'offset', type: 'floats', value: m.scaler.mean },
        { name: 'scale', type: 'floats', value: Array.from(m.scaler.scale, (s) => 1 / s) },
      ],
    });
  }
  nodes.push({
    opType: 'LinearClassifier',
    domain: ONNX_ML_DOMAIN,
    name: 'linear',
    inputs: [classifierInput],
    outputs: [ONNX_LABEL, ONNX_PROBABILITIES],
    attributes: [
      { name: 'coefficients', type: 'floats', value: coefficients },
      { name: 'intercepts', type: 'floats', value: intercepts },
      { name: 'classlabels_ints', type: 'ints', value: m.classLabels },
      { name: 'post_transform', type: 'string', value: binary ? 'LOGISTIC' : 'SOFTMAX' },
      { name: 'multi_class', type: 'int', value: binary ? 0 : 1 },
    ],
  });
  return {
    irVersion: ONNX_IR_VERSION,
    opsets: [
      { domain: '', version: ONNX_DEFAULT_OPSET },
      { domain: ONNX_ML_DOMAIN, version: ONNX_ML_OPSET },
    ],
    producerName: 'ai-trading-cockpit',
    producerVersion: options.producerVersion ?? '0',
    docString: `LinearClassifier: ${f} features, ${m.classLabels.length} classes${m.impute ? ', NaN imputed' : ''}${m.scaler ? ', standardised' : ''}`,
    metadata: options.metadata ?? {},
    graph: {
      name: 'linear',
      inputs: [{ name: ONNX_INPUT, elemType: OnnxDataType.FLOAT, shape: [ONNX_BATCH_DIM, f] }],
      outputs: [
        { name: ONNX_LABEL, elemType: OnnxDataType.INT64, shape: [ONNX_BATCH_DIM] },
        { name: ONNX_PROBABILITIES, elemType: OnnxDataType.FLOAT, shape: [ONNX_BATCH_DIM, m.classLabels.length] },
      ],
      nodes,
    },
  };
}

/** Serialised `model.onnx` bytes of a linear model. */
export function exportLinearModel(m: LinearModel, options: OnnxExportOptions = {}): Uint8Array {
  return encodeModel(linearModelToOnnx(m, options));
}
