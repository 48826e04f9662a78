/**
 * Non-finite runs (docs/architecture.md, "Memory and speed"): a frame whose
 * objective or pixels are NaN or infinite ends the run with an error naming
 * the first layer whose activations are not finite, instead of showing (and
 * saving) a black image as a result. Checked at frames only, where values
 * and pixels are read back anyway: no extra GPU read per step.
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteRunError } from '../errors';
import type { IExecutor } from '../model/executor';

/** Whether every value is a finite number. */
export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) {
      return false;
    }
  }
  return true;
}

/**
 * The first layer of `executor` (in execution order) whose activations for
 * `input` hold NaN or infinity; null when all are finite or the layers cannot
 * be computed alone. Runs one forward pass and one read: only once a run has
 * already failed.
 */
export async function firstNonFiniteLayer(
  executor: IExecutor,
  input: tf.Tensor4D
): Promise<string | null> {
  const names = executor.layerNames;
  let flags: tf.Tensor | null = null;
  try {
    flags = tf.tidy(() => {
      const acts = executor.forward(
        input,
        names.map(layer => ({ layer }))
      );
      return tf.stack(acts.map(a => tf.any(tf.logicalNot(tf.isFinite(a)))));
    });
    const bad = await flags.data();
    const at = bad.findIndex(v => v !== 0);
    return at < 0 ? null : names[at];
  } catch {
    // A layer the executor cannot run alone: say what is known without it.
    return null;
  } finally {
    flags?.dispose();
  }
}

/**
 * Throws NonFiniteRunError when a frame's values or pixels are not finite,
 * naming the first layer whose activations are not (`locate` runs the model
 * on the frame's image only when something is wrong).
 */
export async function checkFrame(
  step: number,
  values: ArrayLike<number>,
  pixelsFinite: boolean,
  locate: () => Promise<string | null>
): Promise<void> {
  if (pixelsFinite && allFinite(values)) {
    return;
  }
  const what = pixelsFinite ? 'the objective' : 'the image';
  throw new NonFiniteRunError(step, pixelsFinite ? await locate() : null, what);
}
