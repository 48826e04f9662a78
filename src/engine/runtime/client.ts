/**
 * The page's handle on the engine core, wherever the core runs: in a Web
 * Worker (through Comlink) or, where workers cannot host it, on this thread.
 *
 * It also supervises the core (docs/architecture.md, "One engine per page"):
 * a watchdog gives every step of the running job a deadline; a job that
 * misses it, a worker that stops, or a lost GPU context ends the running job
 * with its reason, and the client replaces the engine (a new worker with the
 * same options, without a lost backend) and submits the queued jobs to it.
 * Cancel ends a job within a second, whatever the backend is doing.
 */
import { type ISignal, Signal } from '@lumino/signaling';
import * as Comlink from 'comlink';
import type { INamedArrayLike } from '../dataset/store';
import type { BackendChoice, BackendName } from './capabilities';
import {
  type CoreFactory,
  type ICoreApi,
  type ICoreConnection,
  localConnection,
  workerConnection
} from './connection';
import type { EngineCore, IEngineCoreOptions } from './core';
import type {
  IDatasetDescription,
  IDatasetRequest,
  IExamplePixels,
  IExamplesRequest,
  IEngineFault,
  IEngineStatus,
  IJobSummary,
  IModelDescription,
  IModelRequest,
  IProbeResult,
  IRunOptions,
  JobRequest,
  TestFault
} from './protocol';
import { serializeError } from './protocol';
import { JobDesk, toError } from './job-desk';
import { type TrackedJob, endForReplacement } from './tracked-job';
import { interruption, missedStep } from './fault-words';

export { EngineError } from './connection';
export type {
  CoreFactory,
  ICoreApi,
  ICoreConnection,
  IRestart,
  IWorkerApi
} from './connection';
import type { IMissedStep, IWatchdogOptions } from './watchdog';

/** How the client supervises its engine. */
export interface IClientOptions {
  /** Starts a replacement engine; without one a fault fails every job. */
  readonly factory?: CoreFactory;
  readonly watchdog?: IWatchdogOptions;
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
  private readonly _desk: JobDesk;
  private _generation = 0;
  private _restarts = 0;
  private readonly _lost: { backend: BackendName; reason: string }[] = [];
  private _probes: readonly IProbeResult[] | undefined;
  /** Replacing the engine; calls wait for it. */
  private _replacing: Promise<void> | null = null;

  constructor(
    private _conn: ICoreConnection,
    private readonly _options: IClientOptions = {}
  ) {
    // The desk reads the connection of now, whichever replacement it is.
    this._desk = new JobDesk({
      conn: () => this._conn,
      generation: () => this._generation,
      replacing: () => this._replacing,
      watchdog: _options.watchdog,
      onMiss: (job, missed) => this._onMiss(job, missed),
      jobEnded: () => void this._emitStatus()
    });
    this._attach();
  }

  /** A client for a core on this thread. */
  static local(core: EngineCore): EngineClient {
    return new EngineClient(localConnection(core));
  }

  /** A client for a core in a worker that runs worker.ts (not replaced). */
  static async remote(
    endpoint: Comlink.Endpoint,
    options: Omit<IEngineCoreOptions, 'fetch' | 'scope'>
  ): Promise<EngineClient> {
    return new EngineClient(await workerConnection(endpoint, options));
  }

  /** A client that starts its core with `factory`, and again after a fault. */
  static async supervised(
    factory: CoreFactory,
    watchdog?: IWatchdogOptions
  ): Promise<EngineClient> {
    return new EngineClient(await factory(null), { factory, watchdog });
  }

  get statusChanged(): ISignal<EngineClient, IEngineStatus> {
    return this._statusChanged;
  }

  async status(): Promise<IEngineStatus> {
    await this._replacing;
    this._started ??= Promise.resolve(this._conn.core.start()).then(status => {
      this._probes = status.probes;
      this._statusChanged.emit(this._withRestarts(status));
      return status;
    });
    await this._started;
    return this._withRestarts(await this._conn.core.status());
  }

  setBackendChoice(choice: BackendChoice): void {
    void this._core().then(core =>
      core
        .setBackendChoice(choice)
        .then(status => this._statusChanged.emit(this._withRestarts(status)))
    );
  }

  describeModel(request: IModelRequest): Promise<IModelDescription> {
    return this._core()
      .then(core => core.describeModel(request))
      .catch(toEngineError);
  }

