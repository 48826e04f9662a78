/**
 * Typed errors of the engine. Each message says what is wrong and how to fix
 * it; views show `message` as text and may use the fields. No TensorFlow.js
 * here: the page imports this module.
 */
export class FeatureVizError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The edit distance between two strings (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1)
      );
      previous = saved;
    }
  }
  return row[b.length];
}

/** The known name closest to `name`, if it is close enough to be a typo. */
export function closestName(
  name: string,
  known: readonly string[]
): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? best
    : undefined;
}

export class UnknownLayerError extends FeatureVizError {
  readonly suggestion: string | undefined;
  constructor(
    readonly layer: string,
    readonly known: readonly string[]
  ) {
    const suggestion = closestName(layer, known);
    super(
      `The model has no layer "${layer}".${
        suggestion ? ` Did you mean "${suggestion}"?` : ''
      } Its layers are: ${known.join(', ')}.`
    );
    this.suggestion = suggestion;
  }
}

/** 'channel' → 'channels', 'class' → 'classes'. */
function plural(noun: string): string {
  return /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`;
}

export class ChannelOutOfRangeError extends FeatureVizError {
  constructor(
    readonly layer: string,
    readonly channel: number,
    readonly channels: number,
    what = 'channel'
  ) {
    super(
      `Layer "${layer}" has ${channels} ${plural(what)} (0 to ${channels - 1}); ${what} ${channel} is out of range.`
    );
  }
}

export class PositionOutOfRangeError extends FeatureVizError {
  constructor(
    readonly layer: string,
    readonly x: number,
    readonly y: number,
    readonly width: number,
    readonly height: number
  ) {
    super(
      `Position (x=${x}, y=${y}) is outside layer "${layer}", whose outputs are ${width} wide and ${height} high.`
    );
  }
}

export class NotAnImageModelError extends FeatureVizError {
  constructor(readonly inputShape: readonly (number | null)[]) {
    super(
      `The model's input has shape [${inputShape
        .map(d => (d === null ? 'None' : d))
        .join(
          ', '
        )}]; Feature Viz needs an image input of shape [batch, height, width, channels] (channels last).`
    );
  }
}

export class InputRankError extends FeatureVizError {
  constructor(
    readonly got: readonly number[],
    readonly expected: readonly (number | null)[]
  ) {
    super(
      `The input has shape [${got.join(', ')}] but the model expects [${expected
        .map(d => (d === null ? 'batch' : d))
        .join(', ')}].`
    );
  }
}

export class UnsupportedLayerError extends FeatureVizError {
  constructor(
    readonly layer: string,
    readonly className: string,
    detail: string | undefined,
    /** The Keras classes the executor supports (its registry's names). */
    readonly supported: readonly string[]
  ) {
    super(
      `Layer "${layer}" is a ${className}, which Feature Viz cannot differentiate through${
        detail ? ` (${detail})` : ''
      }. Visualize a layer before it, or convert the model with supported layers (${supported.join(', ')}).`
    );
  }
}

export class NoGradientError extends FeatureVizError {
  constructor(readonly op: string) {
    super(
      `TensorFlow.js has no gradient for the op "${op}", which lies between the input and the objective. Choose a layer before it.`
    );
  }
}

export class ModelLoadError extends FeatureVizError {
  constructor(
    readonly url: string,
    readonly status: number | null,
    detail: string
  ) {
    super(
      `Could not load ${url}: ${detail}. Check that the path is right (relative paths start at the notebook's folder).`
    );
  }
}

export class MalformedModelError extends FeatureVizError {
  constructor(
    readonly url: string,
    detail: string
  ) {
    super(
      `${url} is not a valid TensorFlow.js model: ${detail}. Convert it again with the TensorFlow.js converter (tensorflowjs_converter) or featureviz.convert.`
    );
  }
}

export class ModelTooLargeError extends FeatureVizError {
  constructor(
    readonly url: string,
    readonly bytes: number,
    readonly limitBytes: number
  ) {
    super(
      `${url} has ${(bytes / 1e6).toFixed(1)} MB of weights, over the ${(
        limitBytes / 1e6
      ).toFixed(
        0
      )} MB limit. Raise "Largest model" in Settings ▸ Feature Viz if you trust it.`
    );
  }
}

export class OriginNotAllowedError extends FeatureVizError {
  constructor(
    readonly url: string,
    readonly origin: string
  ) {
    super(
      `${url} is on ${origin}, which Feature Viz may not load from. Add the origin to "Allowed model origins" in Settings ▸ Feature Viz, or copy the model next to the notebook.`
    );
  }
}

/**
 * A model or weight file the page may not fetch: outside the Jupyter
 * server's files, into its API, or on an origin the settings do not allow
 * (docs/architecture.md, "Trust and safety"). Raised before any request.
 */
export class PathNotAllowedError extends FeatureVizError {
  constructor(
    readonly path: string,
    readonly reason: string
  ) {
    super(
      `${path}: ${reason}. Feature Viz loads models only from the Jupyter server's files (paths relative to the notebook's folder), its bundled models, and origins allowed in Settings ▸ Feature Viz.`
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
 * A model whose weights hold NaN or infinity, refused at load (before any
 * run could show a black image as a result); names the tensor.
 */
export class NonFiniteWeightsError extends FeatureVizError {
  constructor(
    readonly url: string,
    readonly tensor: string,
    readonly count: number,
    readonly size: number,
    nan: boolean
  ) {
    super(
      `${url} has weights that are not finite numbers: "${tensor}" holds ${count} ${
        nan ? 'NaN or infinite' : 'infinite'
      } value${count === 1 ? '' : 's'} of ${size}. Check the training run or the conversion that wrote it.`
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
