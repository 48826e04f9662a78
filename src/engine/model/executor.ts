/**
 * The gradient-to-input executor (docs/architecture.md, "The executor"). It
 * runs a model's layers with ops whose gradients every backend has, so that
 * optimizing an input never differentiates — or needs kernels for — the
 * model's weights. Its forward pass equals the model's own `predict` (tests
 * check each layer type). The layers themselves are in layers/, one file per
 * family, found by class name in layers/registry.ts; the interface it
 * implements is in executor-contract.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayersModel, layers } from '@tensorflow/tfjs-layers';
import { NotAnImageModelError, UnknownLayerError } from '../errors';
import {
  INPUT,
  type IActivationRef,
  type LayerOrRef,
  refKey,
  refShape,
  toRef,
  wholeRef
} from './activation-ref';
import {
  type IExecutor,
  type IExecutorOptions,
  type IForwardOptions,
  checkInput
} from './executor-contract';
import {
  type IBuildEnvironment,
  buildLayer,
  canFold,
  configOf,
  selectsChannels,
  unsupported
} from './layers/build';
import { pickSelection } from './layers/channels';
import type { Applier } from './layers/context';
import { type IFoldCandidate, planFolds } from './layers/folding';
import { defaultStrategy } from './ops';
import {
  type IBox,
  type IGeometryGraph,
  layerGeometry,
  receptiveField
} from './receptive-field';

export {
  type IExecutor,
  type IExecutorOptions,
  type IForwardOptions,
  checkInput
} from './executor-contract';

interface INode extends IFoldCandidate {
  /** Names of the layers feeding this one; INPUT for the model input. */
  inbound: readonly string[];
  /** Built on first use, by ref, so unsupported layers fail only when reached. */
  readonly appliers: Map<string, Applier>;
  /** The convolution this batch norm is folded into. */
  foldInto: layers.Layer | null;
}

/** Runs a tfjs Layers model (Sequential or functional). */
export class LayersExecutor implements IExecutor {
  readonly inputShape: IExecutor['inputShape'];
  readonly layerNames: readonly string[];
  readonly logitsLayer: IActivationRef;
  private readonly _nodes = new Map<string, INode>();
  /** Tensors computed from the weights, by `layer:what`, once per layer. */
  private readonly _kept = new Map<string, tf.Tensor>();
  /** What layers are built with: the gradient strategy, kept tensors. */
  private readonly _environment: IBuildEnvironment;
  private _inputName = INPUT;

  constructor(model: LayersModel, options: IExecutorOptions = {}) {
    this._environment = {
      strategy: options.strategy ?? defaultStrategy(tf.getBackend()),
      reluRule: options.reluRule ?? 'standard',
      keep: (layer, what, make) => this._keep(`${layer}:${what}`, make)
    };
    const shape = model.inputs[0]?.shape ?? [];
    if (model.inputs.length !== 1 || shape.length !== 4 || shape[3] === null) {
      throw new NotAnImageModelError(shape);
    }
    this.inputShape = [null, shape[1], shape[2], shape[3] as number];
    for (const layer of model.layers) {
      this._addLayer(layer);
    }
    this.layerNames = [...this._nodes.keys()];
    this.logitsLayer = this._findLogits(model);
    for (const [batchNorm, source] of planFolds(this._nodes, canFold)) {
      const node = this._nodes.get(batchNorm) as INode;
      const sourceNode = this._nodes.get(source) as INode;
      node.foldInto = sourceNode.layer;
      node.inbound = sourceNode.inbound;
    }
  }

  /** The last layer, or what feeds a final softmax. */
  private _findLogits(model: LayersModel): IActivationRef {
    const last = model.layers[model.layers.length - 1];
    const activation = configOf(last).activation;
    const className = last.getClassName();
    if (
      className === 'Softmax' ||
      (className === 'Activation' && activation === 'softmax')
    ) {
      return { layer: this._nodes.get(last.name)?.inbound[0] ?? last.name };
    }
    return activation === 'softmax'
      ? { layer: last.name, pre: true }
      : { layer: last.name };
  }

