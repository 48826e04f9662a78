/**
 * Test support: a job submitted to an engine core, its events collected
 * until it ends, the summary and result of one that is done (the pool's
 * tests compare a pooled core's jobs with the single worker's), and a job
 * cancelled mid-way that must leave the pool idle and no tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import type { EngineCore } from '../runtime/core';
import type {
  JobEvent,
  JobKind,
  JobRequest,
  JobResultOf,
  JobSummaryOf
} from '../runtime/protocol';

export interface IJobRun {
  readonly events: JobEvent[];
  readonly end: JobEvent;
}

/** Runs `request` on `core` to its end; `onEvent` sees each event and id. */
export function runJob(
  core: EngineCore,
  request: JobRequest,
  onEvent: (event: JobEvent, id: string) => void = () => undefined
): Promise<IJobRun> {
  return new Promise(resolve => {
    const events: JobEvent[] = [];
    let id = '';
    id = core.submit(request, event => {
      events.push(event);
      onEvent(event, id);
      if (['done', 'failed', 'cancelled'].includes(event.type)) {
        resolve({ events, end: event });
      }
    });
  });
}

/** The summary and result of a job of kind K that is done (else throws). */
export function doneJob<K extends JobKind>(
  outcome: IJobRun
): { summary: JobSummaryOf<K>; result: JobResultOf<K> } {
  if (outcome.end.type !== 'done') {
    throw new Error(`the job ended ${JSON.stringify(outcome.end)}`);
  }
  // The caller names the kind it submitted; the union cannot narrow to K.
  return {
    summary: outcome.end.summary as unknown as JobSummaryOf<K>,
    result: outcome.end.result as unknown as JobResultOf<K>
  };
}

/**
 * Cancels `request` on `core` once it has done some work, and checks that
 * it ends cancelled with no share running in any pool worker and every
 * worker's and the core's tensors back to what they were.
 */
export async function expectCleanCancel(
  core: EngineCore,
  request: JobRequest
): Promise<void> {
  const before = (await core.pool?.states()) ?? [];
  const coreTensors = tf.memory().numTensors;
  const outcome = await runJob(core, request, (event, id) => {
    // Once some work is done: a pass's progress, an animation's frame.
    if (
      (event.type === 'progress' && event.done > 0) ||
      (event.type === 'frame' && event.frame.step > 0)
    ) {
      core.cancel(id);
    }
  });
  expect(outcome.end.type).toBe('cancelled');
  const after = (await core.pool?.states()) ?? [];
  expect(after.map(s => s.running)).toEqual(after.map(() => 0));
  expect(after.map(s => s.numTensors)).toEqual(before.map(s => s.numTensors));
  expect(tf.memory().numTensors).toBe(coreTensors);
}
