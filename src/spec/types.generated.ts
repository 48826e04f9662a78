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
 * The model to run: a bundled model by name, a tfjs model.json by URL or by a path relative to the notebook's folder on the Jupyter server, or a model converted in the kernel.
 */
export type ModelRef = BuiltinModelRef | UrlModelRef | KernelModelRef;
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
 * The unit whose activation ranks examples: a channel of a layer (reduced over positions), a neuron (a channel at one position, or a unit of a flat layer), or a class logit.
 */
export type UnitTarget = ChannelTarget | NeuronTarget | LogitTarget;
/**
 * A dataset: a bundled one by name, an .npy/.npz file or a folder of images on the Jupyter server, or arrays sent from the kernel over the featureviz comm.
 */
export type DataRef = BuiltinDataRef | PathDataRef | KernelDataRef;
/**
 * The unit whose activation ranks examples: a channel of a layer (reduced over positions), a neuron (a channel at one position, or a unit of a flat layer), or a class logit.
 */
export type UnitTarget1 = ChannelTarget | NeuronTarget | LogitTarget;
/**
 * A saliency method: the gradient of the unit with respect to the input (Simonyan et al.); SmoothGrad, its mean over noisy copies of the input (Smilkov et al.); Integrated Gradients, the input minus the baseline times the mean gradient on the straight path between them (Sundararajan et al., Captum's riemann_middle rule); guided backpropagation and deconvnet, the gradient with the ReLUs' backward pass changed (Springenberg et al.; Zeiler & Fergus); Grad-CAM, a convolution layer's channels weighted by their mean gradient, upsampled to the input (Selvaraju et al.).
 */
export type AttributionMethod =
  | 'gradient'
  | 'smoothgrad'
  | 'integrated-gradients'
  | 'guided-backprop'
  | 'deconvnet'
  | 'grad-cam';

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
 * A model converted in the kernel (fv.Model.from_torch, fv.Model.from_keras), sent to the browser over the featureviz comm as binary buffers (its model.json and weights) when an output needs it, and kept by content hash for the page's life.
 */
