/**
 * What the top-examples benchmarks share (bench/top-examples-bench.ts and
 * bench/pool-bench.ts): their workload, running one top-examples job in an
 * engine core to its summary, and timing the workload's repetitions.
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

/**
 * Runs the workload once to load the model and digits (kept for the page's
 * life), then `repetitions` times, timed; resolves with the first summary
 * and the examples/s of each timed run.
 */
export async function timedTopExamples(
  core: EngineCore,
  work: ITopExamplesWorkload,
  url: (relative: string) => string
): Promise<{ first: JobSummaryOf<'top-examples'>; rates: number[] }> {
  const request: JobRequest = {
    kind: 'top-examples',
    model: { url: url(work.model) },
    target: work.target,
    data: { source: 'bundled', url: url(work.data) },
    k: work.k
  };
  const first = await topExamplesJob(core, request);
  const rates: number[] = [];
  for (let rep = 0; rep < work.repetitions; rep++) {
    const start = performance.now();
    const summary = await topExamplesJob(core, request);
    rates.push(summary.count / ((performance.now() - start) / 1000));
  }
  return { first, rates };
}
