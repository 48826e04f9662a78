/**
 * What the attribution jobs take, report and return (docs/architecture.md,
 * "Jobs" and "Attribution"): their requests, their summaries (plain JSON,
 * written into the notebook) and their results (typed arrays, transferred to
 * the page and sent to the kernel). Types only: the page imports them.
 */
import type { AttributionMethod, UnitTarget } from '../../spec/types.generated';
import type { ICompleteness } from './gradients';
import type { ExampleRequest, IInputImage } from './input';
import type { IOcclusionGrid } from './occlusion';

export type { AttributionMethod, ExampleRequest, ICompleteness, IInputImage };

/** What both lenses on one input share: the input and the unit. */
interface IOneInputRequest {
  readonly input: ExampleRequest;
  /** The unit to explain; the predicted class's logit when omitted. */
  readonly target?: UnitTarget;
}

export interface IOcclusionRequest extends IOneInputRequest {
  readonly size?: number;
  /** The square's size when omitted. */
  readonly stride?: number;
  readonly fill?: number;
}

export interface ISaliencyRequest extends IOneInputRequest {
  readonly methods?: readonly AttributionMethod[];
  readonly noise?: number;
  readonly samples?: number;
  readonly seed?: number;
  readonly steps?: number;
  readonly baseline?: number;
  /** The last convolution when omitted. */
  readonly camLayer?: string;
}

export interface IFiltersRequest {
  /** The first Conv2D when omitted. */
  readonly layer?: string;
}

/** What a summary of a lens on one input says about its input and unit. */
export interface IUnitSummary {
  /** The input, in words ("mnist test #7"). */
  readonly example: string;
  /** The unit, in words ("logit 8"). */
  readonly unit: string;
  /** The unit's value on the whole input. */
  readonly value: number;
  readonly label: number | null;
  /** The class the model predicts for the whole input. */
  readonly predicted: number | null;
}

export interface IOcclusionSummary extends IUnitSummary {
  readonly size: number;
  readonly stride: number;
  readonly fill: number;
  readonly rows: number;
  readonly cols: number;
  /** The position whose square lowers the unit most, and by how much (%). */
  readonly largestDrop: {
    readonly percent: number;
    readonly row: number;
    readonly col: number;
  } | null;
  /** Positions where covering changes the predicted class (logit units). */
  readonly changedPrediction: number | null;
}

export interface ISaliencySummary extends IUnitSummary {
  readonly methods: readonly {
    readonly method: AttributionMethod;
    readonly completeness?: ICompleteness;
    readonly camLayer?: string;
  }[];
}

export interface IFiltersSummary {
  readonly layer: string;
  readonly kernelShape: readonly number[];
  readonly readsInput: boolean;
}

/** What a lens on one input returns about its input and unit. */
interface IUnitResult {
  readonly input: IInputImage;
  readonly example: string;
  readonly unit: string;
  readonly value: number;
  readonly label: number | null;
  readonly predicted: number | null;
}

export interface IOcclusionResult extends IUnitResult {
  readonly kind: 'occlusion';
  readonly grid: IOcclusionGrid;
  readonly fill: number;
  /** The unit with the square at each position, [rows, cols]. */
  readonly values: Float32Array;
  /** Its percentage change from the unit on the whole input (NaN: base 0). */
  readonly change: Float32Array;
  /** Each pixel's mean drop over the squares covering it, [h, w]. */
  readonly map: Float32Array;
  /** The class predicted at each position, for logit units. */
  readonly predictions: Int32Array | null;
}

/** One method's map of the input. */
export interface ISaliencyMap {
  readonly method: AttributionMethod;
  /** The attribution per input value, [h, w, c] ([h, w] for Grad-CAM). */
  readonly attribution: Float32Array;
  /** The map drawn, [h, w]: the attribution summed over channels. */
  readonly map: Float32Array;
  /** Whether the map has both signs (a diverging colour scale). */
  readonly signed: boolean;
  readonly completeness?: ICompleteness;
  /** Grad-CAM's layer, and its map at that layer's size. */
  readonly camLayer?: string;
  readonly low?: Float32Array;
  readonly lowShape?: readonly [number, number];
}

export interface ISaliencyResult extends IUnitResult {
  readonly kind: 'saliency';
  readonly maps: readonly ISaliencyMap[];
}

export interface IFiltersResult {
  readonly kind: 'filters';
  readonly layer: string;
  readonly kernelShape: readonly [number, number, number, number];
  readonly weights: Float32Array;
  readonly scale: number;
  readonly readsInput: boolean;
}
