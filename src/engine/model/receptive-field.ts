/**
 * Receptive fields (docs/architecture.md, "Datasets and top examples"): the
 * input pixels that one position of a layer sees, from the layer geometry
 * along the graph (kernel, stride, padding, dilation, pooling, padding and
 * cropping layers). Per axis a field is an affine map: position o of the
 * layer sees input pixels [offset + o·stride, offset + o·stride + size − 1]
 * (offset < 0 where padding reaches past the image). A unit after Flatten,
 * a global pooling or another layer that mixes positions sees the whole
 * input. Branches that meet (Add, Concatenate) see the union of theirs.
 */
import type { layers } from '@tensorflow/tfjs-layers';
import { FeatureVizError, UnknownLayerError } from '../errors';
import { configOf } from './layers/build';
import { pair } from './layers/context';
import { padding as kerasPadding } from './layers/padding';
import type { LoadedModel } from './load';

/** One axis of a receptive field. */
export interface IAxisField {
  /** Input pixels one position sees along this axis. */
  readonly size: number;
  /** Input pixels between neighbouring positions. */
  readonly stride: number;
  /** The first input pixel position 0 sees (negative inside padding). */
  readonly offset: number;
}

export interface IReceptiveField {
  /** Rows, then columns; null when every unit sees the whole input. */
  readonly axes: readonly [IAxisField, IAxisField] | null;
  /** The input's [height, width]. */
  readonly input: readonly [number, number];
}

/** A box in input pixels: rows [top, bottom), columns [left, right). */
export interface IBox {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
}

const IDENTITY: IAxisField = { size: 1, stride: 1, offset: 0 };

/** Layers that keep every position where it is (per-position maps). */
const POINTWISE = new Set([
  'Activation',
  'ReLU',
  'LeakyReLU',
  'PReLU',
  'ELU',
  'ThresholdedReLU',
  'Softmax',
  'BatchNormalization',
  'LayerNormalization',
  'Dropout',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'Add',
  'Subtract',
  'Multiply',
  'Average',
  'Maximum',
  'Minimum',
  'Concatenate'
]);

/** Layers after which a unit sees the whole input. */
const GLOBAL = new Set([
  'Flatten',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Reshape',
  'Permute'
]);

type Field = readonly [IAxisField, IAxisField] | null;

/**
 * The receptive field of `layer` in a Layers model (or its layers, in any
 * order, with an InputLayer or an input shape on the first).
 */
export function receptiveField(
  source: LoadedModel | readonly layers.Layer[],
  layer: string
): IReceptiveField {
  if (!Array.isArray(source) && 'format' in source) {
    if (source.format !== 'layers') {
      throw new FeatureVizError(
        'Receptive fields are computed for Layers models only; this is a graph model (patches=False shows whole examples).'
      );
    }
  }
  const list: readonly layers.Layer[] = Array.isArray(source)
    ? source
    : (source as Extract<LoadedModel, { format: 'layers' }>).model.layers;
  const byName = new Map(list.map(l => [l.name, l]));
  const target = byName.get(layer);
  if (!target) {
    throw new UnknownLayerError(layer, [...byName.keys()]);
  }
  const fields = new Map<string, Field>();
  const fieldOf = (current: layers.Layer): Field => {
    const known = fields.get(current.name);
    if (known !== undefined) {
      return known;
    }
    const inbound = current.inboundNodes[0]?.inboundLayers ?? [];
    const inputs =
      current.getClassName() === 'InputLayer' || inbound.length === 0
        ? [[IDENTITY, IDENTITY] as const]
        : inbound.map(fieldOf);
    const field = apply(current, union(inputs));
    fields.set(current.name, field);
    return field;
  };
  return { axes: fieldOf(target), input: inputSize(list) };
}

/** The input pixels position (y, x) of a layer sees, clipped to the input. */
export function receptiveFieldBox(
  field: IReceptiveField,
  y: number,
  x: number
): IBox {
  const [height, width] = field.input;
  if (!field.axes) {
    return { top: 0, left: 0, bottom: height, right: width };
  }
  const [rows, cols] = field.axes;
  const top = rows.offset + y * rows.stride;
  const left = cols.offset + x * cols.stride;
  return {
    top: Math.max(0, top),
    left: Math.max(0, left),
    bottom: Math.min(height, top + rows.size),
    right: Math.min(width, left + cols.size)
  };
}

