/**
 * The page's connection to an engine core: the core's API (the same whether
 * it runs in a Web Worker, through Comlink, or on this thread), how to end
 * it, and how it says that it stopped. The client (client.ts) replaces a
 * connection after a fault (docs/architecture.md, "One engine per page").
 */
import * as Comlink from 'comlink';
import { FeatureVizError } from '../errors';
import type { INamedArrayLike } from '../dataset/store';
import type { BackendChoice, BackendName } from './capabilities';
import type { EngineCore, IEngineCoreOptions, JobListener } from './core';
import type {
  IDatasetDescription,
  IDatasetRequest,
  IExamplePixels,
  IExamplesRequest,
  IEngineFault,
  IEngineStatus,
  IModelDescription,
  IModelRequest,
  IProbeResult,
  ISerializedError,
  JobRequest,
  TestFault
} from './protocol';

/** The core's methods, all asynchronous (as they are across a worker). */
export interface ICoreApi {
  start(): Promise<IEngineStatus>;
  status(): Promise<IEngineStatus> | IEngineStatus;
  setBackendChoice(choice: BackendChoice): Promise<IEngineStatus>;
  describeModel(request: IModelRequest): Promise<IModelDescription>;
  describeDataset(request: IDatasetRequest): Promise<IDatasetDescription>;
  examplePixels(request: IExamplesRequest): Promise<IExamplePixels>;
  submit(request: JobRequest, listener: JobListener): Promise<string> | string;
  putArrays(
    key: string,
    arrays: readonly INamedArrayLike[]
  ): Promise<void> | void;
  hasArrays(key: string): Promise<boolean> | boolean;
  cancel(id: string): Promise<void> | void;
  onFault(listener: (fault: IEngineFault) => void): Promise<void> | void;
  testFault(fault: TestFault): Promise<boolean>;
}

/** The worker's exposed API: init, then the core's methods. */
export interface IWorkerApi extends ICoreApi {
  init(options: Omit<IEngineCoreOptions, 'fetch' | 'scope'>): Promise<void>;
}

/** An error from the core, with its original name (e.g. UnknownLayerError). */
export class EngineError extends FeatureVizError {
  constructor(error: ISerializedError) {
    super(error.message);
    this.name = error.name;
  }
}

/** A running core and how to end it. */
export interface ICoreConnection {
  readonly core: ICoreApi;
  /** Listeners cross a worker boundary as Comlink proxies. */
  readonly remote: boolean;
  /** Ends the core: terminates its worker (a core on this thread is dropped). */
  terminate(): void;
  /** Calls back when the core stops by itself (its worker failed). */
  onStopped(listener: (message: string) => void): void;
}

/** What a replacement engine is started with. */
export interface IRestart {
  /** Backends dropped after a fault, with why. */
  readonly lost: readonly { backend: BackendName; reason: string }[];
  /** The old engine's probes (no need to measure again). */
  readonly probes: readonly IProbeResult[] | undefined;
}

/** Starts a core: the first (restart null) or a replacement. */
export type CoreFactory = (
  restart: IRestart | null
) => Promise<ICoreConnection>;

/** A core on this thread. */
export function localConnection(core: EngineCore): ICoreConnection {
  return {
    core,
    remote: false,
    terminate: () => core.cancelAll(),
    onStopped: () => undefined
  };
}

/** Connects to a worker that runs worker.ts, and initializes its core. */
export async function workerConnection(
  endpoint: Comlink.Endpoint & { terminate?(): void },
  options: Omit<IEngineCoreOptions, 'fetch' | 'scope'>
): Promise<ICoreConnection> {
  const api = Comlink.wrap<IWorkerApi>(endpoint);
  await api.init(options);
  const stopped = new Set<(message: string) => void>();
  // A worker that dies (out of memory, say) sends no more events.
  const onError = (event: Event) => {
    const message = (event as ErrorEvent).message;
    stopped.forEach(l =>
      l(`The engine's worker stopped${message ? `: ${message}` : ''}.`)
    );
  };
  endpoint.addEventListener('error', onError);
  endpoint.addEventListener('messageerror', onError);
  return {
    core: api as unknown as ICoreApi,
    remote: true,
    terminate: () => {
      endpoint.removeEventListener('error', onError);
      endpoint.removeEventListener('messageerror', onError);
      api[Comlink.releaseProxy]();
      endpoint.terminate?.();
    },
    onStopped: listener => stopped.add(listener)
  };
}