  private _addLayer(layer: layers.Layer): void {
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      this._inputName = layer.name;
      return;
    }
    const calls = layer.inboundNodes;
    const inbound = (calls[0]?.inboundLayers ?? []).map(l => {
      if (l.getClassName() === 'InputLayer') {
        this._inputName = l.name;
        return INPUT;
      }
      return l.name;
    });
    this._nodes.set(layer.name, {
      layer,
      className,
      inbound,
      appliers: new Map(),
      foldInto: null,
      broken: calls.length > 1 ? 'it is shared by several calls' : null
    });
  }

  optimizable(layer: string): IActivationRef {
    const node = this._nodes.get(layer);
    const activation = node && configOf(node.layer).activation;
    return activation === 'relu' || activation === 'relu6'
      ? { layer, pre: true }
      : { layer };
  }

  /** The shape tfjs-layers infers for a layer, narrowed as the ref asks. */
  outputShape(layerOrRef: LayerOrRef): readonly (number | null)[] {
    const ref = toRef(layerOrRef);
    if (ref.layer === INPUT || ref.layer === this._inputName) {
      return refShape(this.inputShape, ref);
    }
    const node = this._nodes.get(ref.layer);
    if (!node) {
      throw new UnknownLayerError(ref.layer, this.layerNames);
    }
    const shape = node.layer.outputShape;
    if (Array.isArray(shape[0])) {
      unsupported(node.layer, 'it has several outputs');
    }
    return refShape(shape as (number | null)[], ref);
  }

  forward(
    input: tf.Tensor4D,
    refs: readonly IActivationRef[],
    options: IForwardOptions = {}
  ): tf.Tensor[] {
    checkInput(input, this.inputShape);
    const cache = new Map<string, tf.Tensor>();
    const feed = options.feed ?? new Map<string, tf.Tensor>();
    for (const layer of feed.keys()) {
      if (!this._nodes.has(layer)) {
        throw new UnknownLayerError(layer, this.layerNames);
      }
    }
    const evaluate = (ref: IActivationRef): tf.Tensor => {
      const key = refKey(ref);
      let out = cache.get(key);
      if (out) {
        return out;
      }
      const node = this._nodes.get(ref.layer);
      const fed = ref.pre ? undefined : feed.get(ref.layer);
      if (ref.layer === INPUT || ref.layer === this._inputName) {
        out = pickSelection(input, ref);
      } else if (fed) {
        out = pickSelection(fed, ref);
      } else if (!node) {
        throw new UnknownLayerError(ref.layer, this.layerNames);
      } else if (
        ref.channels &&
        !selectsChannels(node.foldInto ?? node.layer)
      ) {
        // No sliced kernels for this layer: compute it whole, then pick.
        out = pickSelection(evaluate(wholeRef(ref)), ref);
      } else {
        const args = node.inbound.map(layer => evaluate({ layer }));
        let applier = node.appliers.get(key);
        if (!applier) {
          const broken = node.broken;
          applier = broken
            ? () => unsupported(node.layer, broken)
            : buildLayer(node.layer, node.foldInto, ref, this._environment);
          node.appliers.set(key, applier);
        }
        out = applier(args);
      }
      cache.set(key, out);
      return out;
    };
    return refs.map(evaluate);
  }

  receptiveField(layer: string, row: number, col: number): IBox | null {
    const [, height, width] = this.inputShape;
    if (height === null || width === null) {
      return null;
    }
    this.outputShape(layer); // an unknown layer throws here
    const spatial = (shape: readonly (number | null)[]): [number, number] =>
      shape.length === 4 ? [shape[1] ?? 0, shape[2] ?? 0] : [1, 1];
    const graph: IGeometryGraph = {
      inputSize: [height, width],
      order: this.layerNames,
      inbound: name => this._nodes.get(name)?.inbound ?? [],
      geometry: name => {
        const node = this._nodes.get(name) as INode;
        // A folded batch norm computes its convolution: the convolution's
        // geometry, on the convolution's input (the node's inbound now).
        const source = node.foldInto ?? node.layer;
        const first = node.inbound[0] ?? INPUT;
        const size =
          first === INPUT
            ? this.inputShape.slice(1, 3)
            : this.outputShape(first);
        return layerGeometry(
          source.getClassName(),
          configOf(source),
          first === INPUT ? [size[0], size[1]] : [size[1], size[2]]
        );
      },
      outputSize: name => spatial(this.outputShape(name))
    };
    return receptiveField(graph, layer, row, col);
  }

  /** A tensor computed once from a layer's weights, kept until dispose(). */
  private _keep<T extends tf.Tensor>(key: string, make: () => T): T {
    let t = this._kept.get(key) as T | undefined;
    if (!t) {
      t = tf.keep(tf.tidy(make));
      this._kept.set(key, t);
    }
    return t;
  }

  dispose(): void {
    for (const t of this._kept.values()) {
      t.dispose();
    }
    this._kept.clear();
    for (const node of this._nodes.values()) {
      node.appliers.clear();
    }
  }
}
