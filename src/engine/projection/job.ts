/**
 * The PCA job (docs/architecture.md, "PCA"): a layer's representation of a
 * dataset projected on its leading principal components by the streaming
 * solver (`pca.ts`), with each example's label and the pixels the view shows
 * as thumbnails. The job table runs it.
 */
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import { FeatureVizError } from '../errors';
import type { IJobContext, IJobOutcome } from '../runtime/jobs';
import { ProgressClock } from '../runtime/progress';
import type { JobRequestOf } from '../runtime/protocol';
import { batchSizeFor, resolveUnit } from '../dataset/activation-pass';
import { unitValues } from '../dataset/unit-values';
import type { UnitTarget } from '../../spec/types.generated';
import { exampleBytes, fitTo, type IDataset } from '../dataset/dataset';
import type { DataRequest } from '../dataset/store';
import { type PcaSolver, passesOf, solverFor, streamingPca } from './pca';
import { layerWidth } from './passes';
import { pooledPasses } from './pca-shares';

/**
 * At most this many examples a PCA batch: a Gram pass holds X and Xᵀ (b×d
 * each) at once, and the WASM heap keeps its high-water mark. At conv2d
 * (21,632 values) 128 rather than 256 takes each worker's heap from 71 to
 * 44 MB at the same speed (bench/pca.mjs, one worker: 6.4 s against 6.3–6.7 s).
 */
export const PCA_MAX_BATCH = 128;

/** What a PCA job asks for. */
export interface IPcaRequest {
  readonly layer: string;
  readonly data: DataRequest;
  /** How many components (the spec's default when omitted). */
  readonly components?: number;
  readonly seed?: number;
  /** 'auto' when omitted: exact for narrow layers, randomized for wide. */
  readonly solver?: PcaSolver | 'auto';
  /** Colour the examples by this unit's value (issue 16). */
  readonly colorBy?: UnitTarget;
}

/** The kind-specific part of a PCA job's summary (plain JSON). */
export interface IPcaSummary {
  /** Examples projected. */
  readonly count: number;
  /** Files that could not be read (folders of images). */
  readonly skipped: number;
  readonly layer: string;
  /** Values per example at the layer. */
  readonly width: number;
  readonly components: number;
  readonly solver: PcaSolver;
  readonly passes: number;
  readonly explainedVariance: readonly number[];
  readonly explainedVarianceRatio: readonly number[];
  readonly labelNames: readonly string[] | null;
  readonly batchSize: number;
  /**
   * The dataset indices the user selected in the scatter (empty after a
   * run; the view updates it, so a saved notebook keeps it).
   */
  readonly selection: readonly number[];
  /** The unit the points are coloured by, in words (with `colorBy`). */
  readonly colorBy?: string;
}

export interface IPcaResult {
  readonly kind: 'pca';
  readonly layer: string;
  readonly count: number;
  readonly components: number;
  /** count × components, row-major. */
  readonly coordinates: Float32Array;
  /** One per example; −1 where the dataset has no labels. */
  readonly labels: Int32Array;
  readonly labelNames: readonly string[] | null;
  readonly explainedVariance: Float32Array;
  readonly explainedVarianceRatio: Float32Array;
  /** The dataset index of the first example (examples follow in order). */
  readonly first: number;
  /** [height, width, channels] of one thumbnail. */
  readonly imageShape: readonly [number, number, number];
  /**
   * The examples' pixels as bytes (count × h × w × c), for thumbnails on
   * hover and the selection's grid; empty above THUMBNAIL_BYTES.
   */
  readonly images: Uint8Array;
  /** The selected dataset indices (empty after a run; the view updates it). */
  readonly selection: Int32Array;
  /** With `colorBy`: each example's value of that unit, in order. */
  readonly unitValues?: Float32Array;
  /** With `colorBy`: the unit in words. */
  readonly colorBy?: string;
}

/** The most thumbnail bytes a result carries to the page (a million digits: 784 MB would not). */
export const THUMBNAIL_BYTES = 64e6;

