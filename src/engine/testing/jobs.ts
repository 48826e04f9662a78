/**
 * Test support: a job submitted to an engine core, its events collected
 * until it ends, and the summary and result of one that is done (the pool's
 * tests compare a pooled core's jobs with the single worker's).
 */
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
