/**
 * Runs a TensorFlow.js Graph model (a converted SavedModel or frozen graph)
 * for optimization: tfjs's own graph executor computes any set of nodes, and
 * the gradient comes from tfjs's registered gradients. Where an op on the path
 * has none, the render loop reports a NoGradientError naming it; where the
 * backend lacks a kernel, the runtime falls back to the CPU. It reads the
 * same activation refs as the Layers executor; channels are picked from the
 * whole node (no sliced kernels in a graph), and a node has no separate
 * pre-activation: `pre` is ignored, optimizable() names the node before a ReLU.
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import {
  FeatureVizError,
  NotAnImageModelError,
  UnknownLayerError
} from '../errors';
import {
  INPUT,
  type IActivationRef,
  type LayerOrRef,
  refShape,
  toRef
} from './activation-ref';
import { type IExecutor, type IForwardOptions, checkInput } from './executor';
import { pickSelection } from './layers/channels';
import type { ILoadedGraphModel } from './load';

/** Ops that are not layers: constants, inputs, plumbing. */
const NOT_LAYERS = new Set(['Const', 'Placeholder', 'NoOp', 'Identity']);

/** Height and width used to infer node shapes when the model leaves them free. */
const FREE_SIZE = 224;

export class GraphExecutor implements IExecutor {
  readonly inputShape: IExecutor['inputShape'];
  readonly layerNames: readonly string[];
  readonly logitsLayer: IActivationRef;
  private readonly _model: GraphModel;
  private readonly _inputName: string;
  private readonly _ops = new Map<string, string>();
  private readonly _inputsOf = new Map<string, string>();
  private _shapes: Map<string, (number | null)[]> | null = null;

  constructor(loaded: ILoadedGraphModel) {
    this._model = loaded.model;
    const inputs = loaded.model.inputs;
    const shape = (inputs[0]?.shape ?? []).map(d =>
      d === undefined || d < 0 ? null : d
    );
    if (inputs.length !== 1 || shape.length !== 4 || shape[3] === null) {
      throw new NotAnImageModelError(shape);
    }
    this._inputName = inputs[0].name;
    this.inputShape = [null, shape[1], shape[2], shape[3] as number];
    const names: string[] = [];
    for (const node of loaded.nodes) {
      this._ops.set(node.name, node.op);
      const first = node.input?.find(i => !i.startsWith('^'));
      if (first) {
        this._inputsOf.set(node.name, first.split(':')[0]);
      }
      if (!NOT_LAYERS.has(node.op)) {
        names.push(node.name);
      }
    }
    this.layerNames = names;
    const output = loaded.model.outputs[0]?.name.split(':')[0] ?? '';
    this.logitsLayer = {
      layer:
        this._ops.get(output) === 'Softmax'
          ? (this._inputsOf.get(output) ?? output)
          : output
    };
  }

  /** The input of a ReLU node: the same unit before it (Lucid's pre_relu). */
  optimizable(layer: string): IActivationRef {
    const op = this._ops.get(layer);
    const input = this._inputsOf.get(layer);
    return (op === 'Relu' || op === 'Relu6') && input && this._isLayer(input)
      ? { layer: input }
      : { layer };
  }

  outputShape(layerOrRef: LayerOrRef): readonly (number | null)[] {
    const ref = toRef(layerOrRef);
    if (ref.layer === INPUT || ref.layer === this._inputName) {
      return refShape(this.inputShape, ref);
    }
    return refShape(this._shapeOf(ref.layer), ref);
  }

  forward(
    input: tf.Tensor4D,
    refs: readonly IActivationRef[],
    options: IForwardOptions = {}
  ): tf.Tensor[] {
    checkInput(input, this.inputShape);
    if (options.feed?.size) {
      throw new FeatureVizError(
        'Gradients with respect to a layer (Grad-CAM) are not available for graph models yet: convert the model to a Layers model (featureviz.convert), or use another method.'
      );
    }
    const isInput = (ref: IActivationRef): boolean =>
      ref.layer === INPUT || ref.layer === this._inputName;
    const nodes = [
      ...new Set(refs.filter(ref => !isInput(ref)).map(ref => ref.layer))
    ];
    for (const node of nodes) {
      if (!this._isLayer(node)) {
        throw new UnknownLayerError(node, this.layerNames);
      }
    }
    const computed = new Map<string, tf.Tensor>();
    if (nodes.length) {
      const result = this._model.execute({ [this._inputName]: input }, nodes);
      const tensors = Array.isArray(result) ? result : [result];
      nodes.forEach((node, i) => computed.set(node, tensors[i]));
    }
    return refs.map(ref =>
      pickSelection(
        isInput(ref) ? input : (computed.get(ref.layer) as tf.Tensor),
        ref
      )
    );
  }

  /** Nothing to free: the model belongs to the model cache. */
  /** Graph nodes carry no layer geometry here: unknown. */
  receptiveField(): null {
    return null;
  }

  dispose(): void {
    this._shapes = null;
  }

  private _isLayer(name: string): boolean {
    const op = this._ops.get(name);
    return op !== undefined && !NOT_LAYERS.has(op);
  }

  /**
   * A graph states no shapes for its nodes: they are measured once, on a
   * blank image, and the batch is left free.
   */
  private _shapeOf(name: string): (number | null)[] {
    if (!this._isLayer(name)) {
      throw new UnknownLayerError(name, this.layerNames);
    }
    if (!this._shapes) {
      const [, h, w, c] = this.inputShape;
      const shapes = new Map<string, (number | null)[]>();
      tf.tidy(() => {
        const blank = tf.zeros([1, h ?? FREE_SIZE, w ?? FREE_SIZE, c]);
        const result = this._model.execute(
          { [this._inputName]: blank },
          this.layerNames as string[]
        );
        const tensors = Array.isArray(result) ? result : [result];
        this.layerNames.forEach((n, i) =>
          shapes.set(n, [null, ...tensors[i].shape.slice(1)])
        );
      });
      this._shapes = shapes;
    }
    return this._shapes.get(name) as (number | null)[];
  }
}