export async function runPcaJob(
  request: JobRequestOf<'pca'>,
  context: IJobContext
): Promise<IJobOutcome<'pca'>> {
  const { executor, loaded } = context.model;
  const defaults = SPEC_DEFAULTS.PcaSpec;
  const components = request.components ?? defaults.components;
  const width = layerWidth(executor, request.layer);
  context.emit({ type: 'running', backend: context.backend });
  const [, h, w, c] = executor.inputShape;
  const { dataset, range } = await context.datasets.load(
    request.data,
    [h ?? 0, w ?? 0, c],
    context.signal
  );
  if (h === null || w === null) {
    throw new FeatureVizError(
      'The model accepts any image size; PCA needs a model with a fixed input size.'
    );
  }
  const fit = fitTo(dataset, executor.inputShape, loaded.metadata.inputRange);
  const count = range[1] - range[0];
  const batchSize = Math.min(
    PCA_MAX_BATCH,
    batchSizeFor(context.backend, executor, request.layer, fit)
  );
  const options = {
    components,
    seed: request.seed ?? defaults.seed,
    solver: request.solver
  };
  const passes = passesOf(solverFor(options, width));
  // A unit to colour by is checked before the long passes; its pass is one more.
  const colorBy = request.colorBy;
  if (colorBy) {
    resolveUnit(executor, colorBy);
  }
  const clock = new ProgressClock(
    (passes + (colorBy ? 1 : 0)) * count,
    'images'
  );
  let pass = 0;
  const stream = {
    executor,
    dataset,
    range,
    fit,
    layer: request.layer,
    batchSize,
    signal: context.signal,
    onBatch: (done: number) => context.emit(clock.tick(pass * count + done))
  };
  // Each pass splits over the engine's pool where it has more than one worker.
  const outcome = await streamingPca(
    stream,
    width,
    { ...options, onPass: p => (pass = p) },
    pooledPasses(stream, {
      pool: context.pool,
      share: { model: request.model, data: request.data }
    })
  );
  const coloured = colorBy
    ? await unitValues({
        executor,
        dataset,
        range,
        fit,
        target: colorBy,
        backend: context.backend,
        signal: context.signal,
        onBatch: done => context.emit(clock.tick(passes * count + done))
      })
    : null;
  const labels = Int32Array.from(
    { length: count },
    (_, i) => dataset.labels?.[range[0] + i] ?? -1
  );
  return {
    summary: {
      count,
      skipped: dataset.skipped,
      layer: request.layer,
      width,
      components,
      solver: outcome.solver,
      passes: outcome.passes,
      explainedVariance: Array.from(outcome.explainedVariance),
      explainedVarianceRatio: Array.from(outcome.explainedVarianceRatio),
      labelNames: dataset.labelNames ? [...dataset.labelNames] : null,
      batchSize,
      selection: [],
      ...(coloured ? { colorBy: coloured.unit } : {})
    },
    result: {
      kind: 'pca',
      layer: request.layer,
      count,
      components,
      coordinates: outcome.coordinates,
      labels,
      labelNames: dataset.labelNames,
      explainedVariance: Float32Array.from(outcome.explainedVariance),
      explainedVarianceRatio: Float32Array.from(outcome.explainedVarianceRatio),
      first: range[0],
      imageShape: dataset.imageShape,
      images: thumbnails(dataset, range),
      selection: new Int32Array(0),
      ...(coloured
        ? { unitValues: coloured.values, colorBy: coloured.unit }
        : {})
    }
  };
}

/** The range's pixels as bytes; none above THUMBNAIL_BYTES (the view asks the engine for them). */
function thumbnails(
  dataset: IDataset,
  range: readonly [number, number]
): Uint8Array {
  const [h, w, c] = dataset.imageShape;
  const count = range[1] - range[0];
  if (count * h * w * c > THUMBNAIL_BYTES) {
    return new Uint8Array(0);
  }
  return exampleBytes(
    dataset,
    Int32Array.from({ length: count }, (_, i) => range[0] + i)
  );
}
