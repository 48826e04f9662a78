/**
 * The batched activation pass (docs/architecture.md, "Datasets and top
 * examples"): the model run over a dataset up to one layer only (the
 * executor computes no layer the unit does not need, and only the unit's
 * channel where the layer can), one value per example reduced on the
 * device, read back with its arg-max position, and merged into running top
 * and bottom k. Never the whole activation tensor: memory does not grow with
 * the dataset. Checks Cancel between batches; every tensor is freed however
 * the pass ends.
 */
import * as tf from '@tensorflow/tfjs';
import type { UnitTarget } from '../../spec/types.generated';
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import {
  CancelledError,
  ChannelOutOfRangeError,
  FeatureVizError,
  PositionOutOfRangeError
} from '../errors';
import type { IActivationRef } from '../model/activation-ref';
import type { IExecutor } from '../model/executor';
import { nextTick } from '../tick';
import { type IDataset, type IInputFit, inputBatch } from './dataset';
import { type IRanked, RunningTopK } from './top-k';

/** The unit examples are ranked by, resolved against a model. */
export type PassUnit = {
  /** The layer it belongs to (for receptive fields and messages). */
  readonly layer: string;
  /** The activation the executor computes: the unit's channel only. */
  readonly ref: IActivationRef;
  /** "channel 5 of conv2d_1 (max over positions)". */
  readonly description: string;
} & (
  | {
      /** A channel of a spatial layer, reduced over positions. */
      readonly kind: 'channel';
      readonly reduce: 'max' | 'mean';
      readonly height: number;
      readonly width: number;
    }
  | {
      /** One position of a channel of a spatial layer. */
      readonly kind: 'neuron';
      readonly y: number;
      readonly x: number;
      readonly height: number;
      readonly width: number;
    }
  | {
      /** A unit of a flat layer (a dense unit, a logit): no position. */
      readonly kind: 'flat';
    }
);

/** Checks a spec's target against the model; errors name what is wrong. */
export function resolveUnit(executor: IExecutor, target: UnitTarget): PassUnit {
  const layerRef: IActivationRef =
    target.type === 'logit'
      ? target.layer
        ? { layer: target.layer }
        : executor.logitsLayer
      : { layer: target.layer };
  const layer = layerRef.layer;
  const shape = executor.outputShape(layerRef);
  const channels = shape[shape.length - 1];
  const index = target.type === 'logit' ? target.index : target.channel;
  if (typeof channels !== 'number') {
    throw new FeatureVizError(`Layer "${layer}" has no fixed unit count.`);
  }
  const what = shape.length === 2 ? 'unit' : 'channel';
  if (index >= channels) {
    throw new ChannelOutOfRangeError(layer, index, channels, what);
  }
  const ref: IActivationRef = { ...layerRef, channels: [index] };
  if (shape.length === 2) {
    if (
      target.type === 'neuron' &&
      (target.x !== undefined || target.y !== undefined)
    ) {
      throw new FeatureVizError(
        `Layer "${layer}" is flat (shape [${shape.map(d => d ?? 'batch').join(', ')}]): its units have no x, y; give the unit only.`
      );
    }
    const description =
      target.type === 'logit' ? `logit ${index}` : `unit ${index} of ${layer}`;
    return { kind: 'flat', layer, ref, description };
  }
  if (shape.length !== 4 || shape[1] === null || shape[2] === null) {
    throw new FeatureVizError(
      `Layer "${layer}" has shape [${shape.map(d => d ?? 'batch').join(', ')}]; top examples need a flat layer or one of fixed height and width.`
    );
  }
  const [height, width] = [shape[1], shape[2]];
  if (target.type === 'neuron') {
    const y = target.y ?? Math.floor(height / 2);
    const x = target.x ?? Math.floor(width / 2);
    if (y >= height || x >= width) {
      throw new PositionOutOfRangeError(layer, x, y, width, height);
    }
    return {
      kind: 'neuron',
      layer,
      ref,
      y,
      x,
      height,
      width,
      description: `neuron ${index} of ${layer} at (x=${x}, y=${y})`
    };
  }
  const reduce =
    target.type === 'channel'
      ? (target.reduce ?? SPEC_DEFAULTS.ChannelTarget.reduce)
      : 'max';
  return {
    kind: 'channel',
    layer,
    ref,
    reduce,
    height,
    width,
    description: `${target.type === 'logit' ? 'logit' : 'channel'} ${index} of ${layer} (${reduce} over positions)`
  };
}

