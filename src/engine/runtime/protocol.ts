/**
 * What crosses between the page and the engine (in a Web Worker or not): job
 * requests, job events, status. Plain data only, so it survives structured
 * cloning; frames and results carry their arrays as typed arrays whose
 * buffers are transferred, not copied (transferables() lists them).
 *
 * Each job of the wire has its own module; this one gathers them so that
 * the page and the engine import one contract:
 * - job-kinds.ts: the kinds of job (IJobKinds), their requests, summaries
 *   and results;
 * - job-events.ts: how a job is run and the events it emits;
 * - engine-status.ts: the engine's status, probes, memory and faults;
 * - model-dataset-messages.ts: model and dataset descriptions, example
 *   requests;
 * - transferables.ts: the buffers a worker transfers with an event;
 * - serialize-error.ts: errors as they cross, scrubbed of secrets.
 */
export type { IFrame } from '../optvis/render';
export type { IAscentSummary } from '../optvis/jobs';
export type {
  ITopExamplesRequest,
  ITopExamplesResult,
  ITopExamplesSummary
} from '../dataset/top-examples';
export type {
  IInputImage,
  IFiltersResult,
  IFiltersSummary,
  IOcclusionResult,
  IOcclusionSummary,
  ISaliencyResult,
  ISaliencySummary
} from '../attribution/types';
export type { IPcaRequest, IPcaResult, IPcaSummary } from '../projection/job';

export * from './job-kinds';
export * from './job-events';
export * from './engine-status';
export * from './model-dataset-messages';
export * from './transferables';
export * from './serialize-error';
