/**
 * Typed errors of loading a model: where it may come from, whether it is
 * well formed, its size and its weights. No TensorFlow.js here: the page
 * imports this module.
 */
import { FeatureVizError } from './feature-viz-error';

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
