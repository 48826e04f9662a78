/**
 * Generated from featureviz.v1.schema.json by scripts/generate-spec-types.mjs.
 * Do not edit: change the schema and run `jlpm build:spec-types`.
 */

/**
 * A featureviz output: which view to draw, of which model, for which target, with which settings. Python builds it; the front end validates it, runs it in the engine and renders it. Version 1 of the spec; its MIME type is application/vnd.featureviz.v1+json.
 */
export type FeatureVizSpec =
  | GradientAscentSpec
  | LayerAtlasSpec
  | TopExamplesSpec
  | PcaSpec
  | OcclusionSpec
  | SaliencySpec
  | FiltersSpec;
/**
 * The spec's major version. A front end refuses a version it does not know.
 */
export type SpecVersion = 1;
/**
 * A caption shown above the output, as plain text.
 */
export type Title = string;
/**
 * The model to run: a bundled model by name, or a tfjs model.json by URL or by a path relative to the notebook's folder on the Jupyter server.
 */
export type ModelRef = BuiltinModelRef | UrlModelRef;
/**
 * What gradient ascent maximizes: a tree of Lucid-style objectives that can be summed and scaled.
 */
export type Objective =
  | ChannelObjective
  | NeuronObjective
  | LayerObjective
  | LogitObjective
  | DirectionObjective
  | DiversityObjective
  | L1Objective
  | L2Objective
  | TotalVariationObjective
  | BlurInputEachStepObjective
  | SumObjective
  | ScaleObjective;
/**
 * A layer (Layers models) or node (graph models) name, as the model's own summary lists it.
 */
export type LayerName = string;
export type ChannelIndex = number;
/**
 * How a channel becomes one number: 'mean' over all positions (Lucid's channel), 'centre' (the neuron at the centre, before its ReLU), or 'auto': what the optimization's preset says (the small preset takes the centre neuron where a unit sees at most half the image's side, the mean elsewhere).
 */
export type Reduce = 'auto' | 'mean' | 'centre';
/**
 * Apply the objective to this image of the batch only; all images when omitted.
 */
export type BatchIndex = number;
/**
 * A named recipe (see Presets): 'small' for inputs under 64 pixels or grayscale, 'lucid' (Lucid's defaults) for larger colour images, 'plain' gradient ascent on raw pixels; 'auto' picks 'lucid' for colour inputs of 64 pixels and more, 'small' otherwise.
 */
export type PresetName = 'auto' | 'small' | 'lucid' | 'plain';
/**
 * The image the optimization starts from: 'noise' (Lucid's small random values: mid-grey), 'dataset-mean' (the mean image of the model's training data, from its model.json), 'blob' (a centred soft blob), a colour, or an image; 'auto': dark for a unit shown zoomed on its receptive field, otherwise the dataset mean when the model has one and a centred blob when not (the small preset), or noise (the others).
 */
export type InitImage =
  'auto' | 'noise' | 'dataset-mean' | 'blob' | ColorInit | ImageInit;
/**
 * A named list of transforms: Lucid's standard_transforms, one sized for tiny inputs such as 28x28, or none.
 */
export type TransformPreset = 'standard' | 'small' | 'none';
/**
 * A random, differentiable change to the image before each step, which makes the result robust (Lucid's transforms).
 */
export type Transform =
  PadTransform | JitterTransform | RandomScaleTransform | RandomRotateTransform;
/**
 * How a channel becomes one number: 'mean' over all positions (Lucid's channel), 'centre' (the neuron at the centre, before its ReLU), or 'auto': what the optimization's preset says (the small preset takes the centre neuron where a unit sees at most half the image's side, the mean elsewhere).
 */
export type Reduce1 = 'auto' | 'mean' | 'centre';
/**
 * A dataset: a bundled one by name, a file or folder on the Jupyter server, or arrays sent from the kernel over a comm.
 */
export type DataRef = BuiltinDataRef | PathDataRef | CommDataRef;

/**
 * An animation of the input that maximizes an objective.
 */
export interface GradientAscentSpec {
  version: SpecVersion;
  view: 'gradient-ascent';
  title?: Title;
  model: ModelRef;
  objective: Objective;
  optimization?: Optimization;
  display?: Display;
}
/**
 * A model that ships with the extension.
 */
export interface BuiltinModelRef {
  builtin: 'mnist-cnn';
}
/**
 * A tfjs model.json to load.
 */
export interface UrlModelRef {
  /**
   * A model.json path relative to the notebook, a server path starting with '/', or an absolute http(s) URL (allowed origins only).
   */
  url: string;
  /**
   * The tfjs format of the model.json; read from the file when omitted.
   */
  format?: 'layers' | 'graph';
}
/**
 * One channel of a layer: its mean over all positions, or its centre neuron (see reduce).
 */
export interface ChannelObjective {
  type: 'channel';
  layer: LayerName;
  channel: ChannelIndex;
  reduce?: Reduce;
  batch?: BatchIndex;
}
/**
 * One channel at one spatial position (the centre when x and y are omitted).
 */