  describeDataset(request: IDatasetRequest): Promise<IDatasetDescription> {
    return this._core()
      .then(core => core.describeDataset(request))
      .catch(toEngineError);
  }

  examplePixels(request: IExamplesRequest): Promise<IExamplePixels> {
    return this._core()
      .then(core => core.examplePixels(request))
      .catch(toEngineError);
  }

  /**
   * Gives the engine arrays from a kernel, kept under their content key; their
   * buffers move to the worker (the caller's arrays are emptied).
   */
  async putArrays(
    key: string,
    arrays: readonly INamedArrayLike[]
  ): Promise<void> {
    const core = await this._core();
    const buffers = [...new Set(arrays.map(a => a.data.buffer))];
    await Promise.resolve(
      core.putArrays(
        key,
        this._conn.remote
          ? Comlink.transfer(arrays, buffers as ArrayBuffer[])
          : arrays
      )
    ).catch(toEngineError);
  }

  /** Whether the engine keeps arrays under `key`. */
  async hasArrays(key: string): Promise<boolean> {
    return (await this._core()).hasArrays(key);
  }

  /** Injects a fault (UI tests; the engine refuses without test hooks). */
  async testFault(fault: TestFault): Promise<boolean> {
    return (await this._core()).testFault(fault);
  }

  run(request: JobRequest, options: IRunOptions = {}): Promise<IJobSummary> {
    return this._desk.run(request, options);
  }

  /** Fails every job in flight with `message` (the engine is gone). */
  fail(message: string): void {
    this._desk.fail(message);
  }

  private _withRestarts(status: IEngineStatus): IEngineStatus {
    return { ...status, restarts: this._restarts };
  }

  /** The current core, once any replacement under way is done. */
  private async _core(): Promise<ICoreApi> {
    await this._replacing;
    return this._conn.core;
  }

  /** Listens to the current core's faults and stops. */
  private _attach(): void {
    const generation = this._generation;
    const current = () => generation === this._generation;
    const onFault = (fault: IEngineFault) => {
      if (current()) {
        this._replace(
          interruption(fault.backend, fault.reason),
          'interrupted',
          fault
        );
      }
    };
    void Promise.resolve(
      this._conn.core.onFault(
        this._conn.remote ? Comlink.proxy(onFault) : onFault
      )
    ).catch(() => undefined);
    this._conn.onStopped(message => {
      if (current()) {
        this._replace(
          `${message} It was restarted; Re-run to try again`,
          'failed'
        );
      }
    });
  }

  /** A step missed its deadline: the engine is replaced. */
  private _onMiss(job: TrackedJob, missed: IMissedStep): void {
    if (job.generation !== this._generation) {
      return;
    }
    this._replace(missedStep(missed), 'failed');
  }

  /**
   * Ends the running job with `reason` (as `how`), drops the engine and
   * starts a replacement (without a backend whose context was lost); jobs
   * that were queued are submitted to it.
   */
  private _replace(
    reason: string,
    how: 'failed' | 'interrupted',
    fault?: IEngineFault
  ): void {
    const factory = this._options.factory;
    if (!factory) {
      this.fail(
        `${reason.replace(/;[^;]*$/, '')}. Reload the page to start it again.`
      );
      return;
    }
    this._generation++;
    if (fault && !this._lost.some(l => l.backend === fault.backend)) {
      this._lost.push({ backend: fault.backend, reason: fault.reason });
    }
    const waiting = endForReplacement(
      this._desk.jobs,
      how,
      reason,
      fault?.backend ?? null
    );
    const old = this._conn;
    this._restarts++;
    this._started = null;
    this._replacing = (async () => {
      try {
        old.terminate();
      } catch {
        // It is going anyway.
      }
      try {
        this._conn = await factory({
          lost: [...this._lost],
          probes: this._probes
        });
        this._attach();
      } catch (reason) {
        this._replacing = null;
        this.fail(
          `The engine could not start again (${serializeError(reason).message}). Reload the page.`
        );
        return;
      }
      this._replacing = null;
      waiting.forEach(job => void this._desk.submit(job));
      void this._emitStatus();
    })();
  }

  /** Tells listeners (the sidebar) the engine's status after a change. */
  private async _emitStatus(): Promise<void> {
    try {
      this._statusChanged.emit(await this.status());
    } catch {
      // A status that cannot be read now is read again at the next change.
    }
  }
}

function toEngineError(reason: unknown): never {
  throw toError(reason);
}
