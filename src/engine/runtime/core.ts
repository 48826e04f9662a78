/**
 * The engine proper: backend, scheduler, model cache and job runner. It runs
 * in a Web Worker behind the RPC in worker.ts, or on the main thread when a
 * browser cannot host it in a worker; both use this same class.
 */
import * as tf from '@tensorflow/tfjs';
import { CancelledError, FeatureVizError } from '../errors';
import type { FetchLike } from '../model/load';
import { describeLayers } from '../model/inspect';
import { exampleBytes } from '../dataset/dataset';
import type { ImageDecoder } from '../dataset/folder';
import { DatasetStore, type INamedArrayLike } from '../dataset/store';
import { ascentJobShape } from '../optvis/jobs';
import {
  PROBE_MACS,
  type WasmPaths,
  activateBackend,
  probeBackends
} from './backends';
import {
  type BackendChoice,
  type BackendName,
  type IProbeScope,
  availableBackends,
  detectCapabilities
} from './capabilities';
import { contextLost } from './context-loss';
import { EngineFaults } from './faults';
import { checkLimits, estimateJob } from './estimate';
import { runJob } from './jobs';
import { ModelCache } from './model-cache';
import { KernelModelStore, isModelArrays } from '../model/kernel-models';
import type {
  IDatasetDescription,
  IDatasetRequest,
  IEngineFault,
  IExamplePixels,
  IExamplesRequest,
  IEngineMemory,
  IEngineStatus,
  IJobSummary,
  IModelDescription,
  ISummaryBase,
  IModelRequest,
  IProbeResult,
  JobEvent,
  JobRequest,
  TestFault
} from './protocol';
import { MAX_EXAMPLES_PER_REQUEST, serializeError } from './protocol';
import { type IScheduledJob, Scheduler } from './scheduler';

export interface IEngineCoreOptions {
  readonly choice?: BackendChoice;
  readonly wasmPaths?: WasmPaths;
  readonly fetch?: FetchLike;
  /** Probe results from an earlier session: skip measuring again. */
  readonly cachedProbes?: readonly IProbeResult[];
  readonly scope?: IProbeScope;
  /** Whether this core lives in a Web Worker (reported in the status). */
  readonly worker?: boolean;
  /** Limits the ladder (tests run on WASM and CPU only). */
  readonly candidates?: readonly BackendName[];
  /** Decodes image files (Node tests give one; browsers use their own). */
  readonly decode?: ImageDecoder;
  /**
   * Backends not to use, with why: their context was lost in an engine this
   * one replaces (docs/architecture.md, "One engine per page").
   */
  readonly lost?: readonly {
    readonly backend: BackendName;
    readonly reason: string;
  }[];
  /** Honour testFault() (UI tests inject faults; never on in production). */
  readonly testHooks?: boolean;
}

export type JobListener = (event: JobEvent) => void;

/** Errors that mean "this backend lacks something": retry the job on CPU. */
const BACKEND_GAP =
  /kernel '?\w+'? not registered|not yet supported|not implemented for|has no kernel/i;

export class EngineCore {
  private readonly _scheduler = new Scheduler();
  private readonly _models: ModelCache;
  private readonly _jobs = new Map<string, IScheduledJob>();
  private _choice: BackendChoice;
  private _backend: BackendName | null = null;
  private _available: BackendName[] = [];
  private _probes: IProbeResult[] = [];
  private _reason = 'starting';
  private _started: Promise<IEngineStatus> | null = null;
  private readonly _datasets: DatasetStore;
  private readonly _faults: EngineFaults;
  private readonly _kernelModels = new KernelModelStore();

  constructor(private readonly _options: IEngineCoreOptions = {}) {
    this._choice = _options.choice ?? 'auto';
    this._datasets = new DatasetStore({
      fetch: _options.fetch,
      decode: _options.decode
    });
    this._models = new ModelCache(this._kernelModels.fetch(_options.fetch));
    this._faults = new EngineFaults(_options.testHooks ?? false);
  }

  /** Detects, measures and activates the backend (once; later calls wait). */
  start(): Promise<IEngineStatus> {
    this._started ??= this._start();
    return this._started;
  }

  private async _start(): Promise<IEngineStatus> {
    const capabilities = await detectCapabilities(this._options.scope);
    const candidates = availableBackends(capabilities).filter(
      b =>
        (!this._options.candidates || this._options.candidates.includes(b)) &&
        !this._isLost(b)
    );
    const cached = this._options.cachedProbes?.filter(
      p => !this._isLost(p.backend)
    );
    if (
      cached &&
      cached.length > 0 &&
      cached.every(p => candidates.includes(p.backend))
    ) {
      this._probes = [...cached];
    } else {
      this._probes = await probeBackends(candidates, {
        wasmPaths: this._options.wasmPaths
      });
    }
    this._available = this._probes.filter(p => p.ok).map(p => p.backend);
    await this._apply();
    return this.status();
  }

