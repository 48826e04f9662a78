/**
 * The occlusion job as the job table runs it (docs/architecture.md,
 * "Attribution"): the square's positions over one input, run here or split
 * over the engine's pool (`occlusion-shares.ts`), with `progress` in
 * positions, the largest drop and how often covering changes the
 * prediction. Defaults are the schema's (SPEC_DEFAULTS).
 */
import type { IJobContext, IJobOutcome } from '../runtime/jobs';
import { ProgressClock } from '../runtime/progress';
import type { JobRequestOf } from '../runtime/protocol';
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import { occlude, occlusionGrid } from './occlusion';
import { pooledOcclusion } from './occlusion-shares';
import { prepare, progressHooks } from './prepare';
import type { IOcclusionSummary } from './types';
import { resolvedTarget } from './unit';

export async function runOcclusionJob(
  request: JobRequestOf<'occlusion'>,
  context: IJobContext
): Promise<IJobOutcome<'occlusion'>> {
  context.emit({ type: 'running', backend: context.backend });
  const defaults = SPEC_DEFAULTS.OcclusionSpec;
  const size = request.size ?? defaults.size;
  const options = {
    size,
    stride: request.stride ?? size,
    fill: request.fill ?? defaults.fill
  };
  const { x, image, unit, about } = await prepare(request, context);
  try {
    const grid = occlusionGrid(image.height, image.width, options);
    const clock = new ProgressClock(grid.rows * grid.cols, 'positions');
    context.emit(clock.tick(0));
    const predict = unit.logit !== null;
    // The positions split over the engine's pool where it has workers.
    const pass = await pooledOcclusion(context.pool, x, {
      model: request.model,
      target: resolvedTarget(request.target, unit),
      fill: options.fill,
      predict
    });
    const maps = await occlude(
      context.model.executor,
      unit,
      x,
      { ...options, predict },
      progressHooks(context, clock),
      pass
    );
    let largest: IOcclusionSummary['largestDrop'] = null;
    maps.change.forEach((percent, i) => {
      if (Number.isFinite(percent) && (!largest || percent < largest.percent)) {
        largest = {
          percent,
          row: Math.floor(i / grid.cols),
          col: i % grid.cols
        };
      }
    });
    const changed = maps.predicted
      ? maps.predicted.filter(c => c !== about.predicted).length
      : null;
    return {
      summary: {
        ...about,
        ...options,
        rows: grid.rows,
        cols: grid.cols,
        largestDrop: largest,
        changedPrediction: changed
      },
      result: {
        kind: 'occlusion',
        input: image,
        ...about,
        grid,
        fill: options.fill,
        values: maps.values,
        change: maps.change,
        map: maps.map,
        predictions: maps.predicted
      }
    };
  } finally {
    x.dispose();
  }
}