export interface NeuronObjective {
  type: 'neuron';
  layer: LayerName;
  channel: ChannelIndex;
  x?: number;
  y?: number;
  batch?: BatchIndex;
}
/**
 * The mean of the squared activations of a whole layer (DeepDream).
 */
export interface LayerObjective {
  type: 'layer';
  layer: LayerName;
  batch?: BatchIndex;
}
/**
 * A class score before softmax. The layer defaults to the model's output; when that ends in softmax, its input is used.
 */
export interface LogitObjective {
  type: 'logit';
  index: ChannelIndex;
  layer?: LayerName;
  batch?: BatchIndex;
}
/**
 * The dot product of a layer's activation vector with a direction, averaged over positions (or at x, y).
 */
export interface DirectionObjective {
  type: 'direction';
  layer: LayerName;
  /**
   * @minItems 1
   * @maxItems 65536
   */
  vector: [number, ...number[]];
  x?: number;
  y?: number;
  batch?: BatchIndex;
}
/**
 * Lucid's diversity term: minus the mean cosine similarity of the Gram matrices of a layer across the batch. Add it, scaled, to another objective.
 */
export interface DiversityObjective {
  type: 'diversity';
  layer: LayerName;
}
/**
 * The sum of absolute differences between a layer (the input by default) and a constant. Subtract it to regularize.
 */
export interface L1Objective {
  type: 'l1';
  layer?: LayerName;
  constant?: number;
  batch?: BatchIndex;
}
/**
 * The Euclidean distance between a layer (the input by default) and a constant. Subtract it to regularize.
 */
export interface L2Objective {
  type: 'l2';
  layer?: LayerName;
  constant?: number;
  epsilon?: number;
  batch?: BatchIndex;
}
/**
 * The total variation of a layer (the input by default). Subtract it to favour smooth images.
 */
export interface TotalVariationObjective {
  type: 'total-variation';
  layer?: LayerName;
  batch?: BatchIndex;
}
/**
 * Lucid's blur_input_each_step: pulls the image towards a 3x3 blur of itself at each step.
 */
export interface BlurInputEachStepObjective {
  type: 'blur-input-each-step';
}
/**
 * The sum of several objectives.
 */
export interface SumObjective {
  type: 'sum';
  /**
   * @minItems 1
   * @maxItems 4096
   */
  terms: [Objective, ...Objective[]];
}
/**
 * An objective multiplied by a constant (negative to minimize it).
 */
export interface ScaleObjective {
  type: 'scale';
  factor: number;
  term: Objective;
}
/**
 * How the image is parameterized and optimized. A field left out takes the preset's value (see Presets), or its own default.
 */
export interface Optimization {
  preset?: PresetName;
  /**
   * The image's free variables: raw pixels, or a Fourier spectrum scaled by 1/f. The preset's when omitted.
   */
  param?: 'pixel' | 'fourier';
  /**
   * Optimize in a decorrelated colour space (3-channel inputs only). The preset's when omitted.
   */
  decorrelate?: boolean;
  init?: InitImage;
  regularizers?: Regularizers;
  /**
   * The image's height and width; the model's input size when omitted.
   *
   * @minItems 2
   * @maxItems 2
   */
  size?: [number, number];
  /**
   * How many images are optimized together.
   */
  batch?: number;
  /**
   * Random changes before each step that make the result robust: a preset or a list. The optimization preset's when omitted; none when the result is zoomed on a receptive field (a transform would move the unit's view).
   */
  transforms?: TransformPreset | Transform[];
  optimizer?: Optimizer;
  /**
   * How many optimization steps to run. The preset's when omitted.
   */
  steps?: number;
  /**
   * Seeds the initial image and the transforms' random draws: the same seed gives the same result.
   */
  seed?: number;
  /**
   * 'auto' shows a result zoomed on its receptive field when every unit the objective reads sits at one position whose receptive field is at most half the image's side; 'none' always shows the whole image.
   */
  crop?: 'auto' | 'none';
  /**
   * Keep a frame of the animation every this many steps.
   */
  frameEvery?: number;
}
/**
 * Start from a flat colour: one value for every channel, or one per channel, in [0, 1].
 */
export interface ColorInit {
  /**
   * @minItems 1
   * @maxItems 4
   */
  color:
    | [number]
    | [number, number]
    | [number, number, number]
    | [number, number, number, number];
}
/**
 * Start from an image: height × width × channels values in [0, 1], row by row, channels last.
 */
export interface ImageInit {
  /**
   * @minItems 3
   * @maxItems 3
   */
  shape: [number, number, number];
  /**
   * @minItems 1
   * @maxItems 786432
   */
  values: [number, ...number[]];
}
/**
 * Penalties on the image, each weighted relative to the objective: a weight multiplies the mean size of the objective's pixel gradient at the start image (over the pixels it reaches), so that one weight suits a logit, a neuron and a channel mean alike.
 */