  private async _apply(): Promise<void> {
    const measured = this._probes.filter(p => p.ok);
    const order = (
      this._choice === 'auto'
        ? measured.map(p => p.backend)
        : [this._choice, ...measured.map(p => p.backend)]
    ).filter(b => !this._isLost(b));
    for (const backend of order) {
      const probe = this._probes.find(p => p.backend === backend);
      if (probe?.software) {
        tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
      }
      if (await activateBackend(backend, this._options.wasmPaths)) {
        this._backend = backend;
        this._faults.watch(backend);
        const lost = this._options.lost?.find(l => l.backend === this._choice);
        if (this._choice !== 'auto' && backend === this._choice) {
          this._reason = 'pinned in settings';
        } else if (lost) {
          this._reason = `pinned ${lost.backend} stopped: ${lost.reason}; using ${backend}`;
        } else if (this._choice !== 'auto') {
          this._reason = `pinned ${this._choice} is not available here; using ${backend}`;
        } else {
          const ms = probe?.msPerStep;
          this._reason = `measured fastest here${ms !== undefined ? ` (${ms.toFixed(1)} ms per probe step)` : ''}`;
        }
        return;
      }
    }
    await activateBackend('cpu');
    this._backend = 'cpu';
    this._reason = 'no other backend started';
  }

  status(): IEngineStatus {
    return {
      backend: this._backend,
      available: this._available,
      choice: this._choice,
      reason: this._reason,
      probes: this._probes,
      worker: this._options.worker ?? false,
      queued: this._scheduler.queued,
      running: this._scheduler.running,
      memory: this.memory(),
      lost: this._options.lost ?? []
    };
  }

  /** Whether `backend` was dropped after a fault. */
  private _isLost(backend: BackendName): boolean {
    return this._options.lost?.some(l => l.backend === backend) ?? false;
  }

  /** Listens for faults such as a lost context (the page restarts the engine). */
  onFault(listener: (fault: IEngineFault) => void): void {
    this._faults.onFault(listener);
  }

  /** Injects a fault (UI tests only; refused without test hooks). */
  async testFault(fault: TestFault): Promise<boolean> {
    await this.start();
    return this._faults.inject(fault, this._backend);
  }

  async setBackendChoice(choice: BackendChoice): Promise<IEngineStatus> {
    await this.start();
    this._choice = choice;
    await this._apply();
    return this.status();
  }

  async describeModel(request: IModelRequest): Promise<IModelDescription> {
    await this.start();
    const handle = await this._models.acquire(request);
    try {
      return {
        url: request.url,
        format: handle.loaded.format,
        weightBytes: handle.loaded.weightBytes,
        inputShape: handle.executor.inputShape,
        layers: describeLayers(handle.loaded)
      };
    } finally {
      handle.release();
    }
  }

  /**
   * Some examples of a job's dataset as bytes, for thumbnails on demand; the
   * dataset is the store's (loaded for the job), never downloaded again.
   */
  async examplePixels(request: IExamplesRequest): Promise<IExamplePixels> {
    if (request.indices.length > MAX_EXAMPLES_PER_REQUEST) {
      throw new FeatureVizError(
        `At most ${MAX_EXAMPLES_PER_REQUEST} examples at a time (${request.indices.length} asked for).`
      );
    }
    const { dataset } = await this._datasets.load(request.data, request.shape);
    return {
      imageShape: dataset.imageShape,
      pixels: exampleBytes(dataset, request.indices)
    };
  }

  /** Loads a dataset (kept for later jobs) and summarizes it. */
  async describeDataset(
    request: IDatasetRequest
  ): Promise<IDatasetDescription> {
    const { dataset } = await this._datasets.load(
      { source: 'bundled', url: request.url },
      [0, 0, 0]
    );
    let labelCounts: number[] | null = null;
    if (dataset.labels) {
      labelCounts = [];
      for (const label of dataset.labels) {
        labelCounts[label] = (labelCounts[label] ?? 0) + 1;
      }
    }
    return {
      url: request.url,
      name: dataset.name,
      count: dataset.count,
      imageShape: dataset.imageShape,
      splits: dataset.splits,
      labelCounts
    };
  }

