/**
 * The job table (docs/architecture.md, "Jobs"): which function runs each kind
 * of job. A runner lives in the module of its concept (gradient ascent in
 * optvis/, dataset passes in dataset/); the core acquires the model, times
 * the run, handles fallback and failure, and sends `done` with the summary's
 * common part added. A new kind is one entry of IJobKinds (protocol.ts) and
 * one entry here.
 */
import type { IModelHandle } from './model-cache';
import type { BackendName } from './capabilities';
import type {
  IJobKinds,
  JobEvent,
  JobKind,
  JobRequestOf,
  JobResultOf
} from './protocol';
import type { DatasetStore } from '../dataset/store';
import type { ISharePool } from './pool/share-protocol';
import { runTopExamplesJob } from '../dataset/top-examples';
import { runAscentJob, runAtlasJob } from '../optvis/jobs';
import {
  runFiltersJob,
  runOcclusionJob,
  runSaliencyJob
} from '../attribution/jobs';
import { runPcaJob } from '../projection/job';

/** The events a runner sends while it runs; the core sends the others. */
export type RunnerEvent = Extract<
  JobEvent,
  { type: 'running' | 'frame' | 'progress' }
>;

/** What a runner is given. */
export interface IJobContext {
  readonly backend: BackendName;
  /** The request's model, loaded and held for the run. */
  readonly model: IModelHandle;
  /** Aborted on Cancel: the runner stops within a step or batch. */
  readonly signal: AbortSignal;
  /** Sends `running` first, then frames or progress. */
  readonly emit: (event: RunnerEvent) => void;
  /** The engine's datasets (loaded once, kept). */
  readonly datasets: DatasetStore;
  /**
   * The engine's pool of workers, where batched work may split
   * (docs/architecture.md, "Memory and speed"); absent: run here alone.
   */
  readonly pool?: ISharePool;
}

/** What a runner returns: its part of the summary, and its result. */
export interface IJobOutcome<K extends JobKind> {
  readonly summary: IJobKinds[K]['summary'];
  readonly result: JobResultOf<K>;
}

export type JobRunner<K extends JobKind> = (
  request: JobRequestOf<K>,
  context: IJobContext
) => Promise<IJobOutcome<K>>;

export const JOBS: { readonly [K in JobKind]: JobRunner<K> } = {
  'gradient-ascent': runAscentJob,
  'layer-atlas': runAtlasJob,
  'top-examples': runTopExamplesJob,
  occlusion: runOcclusionJob,
  saliency: runSaliencyJob,
  filters: runFiltersJob,
  pca: runPcaJob
};

/** Runs a request with the runner of its kind. */
export function runJob<K extends JobKind>(
  request: JobRequestOf<K>,
  context: IJobContext
): Promise<IJobOutcome<K>> {
  // JOBS[request.kind] is the runner of this very kind; TypeScript cannot
  // correlate the two through the union, hence the cast.
  const runner = JOBS[request.kind] as unknown as JobRunner<K>;
  return runner(request, context);
}
