/**
 * The engine proper: backend, scheduler, model cache and job runner. It runs
 * in a Web Worker behind the RPC in worker.ts, or on the main thread when a
 * browser cannot host it in a worker; both use this same class. Where its
 * host gives it a pool (docs/architecture.md, "Memory and speed"), batched
 * jobs spread over engine workers below it; it keeps the one queue.
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError } from '../errors';
import { describeLayers } from '../model/inspect';
import { exampleBytes } from '../dataset/dataset';
import { DatasetStore, type INamedArrayLike } from '../dataset/store';
import { BackendLadder } from './backend-ladder';
import type { BackendName } from './capabilities';
import type { IEngineCoreOptions } from './core-options';
import { EngineFaults } from './faults';
import { type IExecution, type JobListener, executeJob } from './job-execution';
import { ModelCache } from './model-cache';
import { KernelModelStore, isModelArrays } from '../model/kernel-models';
import { ByteMemo } from './pool/byte-memo';
import { poolSize, poolsBackend } from './pool/pool-size';
import { ShareRunner } from './pool/share-runner';
import { WorkerPool } from './pool/worker-pool';
import type {
  IDatasetDescription,
  IDatasetRequest,
  IEngineFault,
  IExamplePixels,
  IExamplesRequest,
  IEngineMemory,
  IEngineStatus,
  IModelDescription,
  IModelRequest,
  JobEvent,
  JobRequest,
  TestFault
} from './protocol';
import { MAX_EXAMPLES_PER_REQUEST } from './protocol';
import { type IScheduledJob, Scheduler } from './scheduler';

export type { IEngineCoreOptions } from './core-options';
export type { JobListener } from './job-execution';

export class EngineCore {
  private readonly _scheduler = new Scheduler();
  private readonly _models: ModelCache;
  private readonly _jobs = new Map<string, IScheduledJob>();
  private readonly _ladder: BackendLadder;
  private _started: Promise<IEngineStatus> | null = null;
  private readonly _datasets: DatasetStore;
  private readonly _faults: EngineFaults;
  private readonly _kernelModels = new KernelModelStore();
  /** Kernel datasets as sent, for the pool's workers. */
  private readonly _kernelArrays = new Map<
    string,
    readonly INamedArrayLike[]
  >();
  private readonly _memo: ByteMemo;
  private _pool: WorkerPool | null = null;
  private readonly _execution: IExecution;

  constructor(private readonly _options: IEngineCoreOptions = {}) {
    this._faults = new EngineFaults(_options.testHooks ?? false);
    this._ladder = new BackendLadder(_options, backend =>
      this._faults.watch(backend)
    );
    // Every fetch goes through the memo: a pool's workers get these bytes.
    this._memo = new ByteMemo(this._kernelModels.fetch(_options.fetch));
    this._datasets = new DatasetStore({
      fetch: this._memo.fetch,
      decode: _options.decode
    });
    this._models = new ModelCache(this._memo.fetch);
    this._execution = {
      ladder: this._ladder,
      models: this._models,
      datasets: this._datasets,
      faults: this._faults,
      wasmPaths: _options.wasmPaths,
      pool: backend => this._poolFor(backend)
    };
  }

  /** Detects, measures and activates the backend (once; later calls wait). */
  start(): Promise<IEngineStatus> {
    this._started ??= this._ladder.start().then(() => {
      this._memo.keep = this.workers() > 1;
      return this.status();
    });
    return this._started;
  }

  /** Engine workers batched jobs use on the active backend (this one too). */
  workers(): number {
    const { pool: host, testHooks, testCores, maxWorkers } = this._options;
    const cores = testHooks && testCores ? testCores : host?.cores;
    return host && cores
      ? poolSize(cores, this._ladder.backend, maxWorkers)
      : 1;
  }

  status(): IEngineStatus {
    const ladder = this._ladder;
    return {
      backend: ladder.backend,
      available: ladder.available,
      choice: ladder.choice,
      reason: ladder.reason,
      probes: ladder.probes,
      worker: this._options.worker ?? false,
      queued: this._scheduler.queued,
      running: this._scheduler.running,
      memory: this.memory(),
      lost: this._options.lost ?? [],
      workers: this.workers()
    };
  }

  /** Listens for faults such as a lost context (the page restarts the engine). */
  onFault(listener: (fault: IEngineFault) => void): void {
    this._faults.onFault(listener);
  }

  /** Injects a fault (UI tests only; refused without test hooks). */
  async testFault(fault: TestFault): Promise<boolean> {
    await this.start();
    return this._faults.inject(fault, this._ladder.backend);
  }

  async setBackendChoice(
    choice: IEngineStatus['choice']
  ): Promise<IEngineStatus> {
    await this.start();
    this._ladder.choice = choice;
    await this._ladder.apply();
    this._memo.keep = this.workers() > 1;
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
      this._kernelArrays.set(key, arrays);
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

  /** Cancels every job and ends the pool's workers (tests, benchmarks). */
  close(): void {
    this.cancelAll();
    this._pool?.terminate();
    this._pool = null;
  }

  /** The pool (tests and the benchmark read its workers' state). */
  get pool(): WorkerPool | null {
    return this._pool;
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

  /** The pool for `backend`, started on first use; none on one worker. */
  private async _poolFor(
    backend: BackendName
  ): Promise<WorkerPool | undefined> {
    const host = this._options.pool;
    const size = this.workers();
    if (!host || size < 2 || !poolsBackend(backend)) {
      return undefined;
    }
    if (
      this._pool &&
      (this._pool.backend !== backend || this._pool.size !== size)
    ) {
      this._pool.terminate();
      this._pool = null;
    }
    this._pool ??= new WorkerPool({
      host,
      size,
      init: { backend, wasmPaths: this._options.wasmPaths },
      memo: this._memo,
      local: new ShareRunner(this._models, this._datasets),
      arrays: key => this._kernelArrays.get(key)
    });
    return this._pool;
  }

  private async _run(
    request: JobRequest,
    jobListener: JobListener,
    signal: AbortSignal
  ): Promise<void> {
    // Nothing reaches the page after the job's end (an interruption is one).
    let ended = false;
    const listener: JobListener = (event: JobEvent) => {
      if (!ended) {
        ended = ['done', 'failed', 'cancelled', 'interrupted'].includes(
          event.type
        );
        this._faults.maybeHang(event);
        jobListener(event);
      }
    };
    await this.start();
    this._faults.running(listener);
    try {
      await executeJob(this._execution, request, listener, signal);
    } finally {
      this._faults.ended(listener);
    }
  }
}
