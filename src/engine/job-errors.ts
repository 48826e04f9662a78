/**
 * Typed errors of running a job: refused as too large, stopped by a
 * non-finite number, a lost backend, a deadline, a cancel, or an op without
 * a gradient. No TensorFlow.js here: the page imports this module.
 */
import { FeatureVizError } from './feature-viz-error';

export class NoGradientError extends FeatureVizError {
  constructor(readonly op: string) {
    super(
      `TensorFlow.js has no gradient for the op "${op}", which lies between the input and the objective. Choose a layer before it.`
    );
  }
}

/**
 * A job whose estimated memory or time is over the settings' caps, refused
 * before it starts; the message carries the estimate.
 */
export class JobTooLargeError extends FeatureVizError {
  constructor(
    /** What the job would need, in words ("about 13 GB of memory"). */
    readonly need: string,
    /** The cap it is over, in words ("the 1024 MB limit"). */
    readonly limit: string,
    /** What makes it large ("1024 images of 1024×1024×3"). */
    readonly detail: string,
    /** The setting that raises the cap. */
    readonly setting: string
  ) {
    super(
      `This job would need ${need} (${detail}), over ${limit}. Use fewer or smaller images or fewer steps, or raise "${setting}" in Settings ▸ Feature Viz.`
    );
  }
}

/**
 * A run whose objective or pixels stopped being finite numbers: failed, never
 * shown or saved as a result. Names the first layer whose activations are not
 * finite, when one is (else the objective or the image itself).
 */
export class NonFiniteRunError extends FeatureVizError {
  constructor(
    readonly step: number,
    /** The first layer (in execution order) whose activations are not finite. */
    readonly layer: string | null,
    /** What was found not finite: "the objective" or "the image". */
    what: string
  ) {
    super(
      `The run stopped at step ${step}: ${what} is not a finite number${
        layer
          ? `; the first layer whose activations are not finite is "${layer}"`
          : ''
      }. Lower the learning rate, add a penalty, or check the model's weights.`
    );
  }
}

/**
 * A job the engine could not finish because its backend failed under it
 * (a lost WebGL or WebGPU context): the last good frame stays on screen, and
 * a re-run goes to the next backend of the ladder.
 */
export class InterruptedError extends FeatureVizError {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * A job that missed its deadline (a step that never ended, a worker that
 * stopped answering): ended by the page's watchdog, the worker replaced.
 */
export class JobTimeoutError extends FeatureVizError {
  constructor(message: string) {
    super(message);
  }
}

/** Raised inside a job when its AbortSignal fires. */
export class CancelledError extends FeatureVizError {
  constructor() {
    super('Cancelled.');
  }
}

/**
 * Runs `fn` and turns TensorFlow.js's "no gradient" failure into a typed
 * error naming the op.
 */
export function withGradientCheck<T>(fn: () => T): T {
  try {
    return fn();
  } catch (reason) {
    const match = /gradient function not found for (\w+)/.exec(
      (reason as Error)?.message ?? ''
    );
    if (match) {
      throw new NoGradientError(match[1]);
    }
    throw reason;
  }
}