/** The field after one layer, given the field of its input. */
function apply(layer: layers.Layer, input: Field): Field {
  const name = layer.getClassName();
  if (input === null || GLOBAL.has(name)) {
    return null;
  }
  if (name === 'InputLayer' || POINTWISE.has(name)) {
    return input;
  }
  const config = configOf(layer);
  const sizes = spatialInput(layer);
  switch (name) {
    case 'Dense':
      // On a flat input every unit sees everything; on a spatial one Dense
      // maps each position on its own.
      return sizes ? input : null;
    case 'Conv2D':
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      const kernel = pair(config.kernelSize as number | number[], 1);
      const dilation = pair(config.dilationRate as number | number[], 1);
      return window(
        input,
        kernel.map((k, i) => dilation[i] * (k - 1) + 1),
        pair(config.strides as number | number[], 1),
        config.padding,
        sizes,
        layer
      );
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const pool = pair(config.poolSize as number | number[], 2);
      return window(
        input,
        pool,
        pair(config.strides as number | number[] | null, pool[0]),
        config.padding,
        sizes,
        layer
      );
    }
    case 'ZeroPadding2D': {
      const [rows, cols] = kerasPadding(
        config.padding as number | number[] | number[][]
      );
      return [shift(input[0], -rows[0]), shift(input[1], -cols[0])];
    }
    case 'Cropping2D': {
      const [rows, cols] = kerasPadding(
        config.cropping as number | number[] | number[][]
      );
      return [shift(input[0], rows[0]), shift(input[1], cols[0])];
    }
    default:
      throw new FeatureVizError(
        `The receptive field through layer "${layer.name}" (${name}) is not known: patches=False shows whole examples.`
      );
  }
}

/** A sliding window of `extent` input positions, every `strides`. */
function window(
  input: readonly [IAxisField, IAxisField],
  extent: readonly number[],
  strides: readonly number[],
  padding: unknown,
  sizes: readonly [number, number] | null,
  layer: layers.Layer
): Field {
  if (padding !== 'valid' && padding !== 'same') {
    throw new FeatureVizError(
      `Layer "${layer.name}" has padding "${String(padding)}": its receptive field is not known.`
    );
  }
  return [0, 1].map(axis => {
    const { size, stride, offset } = input[axis];
    let before = 0;
    if (padding === 'same') {
      const n = sizes?.[axis];
      if (n === undefined) {
        throw new FeatureVizError(
          `Layer "${layer.name}" pads to "same" on an input of unknown size.`
        );
      }
      // TensorFlow's 'same': the smaller half of the padding goes first.
      const total = Math.max(
        (Math.ceil(n / strides[axis]) - 1) * strides[axis] + extent[axis] - n,
        0
      );
      before = Math.floor(total / 2);
    }
    return {
      size: size + (extent[axis] - 1) * stride,
      stride: stride * strides[axis],
      offset: offset - before * stride
    };
  }) as unknown as readonly [IAxisField, IAxisField];
}

function shift(axis: IAxisField, positions: number): IAxisField {
  return { ...axis, offset: axis.offset + positions * axis.stride };
}

/** Where branches meet: the smallest field that holds each branch's. */
function union(fields: readonly Field[]): Field {
  if (fields.length === 1) {
    return fields[0];
  }
  const known = fields.filter(f => f !== null);
  // Branches that step differently have no one box per position: a branch
  // that sees everything, or one that steps otherwise, makes it the whole.
  if (
    known.length < fields.length ||
    known.some(f => f[0].stride !== known[0][0].stride) ||
    known.some(f => f[1].stride !== known[0][1].stride)
  ) {
    return null;
  }
  const axis = (i: 0 | 1): IAxisField => {
    const start = Math.min(...known.map(f => f[i].offset));
    const end = Math.max(...known.map(f => f[i].offset + f[i].size));
    return { size: end - start, stride: known[0][i].stride, offset: start };
  };
  return [axis(0), axis(1)];
}

/** A layer's input [height, width] when it is spatial (rank 4), else null. */
function spatialInput(layer: layers.Layer): [number, number] | null {
  const shapes = layer.inboundNodes[0]?.inputShapes;
  if (!shapes) {
    return null;
  }
  const first = (Array.isArray(shapes[0]) ? shapes[0] : shapes) as (
    number | null
  )[];
  return first.length === 4 && first[1] !== null && first[2] !== null
    ? [first[1], first[2]]
    : null;
}

/** The model input's [height, width]. */
function inputSize(list: readonly layers.Layer[]): [number, number] {
  for (const layer of list) {
    const shape = (layer.getConfig() as { batchInputShape?: unknown })
      .batchInputShape;
    if (Array.isArray(shape) && shape.length === 4) {
      return [shape[1] as number, shape[2] as number];
    }
  }
  const size = spatialInput(list[0]);
  if (!size) {
    throw new FeatureVizError('The model input has no fixed image size.');
  }
  return size;
}
