/**
 * Typed errors of the engine. Each message says what is wrong and how to fix
 * it; views show `message` as text and may use the fields. This module holds
 * the errors of naming layers, channels and inputs, and re-exports the rest
 * (model-errors.ts, job-errors.ts) so that importers need one path. No
 * TensorFlow.js here: the page imports this module.
 */
import { closestName } from './did-you-mean';
import { FeatureVizError } from './feature-viz-error';

export { FeatureVizError } from './feature-viz-error';
export { closestName, editDistance } from './did-you-mean';
export * from './model-errors';
export * from './job-errors';

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
