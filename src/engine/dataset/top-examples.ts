/**
 * The top-examples job (docs/architecture.md, "Datasets and top examples"):
 * the dataset examples that most (and least) excite a unit, from one batched
 * activation pass, each with its value, label and the model's prediction,
 * and its receptive-field box and patch. The job table runs it.
 */
import * as tf from '@tensorflow/tfjs';
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import type { UnitTarget } from '../../spec/types.generated';
import { FeatureVizError } from '../errors';
import type { IExecutor } from '../model/executor';
import { toRgba } from '../optvis/render';
import type { IJobContext, IJobOutcome } from '../runtime/jobs';
import { ProgressClock } from '../runtime/progress';
import type { JobRequestOf } from '../runtime/protocol';
import { type PassUnit, batchSizeFor, resolveUnit } from './activation-pass';
import { pooledActivationPass } from './pass-shares';
import {
  type IDataset,
  type IInputFit,
  displayRange,
  fitTo,
  inputBatch
} from './dataset';
import { type IValueHistogram, histogramOf } from './histogram';
import type { DataRequest } from './store';
import { type IUnitField, crop, origin, unitField } from './patches';
import type { IRanked } from './top-k';

/** What a top-examples job asks for. */
export interface ITopExamplesRequest {
  readonly target: UnitTarget;
  readonly data: DataRequest;
  readonly k?: number;
  readonly bottom?: boolean;
  readonly patches?: boolean;
  readonly histogram?: boolean;
}

/** The unit's histogram over the dataset, with where the top k begins. */
export interface IUnitHistogram extends IValueHistogram {
  /** The k-th top example's value: the top-k grid shows values ≥ this. */
  readonly threshold: number | null;
}

/** One end of the ranking as the notebook keeps it (plain JSON). */
export interface IRankedSummary {
  readonly indices: readonly number[];
  readonly values: readonly number[];
  /** null where the dataset has no labels. */
  readonly labels: readonly (number | null)[];
  /** The model's class (arg-max of its logits); null for other models. */
  readonly predictions: readonly (number | null)[];
}

/** The kind-specific part of a top-examples job's summary. */
export interface ITopExamplesSummary {
  /** Examples ranked. */
  readonly count: number;
  /** Files that could not be read (folders of images). */
  readonly skipped: number;
  readonly k: number;
  readonly unit: string;
  readonly labelNames: readonly string[] | null;
  readonly top: IRankedSummary;
  readonly bottom: IRankedSummary | null;
  readonly batchSize: number;
  /** Present when the spec asked for the histogram. */
  readonly histogram?: IUnitHistogram;
}

/** One end of the ranking with what the view draws. */
export interface IRankedExamples {
  readonly indices: Int32Array;
  readonly values: Float32Array;
  /** −1 where the dataset has no labels. */
  readonly labels: Int32Array;
  /** −1 for a model without class logits. */
  readonly predictions: Int32Array;
  /** The examples as the model sees them: width × height × 4 bytes each. */
  readonly rgba: Uint8ClampedArray;
  /**
   * Receptive-field boxes, 4 per example (top, left, bottom, right; input
   * pixels, bottom and right exclusive); empty without patches.
   */
  readonly boxes: Int32Array;
  /** The patches, patchWidth × patchHeight × 4 bytes each; empty without. */
  readonly patches: Uint8ClampedArray;
}

export interface ITopExamplesResult {
  readonly kind: 'top-examples';
  readonly width: number;
  readonly height: number;
  /** 0 without patches. */
  readonly patchWidth: number;
  readonly patchHeight: number;
  readonly labelNames: readonly string[] | null;
  readonly unit: string;
  readonly top: IRankedExamples;
  readonly bottom: IRankedExamples | null;
  /** Present when the spec asked for the histogram. */
  readonly histogram?: IUnitHistogram;
}

