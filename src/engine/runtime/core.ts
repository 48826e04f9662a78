/**
 * The engine proper: backend, scheduler, model cache and job runner. It runs
 * in a Web Worker behind the RPC in worker.ts, or on the main thread when a
 * browser cannot host it in a worker; both use this same class.
 */
import * as tf from '@tensorflow/tfjs';
import { CancelledError } from '../errors';
import type { FetchLike } from '../model/load';
import { describeLayers } from '../model/inspect';
import { type IImageDataset, loadIdxDataset } from '../dataset/images';
import {
  atlasChannels,
  resolveOptimization,
  runGradientAscent,
  runLayerAtlas
} from '../optvis/ascent';
import type { IFrame } from '../optvis/render';
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
import {
  type IJobShape,
  checkLimits,
  estimateJob,
  layersUpTo,
  objectiveLayers
} from './estimate';
import { type IModelHandle, ModelCache } from './model-cache';
import type {
  IDatasetDescription,
  IDatasetRequest,
  IEngineStatus,
  IJobSummary,
  IModelDescription,
  IModelRequest,
  IProbeResult,
  JobEvent,
  JobRequest
} from './protocol';
import { serializeError } from './protocol';
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
  private readonly _datasets = new Map<string, Promise<IImageDataset>>();

  constructor(private readonly _options: IEngineCoreOptions = {}) {
    this._choice = _options.choice ?? 'auto';
    this._models = new ModelCache(_options.fetch);
  }

  /** Detects, measures and activates the backend (once; later calls wait). */
  start(): Promise<IEngineStatus> {
    this._started ??= this._start();
    return this._started;
  }

  private async _start(): Promise<IEngineStatus> {
    const capabilities = await detectCapabilities(this._options.scope);
    const candidates = availableBackends(capabilities).filter(
      b => !this._options.candidates || this._options.candidates.includes(b)
    );
    const cached = this._options.cachedProbes;
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
    const order =
      this._choice === 'auto'
        ? measured.map(p => p.backend)
        : [this._choice, ...measured.map(p => p.backend)];
    for (const backend of order) {
      const probe = this._probes.find(p => p.backend === backend);
      if (probe?.software) {
        tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
      }
      if (await activateBackend(backend, this._options.wasmPaths)) {
        this._backend = backend;
        if (this._choice !== 'auto' && backend === this._choice) {
          this._reason = 'pinned in settings';
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
      running: this._scheduler.running
    };
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

  /** Loads a dataset (kept for later jobs) and summarizes it. */
  async describeDataset(
    request: IDatasetRequest
  ): Promise<IDatasetDescription> {
    let loading = this._datasets.get(request.url);
    if (!loading) {
      loading = loadIdxDataset(request.url, { fetch: this._options.fetch });
      this._datasets.set(request.url, loading);
      loading.catch(() => this._datasets.delete(request.url));
    }
    const dataset = await loading;
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

  memory(): { numTensors: number; numBytes: number } {
    const { numTensors, numBytes } = tf.memory();
    return { numTensors, numBytes };
  }

  private async _run(
    request: JobRequest,
    listener: JobListener,
    signal: AbortSignal
  ): Promise<void> {
    await this.start();
    const backend = this._backend as BackendName;
    try {
      await this._runOn(backend, request, listener, signal);
    } catch (reason) {
      if (reason instanceof CancelledError || signal.aborted) {
        throw reason;
      }
      const message = (reason as Error)?.message ?? '';
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
    fallback?: IJobSummary['fallback']
  ): Promise<void> {
    const handle = await this._models.acquire(request.model, signal);
    try {
      const context = {
        executor: handle.executor,
        inputRange: handle.loaded.metadata.inputRange,
        signal
      };
      const config = request.optimization ?? {};
      const { steps, seed } = resolveOptimization(config);
      // Refused before the first step when over the page's caps.
      const shape = jobShape(request, handle);
      if (shape) {
        checkLimits(
          estimateJob(shape, this._probeSpeed(backend)),
          request.limits,
          shape
        );
      }
      let frames: AsyncGenerator<IFrame, IFrame, undefined>;
      if (request.kind === 'gradient-ascent') {
        listener({ type: 'running', backend });
        frames = runGradientAscent(request.objective, config, context);
      } else {
        // The view lays out its grid before the first frame arrives.
        const channels = atlasChannels(
          handle.executor,
          request.layer,
          request.channels
        );
        listener({ type: 'running', backend, channels });
        frames = runLayerAtlas(request.layer, channels, config, context);
      }
      const started = performance.now();
      let firstFrameMs = 0;
      // Read before a frame is sent: sending transfers its buffers away.
      let value = NaN;
      let perImage: number[] = [];
      for await (const frame of frames) {
        const now = performance.now();
        if (frame.step === 1 || (firstFrameMs === 0 && frame.step > 0)) {
          firstFrameMs = now - started;
        }
        // ETA from the steady-state pace, not the warm-up.
        const steady =
          frame.step > 1
            ? (now - started - firstFrameMs) / (frame.step - 1)
            : null;
        value = frame.value;
        perImage = Array.from(frame.perImage);
        listener({
          type: 'frame',
          frame,
          progress: frame.step / steps,
          etaMs: steady === null ? null : steady * (steps - frame.step)
        });
      }
      listener({
        type: 'done',
        summary: {
          backend,
          steps,
          seed,
          value,
          perImage,
          elapsedMs: performance.now() - started,
          firstFrameMs,
          fallback
        }
      });
    } finally {
      handle.release();
    }
  }
}

/**
 * What a job's estimate needs: its images and the layers it goes through.
 * Null when the image size is not known yet (the run then fails with its
 * own message).
 */
function jobShape(request: JobRequest, handle: IModelHandle): IJobShape | null {
  const { executor } = handle;
  const config = resolveOptimization(request.optimization ?? {});
  const [, modelH, modelW, channels] = executor.inputShape;
  const [height, width] = config.size ?? [modelH, modelW];
  if (height === null || width === null) {
    return null;
  }
  const read =
    request.kind === 'gradient-ascent'
      ? objectiveLayers(request.objective, executor.logitsLayer.layer)
      : [request.layer];
  const atlasOf = (layer: string): number => {
    const out = executor.outputShape(layer);
    return out[out.length - 1] ?? 1;
  };
  return {
    batch:
      request.kind === 'gradient-ascent'
        ? config.batch
        : (request.channels?.length ?? atlasOf(request.layer)),
    image: [height, width, channels],
    steps: config.steps,
    param: config.param,
    layers: layersUpTo(describeLayers(handle.loaded), read)
  };
}