export interface KernelModelRef {
  /**
   * The SHA-256 of the model.json and weight bytes: the key the kernel holds them under.
   */
  kernel: string;
  /**
   * The size of its weights, checked against the largest-weights setting before anything is sent.
   */
  weightBytes: number;
  /**
   * The model's name, for messages (its class name in the kernel).
   */
  name?: string;
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
 * The dataset examples that most (and least) excite a unit, ranked by one batched pass over the data, each with its value, label and the model's prediction; optionally the input patch that the unit's strongest position sees.
 */
export interface TopExamplesSpec {
  version: SpecVersion;
  view: 'top-examples';
  title?: Title;
  model: ModelRef;
  target: UnitTarget;
  data: DataRef;
  /**
   * How many examples to show at each end.
   */
  k?: number;
  /**
   * Also show the k least exciting examples.
   */
  bottom?: boolean;
  /**
   * Show the receptive-field patch that the unit's strongest position sees, beside its box on the whole example.
   */
  patches?: boolean;
  /**
   * Also show the histogram of the unit's value over every example of the dataset (its range, mean and share of exact zeros), with the top-k threshold marked.
   */
  histogram?: boolean;
  display?: Display;
}
/**
 * A channel of a layer, reduced over positions to one value per example.
 */
export interface ChannelTarget {
  type: 'channel';
  layer: LayerName;
  channel: ChannelIndex;
  /**
   * How positions become one value: the strongest (its position is the patch's centre) or the mean.
   */
  reduce?: 'max' | 'mean';
}
/**
 * One channel at one position of a spatial layer (the centre when x and y are omitted), or one unit of a flat layer (no x, y).
 */
export interface NeuronTarget {
  type: 'neuron';
  layer: LayerName;
  channel: ChannelIndex;
  x?: number;
  y?: number;
}
/**
 * A class score before softmax. The layer defaults to the model's logits (the input of a final softmax).
 */
export interface LogitTarget {
  type: 'logit';
  index: ChannelIndex;
  layer?: LayerName;
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
   * Use at most this many examples (the first ones).
   */
  limit?: number;
  /**
   * One example, for views that explain a single input (occlusion, saliency).
   */
  index?: number;
}
/**
 * Images on the Jupyter server, relative to the notebook's folder: an .npy file, an array of an .npz file, or a folder of PNG/JPEG images (labels from subfolder names).
 */
export interface PathDataRef {
  /**
   * An .npy or .npz file, or a folder (a path ending in '/').
   */
  path: string;
  /**
   * The array of an .npz file that holds the images.
   */
  key?: string;
  /**
   * The labels: the key of an array of the same .npz file, or the path of an .npy file beside an .npy of images.
   */
  labels?: string;
  /**
   * Use at most this many examples (the first ones).
   */
  limit?: number;
  /**
   * One example, for views that explain a single input (occlusion, saliency).
   */
  index?: number;
}
/**
 * NumPy arrays the kernel holds (fv.datasets.from_numpy), sent to the browser over the featureviz comm as binary buffers when an output needs them, and kept by content hash for the page's life.
 */
export interface KernelDataRef {
  /**
   * The SHA-256 of the arrays' bytes, shapes and dtypes: the key the kernel holds them under.
   */
  kernel: string;
  /**
   * The images' shape: N×H×W or N×H×W×C.
   *
   * @minItems 3
   * @maxItems 4
   */
  shape: [number, number, number] | [number, number, number, number];
  /**
   * uint8 pixels (0-255, scaled to the model's input range) or float32 values (given to the model as they are).
   */
  dtype: 'uint8' | 'float32';
  /**
   * Whether labels were sent with the images.
   */
  labels?: boolean;
  /**
   * Use at most this many examples (the first ones).
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
   * How many principal components to compute (the scatter plots the first two); at most the layer's values per example.
   */
  components?: number;
  /**
   * Seeds the randomized solver's test matrix (wide layers): the same seed gives the same projection.
   */
  seed?: number;
  colorBy?: UnitTarget1;
  display?: Display;
}
/**
 * Occlusion (Zeiler & Fergus): a square of the fill value slid over one input (the example data.index, 0 when omitted); for each position, the unit's value with that square covered and its percentage change from the unit's value on the whole input, and each pixel's mean drop over the squares that cover it (Captum's Occlusion). The target is the model's predicted class when omitted.
 */
export interface OcclusionSpec {
  version: SpecVersion;
  view: 'occlusion';
  title?: Title;
  model: ModelRef;
  target?: UnitTarget;
  data: DataRef;
  /**
   * The side of the square, in input pixels.
   */
  size?: number;
  /**
   * How far the square moves between positions, in input pixels; its size when omitted (squares side by side). At most the size, so that every pixel is covered; the last square of a row or column may be cut off by the edge.
   */
  stride?: number;
  /**
   * The value covered pixels take, in the model's input range.
   */
  fill?: number;
  display?: Display;
}
/**
 * Which pixels of one input (the example data.index, 0 when omitted) a unit is sensitive to, by one or several saliency methods shown side by side. The target is the model's predicted class when omitted.
 */
export interface SaliencySpec {
  version: SpecVersion;
  view: 'saliency';
  title?: Title;
  model: ModelRef;
  target?: UnitTarget;
  data: DataRef;
  /**
   * The methods to compute, shown side by side in this order.
   *
   * @minItems 1
   */
  methods?: [AttributionMethod, ...AttributionMethod[]];
  /**
   * SmoothGrad's noise: its standard deviation as a fraction of the input's range (its largest value minus its smallest), as in Smilkov et al.
   */
  noise?: number;
  /**
   * SmoothGrad's number of noisy copies.
   */
  samples?: number;
  /**
   * Seeds SmoothGrad's noise: the same seed gives the same map on every backend.
   */
  seed?: number;
  /**
   * Integrated Gradients' number of steps along the path from the baseline to the input.
   */
  steps?: number;
  /**
   * Integrated Gradients' baseline: an input whose every value is this, in the model's input range (0: black).
   */
  baseline?: number;
  /**
   * A layer (Layers models) or node (graph models) name, as the model's own summary lists it.
   */
  camLayer?: string;
  display?: Display;
}
/**
 * The kernels of a convolution layer (the model's first when layer is omitted) drawn as images: one per filter when the layer reads the model's input (grey or colour), else one per filter and input channel.
 */
export interface FiltersSpec {
  version: SpecVersion;
  view: 'filters';
  title?: Title;
  model: ModelRef;
  layer?: LayerName;
  display?: Display;
}