export async function runTopExamplesJob(
  request: JobRequestOf<'top-examples'>,
  context: IJobContext
): Promise<IJobOutcome<'top-examples'>> {
  const { executor, loaded } = context.model;
  const defaults = SPEC_DEFAULTS.TopExamplesSpec;
  const k = request.k ?? defaults.k;
  const unit = resolveUnit(executor, request.target);
  context.emit({ type: 'running', backend: context.backend });
  const [, h, w, c] = executor.inputShape;
  const { dataset, range } = await context.datasets.load(
    request.data,
    [h ?? 0, w ?? 0, c],
    context.signal
  );
  if (h === null || w === null) {
    throw new FeatureVizError(
      'The model accepts any image size; top examples need a model with a fixed input size.'
    );
  }
  const fit = fitTo(dataset, executor.inputShape, loaded.metadata.inputRange);
  const count = range[1] - range[0];
  const batchSize = batchSizeFor(context.backend, executor, unit.layer, fit);
  const clock = new ProgressClock(count, 'images');
  // Split over the engine's pool where it has more than one worker.
  const pass = await pooledActivationPass(
    {
      executor,
      dataset,
      range,
      fit,
      unit,
      k: Math.min(k, count),
      bottom: request.bottom ?? defaults.bottom,
      keepScores: request.histogram ?? defaults.histogram,
      batchSize,
      signal: context.signal,
      onBatch: done => context.emit(clock.tick(done))
    },
    {
      pool: context.pool,
      share: {
        kind: 'activation-pass',
        model: request.model,
        data: request.data,
        target: request.target
      }
    }
  );
  const histogram: IUnitHistogram | undefined = pass.scores
    ? {
        ...histogramOf(pass.scores),
        threshold: pass.top.values.at(-1) ?? null
      }
    : undefined;
  const field =
    (request.patches ?? defaults.patches) ? unitField(executor, unit) : null;
  const look = { executor, dataset, fit, unit, field };
  const top = await examples(pass.top, look);
  const bottom = pass.bottom ? await examples(pass.bottom, look) : null;
  const patch = field ? field.size : [0, 0];
  return {
    summary: {
      count,
      skipped: dataset.skipped,
      k,
      unit: unit.description,
      labelNames: dataset.labelNames ? [...dataset.labelNames] : null,
      top: summarize(top),
      bottom: bottom && summarize(bottom),
      batchSize,
      ...(histogram ? { histogram } : {})
    },
    result: {
      kind: 'top-examples',
      width: fit.width,
      height: fit.height,
      patchHeight: patch[0],
      patchWidth: patch[1],
      labelNames: dataset.labelNames,
      unit: unit.description,
      top,
      bottom,
      ...(histogram ? { histogram } : {})
    }
  };
}

interface ILook {
  readonly executor: IExecutor;
  readonly dataset: IDataset;
  readonly fit: IInputFit;
  readonly unit: PassUnit;
  readonly field: IUnitField | null;
}

/** The ranked examples' images, labels, predictions, boxes and patches. */
async function examples(
  ranked: IRanked,
  look: ILook
): Promise<IRankedExamples> {
  const { executor, dataset, fit, unit, field } = look;
  const indices = Array.from(ranked.indices);
  const labels = Int32Array.from(indices, i => dataset.labels?.[i] ?? -1);
  if (indices.length === 0) {
    return {
      ...ranked,
      labels,
      predictions: new Int32Array(0),
      rgba: new Uint8ClampedArray(0),
      boxes: new Int32Array(0),
      patches: new Uint8ClampedArray(0)
    };
  }
  const [low, high] = displayRange(dataset, fit);
  const [shown, classes] = tf.tidy(() => {
    const x = inputBatch(dataset, indices, fit);
    const logits = executor.forward(x, [executor.logitsLayer])[0];
    const predicted =
      logits.rank === 2 && (logits.shape[1] as number) > 1
        ? tf.argMax(logits, 1)
        : tf.fill([indices.length], -1, 'int32');
    const scaled = tf.div(tf.sub(x, low), Math.max(high - low, 1e-12));
    return [scaled as tf.Tensor4D, predicted as tf.Tensor1D];
  });
  let rgba: Uint8ClampedArray;
  let predictions: Int32Array;
  try {
    rgba = await toRgba(shown);
    predictions = Int32Array.from((await classes.data()) as Int32Array);
  } finally {
    shown.dispose();
    classes.dispose();
  }
  if (!field) {
    return {
      ...ranked,
      labels,
      predictions,
      rgba,
      boxes: new Int32Array(0),
      patches: new Uint8ClampedArray(0)
    };
  }
  const boxes = new Int32Array(indices.length * 4);
  const [ph, pw] = field.size;
  const patches = new Uint8ClampedArray(indices.length * ph * pw * 4);
  indices.forEach((_, n) => {
    const position = ranked.positions[n];
    const [y, x] =
      unit.kind === 'flat' || position < 0
        ? [0, 0]
        : [Math.floor(position / unit.width), position % unit.width];
    const [height, width] = field.input;
    const box = field.box(y, x) ?? {
      top: 0,
      left: 0,
      bottom: height - 1,
      right: width - 1
    };
    // Half-open for the views: rows [top, bottom), columns [left, right).
    boxes.set([box.top, box.left, box.bottom + 1, box.right + 1], n * 4);
    crop(rgba, n, fit, origin(field, box), [ph, pw], patches);
  });
  return { ...ranked, labels, predictions, rgba, boxes, patches };
}

function summarize(examples: IRankedExamples): IRankedSummary {
  const orNull = (v: number) => (v < 0 ? null : v);
  return {
    indices: Array.from(examples.indices),
    values: Array.from(examples.values),
    labels: Array.from(examples.labels, orNull),
    predictions: Array.from(examples.predictions, orNull)
  };
}
