/**
 * Regularizers scaled to the objective (docs/architecture.md, "Recipes"). A
 * channel's mean moves each pixel far less than a neuron or a logit does, so
 * a fixed L1 weight that suits a logit turns a channel-mean picture black.
 * Each image's weights are therefore multiplied by the size of its
 * objective's pixel gradient at the start image: the mean |∂objective/∂pixel|
 * over the pixels the objective reaches (|g| above a thousandth of its
 * largest), measured once before the first step.
 */
import * as tf from '@tensorflow/tfjs';
import type { Regularizers } from '../../spec/types.generated';
import { withGradientCheck } from '../errors';
import { INPUT, type IActivationRef } from '../model/activation-ref';
import type { IExecutor } from '../model/executor';
import { NOWHERE, Objective, readActivations, sumPerImage } from './objective';
import { blurInputEachStep, l1, totalVariation } from './penalties';
import { TapeGuard } from './tape';

/** Below this share of its largest value a pixel's gradient is "not reached". */
const REACHED = 1e-3;

/**
 * Each image's gradient scale: the mean |g| over the pixels where |g| is at
 * least REACHED of the image's largest; 0 where the objective has no
 * gradient at all. `toModel` maps images to the model's input.
 */
export async function objectiveScales(
  objective: Objective,
  executor: IExecutor,
  images: tf.Tensor4D,
  toModel: (image: tf.Tensor4D) => tf.Tensor4D
): Promise<Float32Array> {
  // An op without a gradient (a graph model's) becomes a typed error here
  // too, and what the failed tape kept is freed (optvis/tape.ts).
  const guard = new TapeGuard();
  let scales: tf.Tensor1D;
  try {
    scales = withGradientCheck(() =>
      tf.tidy(() => {
        const batch = images.shape[0];
        const grad = tf.grad(image => {
          guard.note();
          return guard.result(
            tf.sum(
              objective.perImage(
                readActivations(
                  executor,
                  toModel(image as tf.Tensor4D),
                  image,
                  objective.refs
                ),
                batch
              )
            )
          );
        })(images);
        const size = tf.reshape(tf.abs(grad), [batch, -1]);
        const largest = tf.max(size, 1, true);
        const reached = tf.step(tf.sub(size, tf.mul(largest, REACHED)));
        return tf.div(
          tf.sum(tf.mul(size, reached), 1),
          tf.maximum(tf.sum(reached, 1), 1)
        ) as tf.Tensor1D;
      })
    );
    guard.clear();
  } catch (reason) {
    guard.release();
    throw reason;
  }
  try {
    return Float32Array.from(await scales.data());
  } finally {
    scales.dispose();
  }
}

/** sqrt(ε + Σx²) of each image: L2 per image, not of the whole batch. */
function l2PerImage(): Objective {
  const read: IActivationRef = { layer: INPUT };
  return Objective.create(
    [read],
    acts =>
      tf.sqrt(tf.add(sumPerImage(tf.square(acts(read))), 1e-6)) as tf.Tensor1D,
    () => undefined,
    'L2(image)',
    NOWHERE
  );
}

/** A penalty whose image i is weighted by weights[i]. */
function weighted(term: Objective, weights: Float32Array): Objective {
  return Objective.create(
    term.refs,
    (acts, size) =>
      tf.mul(term.perImage(acts, size), tf.tensor1d(weights)) as tf.Tensor1D,
    (shapeOf, size) => term.check(shapeOf, size),
    `${term.description}·scale`,
    term.focus
  );
}

/**
 * The sum of the regularizers, each image's weighted by weight × its
 * objective scale; null when there is nothing to add. Subtract it.
 */
export function scaledRegularizers(
  regularizers: Regularizers,
  scales: Float32Array
): Objective | null {
  const penalties: [number | undefined, () => Objective][] = [
    [regularizers.l1, () => l1()],
    [regularizers.l2, l2PerImage],
    [regularizers.totalVariation, () => totalVariation()],
    [regularizers.blur, blurInputEachStep]
  ];
  const terms = penalties
    .filter(([weight]) => weight !== undefined && weight > 0)
    .map(([weight, make]) =>
      weighted(
        make(),
        scales.map(s => s * (weight as number))
      )
    );
  return terms.length > 0 ? Objective.sum(terms) : null;
}
