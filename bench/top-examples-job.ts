/**
 * What the top-examples benchmarks share (bench/top-examples-bench.ts and
 * bench/pool-bench.ts): their workload, and running one top-examples job in
 * an engine core to its summary.
 */
import type { EngineCore } from '../src/engine/runtime/core';
import type { JobRequest, JobSummaryOf } from '../src/engine/runtime/protocol';
import type { UnitTarget } from '../src/spec/types.generated';

export interface ITopExamplesWorkload {
  readonly model: string;
  readonly data: string;
  readonly target: UnitTarget;
  readonly k: number;
  readonly repetitions: number;
}

/** Runs `request` in `core`; resolves with its summary, rejects on failure. */
export function topExamplesJob(
  core: EngineCore,
  request: JobRequest
): Promise<JobSummaryOf<'top-examples'>> {
  return new Promise((resolve, reject) => {
    core.submit(request, event => {
      if (event.type === 'done') {
        resolve(event.summary as JobSummaryOf<'top-examples'>);
      } else if (event.type === 'failed') {
        reject(new Error(event.error.message));
      }
    });
  });
}
