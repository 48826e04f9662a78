/**
 * The page's handle on the engine core, wherever the core runs: in a Web
 * Worker (through Comlink) or, where workers cannot host it, on this thread.
 */
import { type ISignal, Signal } from '@lumino/signaling';
import * as Comlink from 'comlink';
import { CancelledError, FeatureVizError } from '../errors';
import type { INamedArrayLike } from '../dataset/store';
import type { BackendChoice } from './capabilities';
import type { EngineCore, IEngineCoreOptions, JobListener } from './core';
import type {
  IDatasetDescription,
  IDatasetRequest,
  IEngineStatus,
  IJobSummary,
  IModelDescription,
  IModelRequest,
  IRunOptions,
  ISerializedError,
  JobEvent,
  JobRequest
} from './protocol';
import { serializeError } from './protocol';

/** The core's methods, all asynchronous (as they are across a worker). */
export interface ICoreApi {
  start(): Promise<IEngineStatus>;
  status(): Promise<IEngineStatus> | IEngineStatus;
  setBackendChoice(choice: BackendChoice): Promise<IEngineStatus>;
  describeModel(request: IModelRequest): Promise<IModelDescription>;
  describeDataset(request: IDatasetRequest): Promise<IDatasetDescription>;
  submit(request: JobRequest, listener: JobListener): Promise<string> | string;
  putArrays(
    key: string,
    arrays: readonly INamedArrayLike[]
  ): Promise<void> | void;
  hasArrays(key: string): Promise<boolean> | boolean;
  cancel(id: string): Promise<void> | void;
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

/**
 * Implements the page's IFeatureVizEngine service (src/tokens.ts; the plugin
 * checks the fit, since the engine may not import from above itself).
 */
export class EngineClient {
  private readonly _statusChanged = new Signal<EngineClient, IEngineStatus>(
    this
  );
  private _started: Promise<IEngineStatus> | null = null;
  /** How to fail each job in flight, should the worker stop. */
  private readonly _inFlight = new Set<(error: EngineError) => void>();

  constructor(
    private readonly _core: ICoreApi,
    /** Listeners cross a worker boundary as Comlink proxies. */
    private readonly _remote: boolean
  ) {}

  /** A client for a core on this thread. */
  static local(core: EngineCore): EngineClient {
    return new EngineClient(core, false);
  }

  /** A client for a core in a worker that runs worker.ts. */
  static async remote(
    endpoint: Comlink.Endpoint,
    options: Omit<IEngineCoreOptions, 'fetch' | 'scope'>
  ): Promise<EngineClient> {
    const api = Comlink.wrap<IWorkerApi>(endpoint);
    await api.init(options);
    const client = new EngineClient(api as unknown as ICoreApi, true);
    // A worker that dies (out of memory, say) sends no more events: its jobs
    // fail with the reason instead of running forever.
    const stopped = (event: Event) =>
      client.fail(
        `The engine's worker stopped${
          (event as ErrorEvent).message
            ? `: ${(event as ErrorEvent).message}`
            : ''
        }. Reload the page to start it again.`
      );
    endpoint.addEventListener('error', stopped);
    endpoint.addEventListener('messageerror', stopped);
    return client;
  }

  /** Fails every job in flight with `message` (the worker is gone). */
  fail(message: string): void {
    const error = new EngineError({ name: 'EngineStoppedError', message });
    for (const fail of [...this._inFlight]) {
      fail(error);
    }
  }

  get statusChanged(): ISignal<EngineClient, IEngineStatus> {
    return this._statusChanged;
  }

  status(): Promise<IEngineStatus> {
    this._started ??= Promise.resolve(this._core.start()).then(status => {
      this._statusChanged.emit(status);
      return status;
    });
    return this._started.then(() => this._core.status());
  }

  setBackendChoice(choice: BackendChoice): void {
    void this._core
      .setBackendChoice(choice)
      .then(status => this._statusChanged.emit(status));
  }

  describeModel(request: IModelRequest): Promise<IModelDescription> {
    return this._core.describeModel(request).catch(reason => {
      throw reason instanceof FeatureVizError
        ? reason
        : new EngineError(serializeError(reason));
    });
  }

  describeDataset(request: IDatasetRequest): Promise<IDatasetDescription> {
    return this._core.describeDataset(request).catch(reason => {
      throw reason instanceof FeatureVizError
        ? reason
        : new EngineError(serializeError(reason));
    });
  }

  /**
   * Gives the engine arrays from a kernel, kept under their content key; their
   * buffers move to the worker (the caller's arrays are emptied).
   */
  async putArrays(
    key: string,
    arrays: readonly INamedArrayLike[]
  ): Promise<void> {
    const buffers = [...new Set(arrays.map(a => a.data.buffer))];
    try {
      await this._core.putArrays(
        key,
        this._remote
          ? Comlink.transfer(arrays, buffers as ArrayBuffer[])
          : arrays
      );
    } catch (reason) {
      throw reason instanceof FeatureVizError
        ? reason
        : new EngineError(serializeError(reason));
    }
  }

  /** Whether the engine keeps arrays under `key`. */
  async hasArrays(key: string): Promise<boolean> {
    return this._core.hasArrays(key);
  }

  run(request: JobRequest, options: IRunOptions = {}): Promise<IJobSummary> {
    const { signal, onEvent } = options;
    if (signal?.aborted) {
      return Promise.reject(new CancelledError());
    }
    return new Promise<IJobSummary>((resolve, reject) => {
      let id: string | null = null;
      let settled = false;
      const cancel = () => {
        if (id !== null) {
          void this._core.cancel(id);
        }
      };
      const settle = () => {
        settled = true;
        this._inFlight.delete(fail);
      };
      const fail = (error: EngineError) => {
        if (!settled) {
          settle();
          reject(error);
        }
      };
      this._inFlight.add(fail);
      const listener: JobListener = (event: JobEvent) => {
        if (settled) {
          return;
        }
        onEvent?.(event);
        if (event.type === 'done') {
          settle();
          resolve(event.summary);
        } else if (event.type === 'failed') {
          fail(new EngineError(event.error));
        } else if (event.type === 'cancelled') {
          settle();
          reject(new CancelledError());
        }
      };
      signal?.addEventListener('abort', cancel, { once: true });
      Promise.resolve(
        this._core.submit(
          request,
          this._remote ? Comlink.proxy(listener) : listener
        )
      )
        .then(jobId => {
          id = jobId;
          if (signal?.aborted) {
            cancel();
          }
        })
        .catch(reason => {
          settle();
          reject(reason);
        });
    });
  }
}