export interface Regularizers {
  /**
   * Pulls pixels towards black: sparse strokes.
   */
  l1?: number;
  /**
   * The image's Euclidean norm.
   */
  l2?: number;
  /**
   * Favours smooth images.
   */
  totalVariation?: number;
  /**
   * Pulls the image towards a 3x3 blur of itself at each step.
   */
  blur?: number;
}
export interface PadTransform {
  type: 'pad';
  pixels: number;
  mode?: 'constant' | 'reflect';
  value?: number;
}
export interface JitterTransform {
  type: 'jitter';
  pixels: number;
}
export interface RandomScaleTransform {
  type: 'random-scale';
  /**
   * @minItems 1
   * @maxItems 64
   */
  scales: [number, ...number[]];
}
export interface RandomRotateTransform {
  type: 'random-rotate';
  /**
   * @minItems 1
   * @maxItems 361
   */
  degrees: [number, ...number[]];
}
/**
 * The optimizer and its learning rate; the preset's for what is omitted.
 */
export interface Optimizer {
  type?: 'adam' | 'sgd';
  /**
   * The learning rate; the preset's when omitted (Lucid uses 0.05).
   */
  lr?: number;
}
/**
 * How the result is shown and saved.
 */
export interface Display {
  /**
   * Draw each image pixel as this many screen pixels (pixelated); chosen from the image size when omitted.
   */
  scale?: number;
  /**
   * Save the animation's frames in the notebook (larger files).
   */
  keepFrames?: boolean;
}
/**
 * A grid of the channel visualizations of one layer, computed in one batched run.
 */
export interface LayerAtlasSpec {
  version: SpecVersion;
  view: 'layer-atlas';
  title?: Title;
  model: ModelRef;
  layer: LayerName;
  /**
   * The channels to show; all of the layer's when omitted.
   *
   * @minItems 1
   * @maxItems 4096
   */
  channels?: [ChannelIndex, ...ChannelIndex[]];
  reduce?: Reduce1;
  optimization?: Optimization;
  display?: Display;
}
/**
 * The dataset examples that most (and least) excite a unit.
 */
export interface TopExamplesSpec {
  version: SpecVersion;
  view: 'top-examples';
  title?: Title;
  model: ModelRef;
  target: Target;
  data: DataRef;
  k?: number;
  /**
   * Also show the k least exciting examples.
   */
  least?: boolean;
  /**
   * Show the receptive-field patch around the strongest position instead of the whole example.
   */
  patches?: boolean;
  display?: Display;
}
/**
 * A unit of a layer: a channel (averaged over positions) or a neuron, or a class logit.
 */
export interface Target {
  layer: LayerName;
  unit: ChannelIndex;
  x?: number;
  y?: number;
}
/**
 * A dataset that ships with the extension.
 */
export interface BuiltinDataRef {
  builtin: 'mnist';
  /**
   * Which part of a bundled dataset: the held-out test digits, the training digits, or all.
   */
  split?: 'test' | 'train' | 'all';
  /**
   * Use at most this many examples.
   */
  limit?: number;
  /**
   * One example, for views that explain a single input (occlusion, saliency).
   */
  index?: number;
}
/**
 * A .npy file or a folder of images, relative to the notebook's folder on the Jupyter server.
 */
export interface PathDataRef {
  path: string;
  /**
   * Use at most this many examples.
   */
  limit?: number;
  /**
   * One example, for views that explain a single input (occlusion, saliency).
   */
  index?: number;
}
/**
 * Arrays the kernel sends over the featureviz comm, by id.
 */
export interface CommDataRef {
  comm: string;
  /**
   * Use at most this many examples.
   */
  limit?: number;
  /**
   * One example, for views that explain a single input (occlusion, saliency).
   */
  index?: number;
}
/**
 * A scatter plot of a layer's representation of a dataset on its first principal components, coloured by label.
 */
export interface PcaSpec {
  version: SpecVersion;
  view: 'pca';
  title?: Title;
  model: ModelRef;
  layer: LayerName;
  data: DataRef;
  /**
   * @minItems 2
   * @maxItems 3
   */
  components?: [number, number] | [number, number, number];
  display?: Display;
}
/**
 * How much a unit's activation drops when each patch of an input is covered.
 */
export interface OcclusionSpec {
  version: SpecVersion;
  view: 'occlusion';
  title?: Title;
  model: ModelRef;
  target: Target;
  data: DataRef;
  window?: number;
  stride?: number;
  fill?: number;
  display?: Display;
}
/**
 * The gradient of a unit with respect to an input, and its refinements.
 */
export interface SaliencySpec {
  version: SpecVersion;
  view: 'saliency';
  title?: Title;
  model: ModelRef;
  target: Target;
  data: DataRef;
  method?: 'vanilla' | 'smoothgrad' | 'integrated-gradients' | 'grad-cam';
  samples?: number;
  display?: Display;
}
/**
 * The weights of a convolution layer's filters drawn as images.
 */
export interface FiltersSpec {
  version: SpecVersion;
  view: 'filters';
  title?: Title;
  model: ModelRef;
  layer: LayerName;
  display?: Display;
}
