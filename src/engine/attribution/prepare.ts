/**
 * What the attribution jobs on one input share (docs/architecture.md,
 * "Attribution"): the input loaded as the model takes it, the unit resolved
 * and its value on the whole input, and a method's progress as the job's
 * `progress` events.
 */
import * as tf from '@tensorflow/tfjs';
import type { IJobContext } from '../runtime/jobs';
import type { ProgressClock } from '../runtime/progress';
import type { JobRequestOf } from '../runtime/protocol';
import type { IMethodHooks } from './batching';
import { type IInputImage, loadInput } from './input';
import type { IUnitSummary } from './types';
import { type IUnit, predictedClasses, resolveUnit } from './unit';

/** The input as a tensor, the unit and what the summary says of both. */
export interface IPrepared {
  readonly x: tf.Tensor4D;
  readonly image: IInputImage;
  readonly unit: IUnit;
  readonly about: IUnitSummary;
}

export async function prepare(
  request: JobRequestOf<'occlusion' | 'saliency'>,
  context: IJobContext
): Promise<IPrepared> {
  const { executor, loaded } = context.model;
  const { tensor, image } = await loadInput(
    request.input,
    executor,
    loaded.metadata.inputRange,
    (data, shape) => context.datasets.load(data, shape, context.signal)
  );
  try {
    const unit = await resolveUnit(executor, request.target, tensor);
    const [predicted] = await predictedClasses(executor, tensor);
    const value = tf.tidy(() =>
      unit.value(executor.forward(tensor, [unit.ref])[0])
    );
    const [base] = await value.data();
    value.dispose();
    return {
      x: tensor,
      image,
      unit,
      about: {
        example: image.name,
        unit: unit.description,
        value: base,
        label: image.label,
        predicted
      }
    };
  } catch (reason) {
    tensor.dispose();
    throw reason;
  }
}

/**
 * A method's hooks that report its items from `offset` on, as `progress`
 * events of a job of `clock.total` items.
 */
export function progressHooks(
  context: IJobContext,
  clock: ProgressClock,
  offset = 0
): IMethodHooks {
  return {
    signal: context.signal,
    onProgress: done => context.emit(clock.tick(offset + done))
  };
}
