/**
 * Receptive fields (docs/architecture.md, "Receptive fields"): the box of
 * input pixels that one unit of a layer can see, computed from the layers'
 * geometry (kernel, stride, dilation, padding, pooling) by walking back from
 * the unit to the input. Gradient ascent zooms on it and picks the centre
 * neuron when it is small; dataset views cut patches with it.
 *
 * A layer this module does not know is taken to mix every position (the
 * whole input): a receptive field may be too large, never too small.
 */
import { INPUT } from './activation-ref';
import { type ILayerConfig, pair } from './layers/context';

/** Rows and columns of the input, inclusive, clipped to the image. */
export interface IBox {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
}

/** How one layer maps its output positions to its input's. */
export type Geometry =
  /** Output (y, x) reads input (y, x) (activations, batch norm, merges). */
  | { readonly kind: 'pointwise' }
  /** Every output reads every input position (dense, flatten, global pooling). */
  | { readonly kind: 'global' }
  /** Output (y, x) reads input rows y·s − p … y·s − p + d·(k − 1). */
  | {
      readonly kind: 'window';
      readonly kernel: readonly [number, number];
      readonly strides: readonly [number, number];
      readonly dilations: readonly [number, number];
      /** Padding before the first row and column. */
      readonly padBefore: readonly [number, number];
    }
  /** Output (y, x) reads input ⌊(y + offset) / factor⌋ … (upsampling, padding, cropping). */
  | {
      readonly kind: 'resample';
      readonly offset: readonly [number, number];
      readonly factor: readonly [number, number];
      /** Input rows and columns read on each side (bilinear reads one more). */
      readonly reach: number;
    };

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
  'Concatenate',
  'Rescaling'
]);

const WINDOWED = new Set([
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'MaxPooling2D',
  'AveragePooling2D'
]);

/** TensorFlow's 'same' padding before the first element of one axis. */
function samePadBefore(
  size: number,
  kernel: number,
  stride: number,
  dilation: number
): number {
  const span = (kernel - 1) * dilation + 1;
  const total = Math.max(
    (Math.ceil(size / stride) - 1) * stride + span - size,
    0
  );
  return Math.floor(total / 2);
}

/** Keras padding of ZeroPadding2D or Cropping2D: [[top, bottom], [left, right]]. */
function sides(value: unknown): [[number, number], [number, number]] {
  const side = (v: unknown): [number, number] =>
    Array.isArray(v)
      ? [Number(v[0]), Number(v[1] ?? v[0])]
      : [Number(v), Number(v)];
  if (!Array.isArray(value)) {
    return [side(value), side(value)];
  }
  return [side(value[0]), side(value[1] ?? value[0])];
}

/**
 * The geometry of a layer of Keras class `className`, given its config and
 * its input's [height, width] (needed for 'same' padding).
 */
export function layerGeometry(
  className: string,
  config: ILayerConfig,
  inputSize: readonly [number | null, number | null]
): Geometry {
  if (POINTWISE.has(className)) {
    return { kind: 'pointwise' };
  }
  if (WINDOWED.has(className)) {
    const pooling = className.endsWith('Pooling2D');
    const kernel = pooling
      ? pair(config.poolSize, 2)
      : pair(config.kernelSize, 1);
    const strides = pair(config.strides, pooling ? kernel[0] : 1);
    const dilations = pooling ? [1, 1] : pair(config.dilationRate, 1);
    const same = config.padding === 'same';
    const padBefore = [0, 1].map(axis => {
      const size = inputSize[axis];
      if (!same) {
        return 0;
      }
      // A free input size: assume the padding of a size the stride divides.
      return samePadBefore(
        size ?? strides[axis],
        kernel[axis],
        strides[axis],
        dilations[axis]
      );
    });
    return {
      kind: 'window',
      kernel,
      strides,
      dilations: [dilations[0], dilations[1]],
      padBefore: [padBefore[0], padBefore[1]]
    };
  }
  if (className === 'ZeroPadding2D') {
    const [[top], [left]] = sides(config.padding);
    return {
      kind: 'resample',
      offset: [-top, -left],
      factor: [1, 1],
      reach: 0
    };
  }
  if (className === 'Cropping2D') {
    const [[top], [left]] = sides(config.cropping);
    return { kind: 'resample', offset: [top, left], factor: [1, 1], reach: 0 };
  }
  if (className === 'UpSampling2D') {
    return {
      kind: 'resample',
      offset: [0, 0],
      factor: pair(config.size, 2),
      reach: config.interpolation === 'bilinear' ? 1 : 0
    };
  }
  return { kind: 'global' };
}

