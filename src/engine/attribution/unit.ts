/**
 * The unit an attribution explains (docs/architecture.md, "Attribution"): a
 * class logit, a channel (its mean or its maximum over positions) or a
 * neuron, giving one value per image. The unit reads the layer's output after
 * its activation, as Captum's layer attributions do; with no target, the
 * unit is the logit of the class the model predicts.
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError, PositionOutOfRangeError } from '../errors';
import type { IActivationRef } from '../model/activation-ref';
import type { IExecutor, IForwardOptions } from '../model/executor';
import { centre, channelsOf, checkChannel } from '../optvis/objective';
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import type { UnitTarget } from '../../spec/types.generated';

/** A unit, checked against a model. */
export interface IUnit {
  /** What to read: the unit's layer, narrowed to its channel. */
  readonly ref: IActivationRef;
  /** The unit's value per image, [batch], from the activation `ref` reads. */
  readonly value: (activation: tf.Tensor) => tf.Tensor1D;
  /** In words: "logit 8", "channel 5 of conv2d_1 (max over positions)". */
  readonly description: string;
  /** The class index, for a logit. */
  readonly logit: number | null;
}

const shapeOf = (executor: IExecutor) => (ref: IActivationRef) =>
  executor.outputShape(ref);

function logitUnit(executor: IExecutor, index: number, layer?: string): IUnit {
  const whole: IActivationRef = layer ? { layer } : executor.logitsLayer;
  checkChannel(whole, index, shapeOf(executor), 'class');
  return {
    ref: { ...whole, channels: [index] },
    value: act => tf.reshape(act, [act.shape[0]]) as tf.Tensor1D,
    description: `logit ${index}`,
    logit: index
  };
}

function channelUnit(
  executor: IExecutor,
  layer: string,
  index: number,
  reduce: 'max' | 'mean'
): IUnit {
  checkChannel({ layer }, index, shapeOf(executor));
  const over = (act: tf.Tensor) => tf.reshape(act, [act.shape[0], -1]);
  return {
    ref: { layer, channels: [index] },
    value: act =>
      (reduce === 'max'
        ? tf.max(over(act), 1)
        : tf.mean(over(act), 1)) as tf.Tensor1D,
    description: `channel ${index} of ${layer} (${reduce} over positions)`,
    logit: null
  };
}

function neuronUnit(
  executor: IExecutor,
  layer: string,
  index: number,
  x?: number,
  y?: number
): IUnit {
  checkChannel({ layer }, index, shapeOf(executor));
  const shape = executor.outputShape(layer);
  const ref: IActivationRef = { layer, channels: [index] };
  const described = `neuron ${index} of ${layer}`;
  if (shape.length !== 4) {
    return {
      ref,
      value: act => tf.reshape(act, [act.shape[0]]) as tf.Tensor1D,
      description: described,
      logit: null
    };
  }
  const [, h, w] = shape;
  const row = y ?? centre(h);
  const col = x ?? centre(w);
  if (
    row < 0 ||
    col < 0 ||
    (h !== null && row >= h) ||
    (w !== null && col >= w)
  ) {
    throw new PositionOutOfRangeError(layer, col, row, w ?? 0, h ?? 0);
  }
  return {
    ref,
    value: act =>
      tf.reshape(tf.slice(act, [0, row, col, 0], [act.shape[0], 1, 1, 1]), [
        act.shape[0]
      ]) as tf.Tensor1D,
    description: `${described} at (${col}, ${row})`,
    logit: null
  };
}

/** The unit of a spec's target, checked against the model. */
export function unitOf(executor: IExecutor, target: UnitTarget): IUnit {
  switch (target.type) {
    case 'logit':
      return logitUnit(executor, target.index, target.layer);
    case 'channel':
      return channelUnit(
        executor,
        target.layer,
        target.channel,
        target.reduce ?? SPEC_DEFAULTS.ChannelTarget.reduce
      );
    case 'neuron':
      return neuronUnit(
        executor,
        target.layer,
        target.channel,
        target.x,
        target.y
      );
  }
}

/**
 * The unit's value for each image of `x`, shape [batch]. Call inside
 * `tf.tidy` or a gradient function.
 */
export function unitValues(
  executor: IExecutor,
  unit: IUnit,
  x: tf.Tensor4D,
  options?: IForwardOptions
): tf.Tensor1D {
  const [activation] = executor.forward(x, [unit.ref], options);
  return unit.value(activation);
}

/** The class the model predicts for each image of `x`. */
export async function predictedClasses(
  executor: IExecutor,
  x: tf.Tensor4D
): Promise<Int32Array> {
  const classes = tf.tidy(() => {
    const [logits] = executor.forward(x, [executor.logitsLayer]);
    return tf.argMax(tf.reshape(logits, [x.shape[0], -1]), 1);
  });
  try {
    return Int32Array.from(await classes.data());
  } finally {
    classes.dispose();
  }
}

/** The unit for `target`, or the logit of the predicted class without one. */
export async function resolveUnit(
  executor: IExecutor,
  target: UnitTarget | undefined,
  x: tf.Tensor4D
): Promise<IUnit> {
  if (target) {
    return unitOf(executor, target);
  }
  const classes = channelsOf(executor.logitsLayer, shapeOf(executor));
  if (classes < 2) {
    throw new FeatureVizError(
      `The model has ${classes} output; give the unit to explain (a logit, channel or neuron).`
    );
  }
  const [predicted] = await predictedClasses(executor, x);
  return logitUnit(executor, predicted);
}

/**
 * The target a unit was resolved from, as plain data: the request's, or the
 * logit of the predicted class (a pool share rebuilds the same unit).
 */
export function resolvedTarget(
  target: UnitTarget | undefined,
  unit: IUnit
): UnitTarget {
  return target ?? { type: 'logit', index: unit.logit ?? 0 };
}