export interface IPassOptions {
  readonly executor: IExecutor;
  readonly dataset: IDataset;
  /** The examples [start, end) of the dataset. */
  readonly range: readonly [number, number];
  readonly fit: IInputFit;
  readonly unit: PassUnit;
  readonly k: number;
  /** Also keep the bottom k. */
  readonly bottom: boolean;
  /** Also keep every example's value, in order (for the histogram). */
  readonly keepScores?: boolean;
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  /** After each batch: examples done so far. */
  readonly onBatch?: (done: number) => void;
  /** Inside each batch, at its peak (benchmarks and tests read it). */
  readonly onPeak?: (memory: tf.MemoryInfo) => void;
}

export interface IPassResult {
  readonly top: IRanked;
  readonly bottom: IRanked | null;
  /** Every example's value of the range, in order; null unless kept. */
  readonly scores: Float32Array | null;
}

export async function activationPass(
  options: IPassOptions
): Promise<IPassResult> {
  const { executor, dataset, fit, unit, signal } = options;
  const [start, end] = options.range;
  const top = new RunningTopK(options.k, 'top');
  const bottom = options.bottom ? new RunningTopK(options.k, 'bottom') : null;
  const scores = options.keepScores ? new Float32Array(end - start) : null;
  for (let first = start; first < end; first += options.batchSize) {
    if (signal?.aborted) {
      throw new CancelledError();
    }
    const last = Math.min(end, first + options.batchSize);
    const [value, position] = tf.tidy(() => {
      const x = inputBatch(dataset, [first, last], fit, true);
      const [activation] = executor.forward(x, [unit.ref]);
      const reduced = reduceUnit(activation, unit);
      options.onPeak?.(tf.memory());
      return reduced;
    });
    let values: Float32Array;
    let positions: Int32Array;
    try {
      [values, positions] = (await Promise.all([
        value.data(),
        position.data()
      ])) as [Float32Array, Int32Array];
    } finally {
      value.dispose();
      position.dispose();
    }
    const bad = values.findIndex(v => !Number.isFinite(v));
    if (bad >= 0) {
      throw new FeatureVizError(
        `Layer "${unit.layer}" gives ${values[bad]} for example ${first + bad}: the model or the example has non-finite values.`
      );
    }
    top.push(values, positions, first);
    bottom?.push(values, positions, first);
    scores?.set(values, first - start);
    options.onBatch?.(last - start);
    // Lets Cancel and other messages through (and the page breathe when the
    // engine runs on its thread).
    await nextTick();
  }
  if (signal?.aborted) {
    throw new CancelledError();
  }
  return { top: top.result(), bottom: bottom?.result() ?? null, scores };
}

/** One value per example, and where (flat y·width + x) it was strongest. */
function reduceUnit(
  activation: tf.Tensor,
  unit: PassUnit
): [tf.Tensor1D, tf.Tensor1D] {
  const batch = activation.shape[0] as number;
  switch (unit.kind) {
    case 'flat':
      return [tf.reshape(activation, [batch]), tf.fill([batch], -1, 'int32')];
    case 'neuron':
      return [
        tf.reshape(
          tf.slice(activation, [0, unit.y, unit.x, 0], [-1, 1, 1, 1]),
          [batch]
        ),
        tf.fill([batch], unit.y * unit.width + unit.x, 'int32')
      ];
    case 'channel': {
      const flat = tf.reshape(activation, [batch, unit.height * unit.width]);
      return [
        unit.reduce === 'max' ? tf.max(flat, 1) : tf.mean(flat, 1),
        tf.argMax(flat, 1)
      ];
    }
  }
}

/** Per example, the most bytes a batch may hold, by backend. */
const BUDGET: Record<string, { bytes: number; most: number }> = {
  webgpu: { bytes: 256e6, most: 1024 },
  webgl: { bytes: 128e6, most: 512 },
  wasm: { bytes: 64e6, most: 256 },
  cpu: { bytes: 32e6, most: 128 }
};

/**
 * A batch size for `backend`: as many examples as the activations up to the
 * unit's layer fit in its budget, at most its cap.
 */
export function batchSizeFor(
  backend: string,
  executor: IExecutor,
  layer: string,
  fit: IInputFit
): number {
  const { bytes, most } = BUDGET[backend] ?? BUDGET.cpu;
  let floats = fit.height * fit.width * fit.channels;
  for (const name of executor.layerNames) {
    const shape = executor.outputShape(name);
    floats += shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
    if (name === layer) {
      break;
    }
  }
  return Math.max(1, Math.min(most, Math.floor(bytes / (floats * 4))));
}
