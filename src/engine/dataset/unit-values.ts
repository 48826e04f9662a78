/**
 * Every example's value of one unit over a range of a dataset
 * (docs/architecture.md, "The explorer"): the activation pass with its
 * scores kept, for jobs that colour or bin examples by a unit (the PCA's
 * `colorBy`). The same pass and the same reduction as top examples, so a
 * point's colour is the very value its example is ranked by.
 */
import type { UnitTarget } from '../../spec/types.generated';
import type { IExecutor } from '../model/executor';
import { activationPass, batchSizeFor, resolveUnit } from './activation-pass';
import type { IDataset, IInputFit } from './dataset';

export interface IUnitValues {
  /** One value per example of the range, in order. */
  readonly values: Float32Array;
  /** The unit in words ("channel 5 of conv2d_1 (max over positions)"). */
  readonly unit: string;
}

export interface IUnitValuesOptions {
  readonly executor: IExecutor;
  readonly dataset: IDataset;
  readonly range: readonly [number, number];
  readonly fit: IInputFit;
  readonly target: UnitTarget;
  /** The backend: batches are sized to it for the unit's layer. */
  readonly backend: string;
  readonly signal?: AbortSignal;
  /** After each batch: examples done so far. */
  readonly onBatch?: (done: number) => void;
}

export async function unitValues(
  options: IUnitValuesOptions
): Promise<IUnitValues> {
  const { executor, fit } = options;
  const unit = resolveUnit(executor, options.target);
  const pass = await activationPass({
    ...options,
    batchSize: batchSizeFor(options.backend, executor, unit.layer, fit),
    unit,
    k: 1,
    bottom: false,
    keepScores: true
  });
  return { values: pass.scores ?? new Float32Array(0), unit: unit.description };
}
