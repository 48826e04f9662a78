/**
 * What each kind of job sends back to the kernel when it finishes
 * (docs/architecture.md, "The kernel bridge"): its summary and the arrays a
 * notebook continues with (indices and values, say; not the images the view
 * draws). A kind without an entry sends nothing; `.result()` in Python
 * refuses it.
 */
import type {
  IInputImage,
  IOcclusionResult,
  IJobSummary,
  ITopExamplesResult,
  JobKind,
  JobResult
} from '../engine/runtime/protocol';
import type { IKernelResult } from './bridge';
import type { JsonObject } from './comm';
import type { INamedArray } from './wire';

type ResultKind = JobResult['kind'];
type ResultOf<K extends ResultKind> = Extract<JobResult, { kind: K }>;

/** Per kind: the result and summary as the kernel receives them. */
const KERNEL_RESULTS: {
  readonly [K in ResultKind]: (
    result: ResultOf<K>,
    summary: IJobSummary
  ) => IKernelResult;
} = {
  'top-examples': (result, summary) => ({
    kind: 'top-examples',
    summary: summaryJson(summary),
    arrays: [
      ...ranked('', result.top),
      ...(result.bottom ? ranked('bottom_', result.bottom) : [])
    ]
  }),
  occlusion: (result, summary) => ({
    kind: 'occlusion',
    summary: summaryJson(summary),
    arrays: [
      inputArray(result.input),
      { name: 'values', shape: gridShape(result), data: result.values },
      { name: 'change', shape: gridShape(result), data: result.change },
      {
        name: 'map',
        shape: [result.input.height, result.input.width],
        data: result.map
      },
      ...(result.predictions
        ? [
            {
              name: 'predictions',
              shape: gridShape(result),
              data: result.predictions
            }
          ]
        : [])
    ]
  }),
  saliency: (result, summary) => ({
    kind: 'saliency',
    summary: summaryJson(summary),
    arrays: [
      inputArray(result.input),
      ...result.maps.map(m => ({
        name: m.method,
        shape:
          m.attribution.length === result.input.height * result.input.width
            ? [result.input.height, result.input.width]
            : [result.input.height, result.input.width, result.input.channels],
        data: m.attribution
      }))
    ]
  }),
  pca: (result, summary) => ({
    kind: 'pca',
    summary: summaryJson(summary),
    arrays: [
      {
        name: 'coordinates',
        shape: [result.count, result.components],
        data: result.coordinates
      },
      {
        name: 'explained_variance',
        shape: [result.components],
        data: result.explainedVariance
      },
      {
        name: 'explained_variance_ratio',
        shape: [result.components],
        data: result.explainedVarianceRatio
      },
      {
        name: 'indices',
        shape: [result.count],
        data: Int32Array.from(
          { length: result.count },
          (_, i) => result.first + i
        )
      },
      { name: 'labels', shape: [result.count], data: result.labels },
      {
        name: 'selection',
        shape: [result.selection.length],
        data: result.selection
      }
    ]
  }),
  filters: (result, summary) => ({
    kind: 'filters',
    summary: summaryJson(summary),
    arrays: [
      { name: 'weights', shape: [...result.kernelShape], data: result.weights }
    ]
  })
};

/** One end of a ranking: what a notebook continues with (not the images). */
function ranked(
  prefix: string,
  examples: ITopExamplesResult['top']
): INamedArray[] {
  const n = examples.indices.length;
  return [
    { name: `${prefix}indices`, shape: [n], data: examples.indices },
    { name: `${prefix}values`, shape: [n], data: examples.values },
    { name: `${prefix}labels`, shape: [n], data: examples.labels },
    { name: `${prefix}predictions`, shape: [n], data: examples.predictions }
  ];
}

/** The input the lenses explained, [height, width, channels]. */
function inputArray(input: IInputImage): INamedArray {
  return {
    name: 'input',
    shape: [input.height, input.width, input.channels],
    data: input.values
  };
}

function gridShape(result: IOcclusionResult): number[] {
  return [result.grid.rows, result.grid.cols];
}

/** What to send the kernel for a finished job; null for kinds that send nothing. */
export function kernelResult(
  kind: JobKind,
  result: JobResult | undefined,
  summary: IJobSummary
): IKernelResult | null {
  // Results are tagged with their kind (a union TypeScript cannot
  // correlate with the table's entries, hence the casts).
  const tagged = result as { readonly kind: string } | undefined;
  if (!tagged || tagged.kind !== kind) {
    return null;
  }
  const make = (KERNEL_RESULTS as Record<string, unknown>)[tagged.kind] as
    ((result: JobResult, summary: IJobSummary) => IKernelResult) | undefined;
  return make ? make(result as JobResult, summary) : null;
}

/** A summary as plain JSON (it already is: summaries are written into notebooks). */
export function summaryJson(summary: IJobSummary): JsonObject {
  return JSON.parse(JSON.stringify(summary)) as JsonObject;
}