/** What the walk needs of a model: each layer's inputs and geometry. */
export interface IGeometryGraph {
  /** The model input's [height, width]. */
  readonly inputSize: readonly [number, number];
  /** Layer names in execution order (every layer after its inputs). */
  readonly order: readonly string[];
  /** The layers feeding `layer` (INPUT for the model's input). */
  inbound(layer: string): readonly string[];
  geometry(layer: string): Geometry;
  /** The [height, width] of a layer's output; [1, 1] for a flat one. */
  outputSize(layer: string): readonly [number, number];
}

type Span = readonly [number, number];

/**
 * The first and last input rows (or columns) an output span reads along one
 * axis, within the input; null when it reads padding only. A dilated window
 * skips rows, so its taps are counted one by one at the edges.
 */
function backAxis(
  span: Span,
  geometry: Geometry,
  axis: 0 | 1,
  inputSize: number
): Span | null {
  switch (geometry.kind) {
    case 'pointwise':
      return clip(span, inputSize);
    case 'global':
      return [0, inputSize - 1];
    case 'window': {
      const s = geometry.strides[axis];
      const d = geometry.dilations[axis];
      const start = span[0] * s - geometry.padBefore[axis];
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i <= span[1] - span[0]; i++) {
        for (let j = 0; j < geometry.kernel[axis]; j++) {
          const tap = start + s * i + d * j;
          if (tap >= 0 && tap < inputSize) {
            lo = Math.min(lo, tap);
            hi = Math.max(hi, tap);
          }
        }
      }
      return lo <= hi ? [lo, hi] : null;
    }
    case 'resample': {
      const f = geometry.factor[axis];
      const o = geometry.offset[axis];
      return clip(
        [
          Math.floor((span[0] + o) / f) - geometry.reach,
          Math.floor((span[1] + o) / f) + geometry.reach
        ],
        inputSize
      );
    }
  }
}

function clip(span: Span, size: number): Span | null {
  const lo = Math.max(0, span[0]);
  const hi = Math.min(size - 1, span[1]);
  return lo <= hi ? [lo, hi] : null;
}

function hull(a: Span | undefined, b: Span): Span {
  return a ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : b;
}

/**
 * The input box that output position (row, col) of `layer` sees; null when
 * it sees no pixel at all (a position that reads padding only).
 *
 * Spans travel back one layer at a time, in reverse execution order, and
 * where paths meet (a merge's inputs) they join into one span: each layer's
 * map from output to input spans is monotone, so joining early gives the same
 * box as following every path, without the paths' exponential number.
 */
export function receptiveField(
  graph: IGeometryGraph,
  layer: string,
  row: number,
  col: number
): IBox | null {
  const reached = new Map<string, [Span, Span]>([
    [
      layer,
      [
        [row, row],
        [col, col]
      ]
    ]
  ]);
  const at = graph.order.indexOf(layer);
  for (let i = at; i >= 0; i--) {
    const name = graph.order[i];
    const spans = reached.get(name);
    if (!spans) {
      continue;
    }
    const geometry = graph.geometry(name);
    for (const source of graph.inbound(name)) {
      const [h, w] =
        source === INPUT ? graph.inputSize : graph.outputSize(source);
      const r = backAxis(spans[0], geometry, 0, h);
      const c = backAxis(spans[1], geometry, 1, w);
      if (r && c) {
        const known = reached.get(source);
        reached.set(source, [hull(known?.[0], r), hull(known?.[1], c)]);
      }
    }
  }
  const input = reached.get(INPUT);
  return input
    ? {
        top: input[0][0],
        bottom: input[0][1],
        left: input[1][0],
        right: input[1][1]
      }
    : null;
}

/** A box's height and width. */
export function boxSize(box: IBox): [number, number] {
  return [box.bottom - box.top + 1, box.right - box.left + 1];
}