  /**
   * Keeps arrays the page fetched from a kernel under their content key
   * (docs/architecture.md, "The kernel bridge"), for jobs that name it.
   */
  putArrays(key: string, arrays: readonly INamedArrayLike[]): void {
    if (isModelArrays(arrays)) {
      this._kernelModels.put(key, arrays);
    } else {
      this._datasets.put(key, arrays);
    }
  }

  /** Whether arrays are kept under `key`. */
  hasArrays(key: string): boolean {
    return this._datasets.has(key) || this._kernelModels.has(key);
  }

  /** Queues a job; events go to `listener`. Returns the job's id. */
  submit(request: JobRequest, listener: JobListener): string {
    const job = this._scheduler.enqueue(
      signal => this._run(request, listener, signal),
      {
        onQueued: position => listener({ type: 'queued', position })
      }
    );
    this._jobs.set(job.id, job);
    void job.done.then(state => {
      this._jobs.delete(job.id);
      if (state === 'cancelled') {
        listener({ type: 'cancelled' });
      }
    });
    return job.id;
  }

  cancel(id: string): void {
    this._jobs.get(id)?.cancel();
  }

  cancelAll(): void {
    this._scheduler.cancelAll();
  }

  memory(): IEngineMemory {
    const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    return {
      numTensors: memory.numTensors,
      numBytes: memory.numBytes,
      gpuBytes:
        typeof memory.numBytesInGPU === 'number' ? memory.numBytesInGPU : null
    };
  }

  private async _run(
    request: JobRequest,
    jobListener: JobListener,
    signal: AbortSignal
  ): Promise<void> {
    // Nothing reaches the page after the job's end (an interruption is one).
    let ended = false;
    const listener: JobListener = event => {
      if (!ended) {
        ended = ['done', 'failed', 'cancelled', 'interrupted'].includes(
          event.type
        );
        this._faults.maybeHang(event);
        jobListener(event);
      }
    };
    await this.start();
    const backend = this._backend as BackendName;
    this._faults.running(listener);
    try {
      await this._runOn(backend, request, listener, signal);
    } catch (reason) {
      if (reason instanceof CancelledError || signal.aborted) {
        throw reason;
      }
      const message = (reason as Error)?.message ?? '';
      if (contextLost(backend)) {
        // A backend error after a lost context: the job did nothing wrong.
        listener({
          type: 'interrupted',
          backend,
          reason: `${backend}: the GPU context was lost (${message})`
        });
        throw reason;
      }
      if (backend !== 'cpu' && BACKEND_GAP.test(message)) {
        listener({
          type: 'fallback',
          from: backend,
          to: 'cpu',
          reason: message
        });
        try {
          await activateBackend('cpu');
          await this._runOn('cpu', request, listener, signal, {
            from: backend,
            reason: message
          });
        } catch (again) {
          if (!(again instanceof CancelledError)) {
            listener({ type: 'failed', error: serializeError(again) });
          }
          throw again;
        } finally {
          await activateBackend(backend, this._options.wasmPaths);
        }
        return;
      }
      listener({ type: 'failed', error: serializeError(reason) });
      throw reason;
    } finally {
      this._faults.ended(listener);
    }
  }

  /** The probe's measured speed on `backend`, for time estimates. */
  private _probeSpeed(
    backend: BackendName
  ): { macs: number; ms: number } | undefined {
    const ms = this._probes.find(p => p.backend === backend && p.ok)?.msPerStep;
    return ms === undefined ? undefined : { macs: PROBE_MACS, ms };
  }

  private async _runOn(
    backend: BackendName,
    request: JobRequest,
    listener: JobListener,
    signal: AbortSignal,
    fallback?: ISummaryBase['fallback']
  ): Promise<void> {
    const handle = await this._models.acquire(request.model, signal);
    try {
      // Refused before the first step when over the page's caps.
      const shape = ascentJobShape(request, handle);
      if (shape) {
        checkLimits(
          estimateJob(shape, this._probeSpeed(backend)),
          request.limits,
          shape
        );
      }
      const started = performance.now();
      const { summary, result } = await runJob(request, {
        backend,
        model: handle,
        signal,
        emit: listener,
        datasets: this._datasets
      });
      listener({
        type: 'done',
        // The runner's part is typed by its kind; so is the whole.
        summary: {
          kind: request.kind,
          backend,
          elapsedMs: performance.now() - started,
          ...(fallback ? { fallback } : {}),
          ...summary
        } as IJobSummary,
        ...(result ? { result } : {})
      });
    } finally {
      handle.release();
    }
  }
}
