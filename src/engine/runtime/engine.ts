/**
 * The engine as the rest of the extension sees it (the IFeatureVizEngine
 * token): one per page, in a Web Worker when the browser allows it.
 */
import type { ISignal } from '@lumino/signaling';
import type { BackendChoice } from './capabilities';
import type {
  IDatasetDescription,
  IDatasetRequest,
  IEngineStatus,
  IJobSummary,
  IModelDescription,
  IModelRequest,
  JobEvent,
  JobRequest
} from './protocol';

export type { IEngineStatus };

export interface IRunOptions {
  /** Cancels the job, queued or running; run() then rejects with CancelledError. */
  readonly signal?: AbortSignal;
  /** Every event of the job: queued, running, frames, fallback, the end. */
  readonly onEvent?: (event: JobEvent) => void;
}

export interface IFeatureVizEngine {
  /** The engine's status; starts the engine (and its backend probe) if needed. */
  status(): Promise<IEngineStatus>;
  /** Emits when the backend changes. */
  readonly statusChanged: ISignal<IFeatureVizEngine, IEngineStatus>;
  /** Applies the user's backend setting. */
  setBackendChoice(choice: BackendChoice): void;
  /** Queues a job and resolves with its summary when it is done. */
  run(request: JobRequest, options?: IRunOptions): Promise<IJobSummary>;
  /** Loads a model (cached) and lists its layers. */
  describeModel(request: IModelRequest): Promise<IModelDescription>;
  /** Loads a dataset (cached) and summarizes it. */
  describeDataset(request: IDatasetRequest): Promise<IDatasetDescription>;
}
