/**
 * Test support for the output renderer, in the style of JupyterLab's
 * vega5-extension renderer test: stub renderer options, a fake MIME model
 * that records setData, and a fake engine whose jobs the test plays.
 */
// First: jsdom lacks what @lumino/widgets needs when it loads.
import './jsdom';
import type { INamedArrayLike } from '../../engine/dataset/store';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Signal } from '@lumino/signaling';
import { CancelledError } from '../../engine/errors';
import type {
  IEngineStatus,
  IExamplePixels,
  IExamplesRequest,
  IJobSummary,
  IRunOptions,
  JobEvent,
  JobRequest
} from '../../engine/runtime/protocol';
import { MIME_TYPE } from '../../spec';
import type { IFeatureVizEngine, ISettingValues } from '../../tokens';
import { frame, jobSummary } from '../../views/testing/fixtures';
import type { FeatureVizOutput } from '../renderer';
import type { IRendererContext } from '../renderer-context';
import { createRendererFactory } from '../renderer-factory';

export const ASSETS = 'http://localhost/static/';
/** Base64 of a PNG's signature: a stored image the reader accepts. */
export const PNG = 'iVBORw0KGgo=';

export const SPEC = {
  version: 1,
  view: 'gradient-ascent',
  model: { builtin: 'mnist-cnn' },
  objective: { type: 'channel', layer: 'conv2d_1', channel: 5 },
  optimization: { steps: 8 }
};

/** A layer atlas of every channel of a layer. */
export const ATLAS = {
  version: 1,
  view: 'layer-atlas',
  model: { builtin: 'mnist-cnn' },
  layer: 'conv2d_1',
  optimization: { steps: 8 }
};

/** One job the fake engine was given; the test plays the engine's part. */
export class FakeJob {
  readonly done: Promise<IJobSummary>;
  resolve!: (summary: IJobSummary) => void;
  reject!: (reason: unknown) => void;

  constructor(
    readonly request: JobRequest,
    readonly options: IRunOptions
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // As the engine does: a cancelled job says so, then run() rejects.
    options.signal?.addEventListener('abort', () => {
      this.emit({ type: 'cancelled' });
      this.reject(new CancelledError());
    });
  }

  emit(...events: JobEvent[]): void {
    events.forEach(event => this.options.onEvent?.(event));
  }

  /** Sends the events, then resolves with the summary of the last one. */
  finish(...events: JobEvent[]): void {
    this.emit(...events);
    const last = events[events.length - 1];
    this.resolve(last?.type === 'done' ? last.summary : jobSummary());
  }
}

export class FakeEngine implements IFeatureVizEngine {
  readonly jobs: FakeJob[] = [];
  /** Plays each job as it starts; tests that leave it unset play later. */
  onRun: ((job: FakeJob) => void) | null = null;
  readonly statusChanged: Signal<IFeatureVizEngine, IEngineStatus> = new Signal(
    this
  );
  readonly status = jest.fn(() => Promise.reject(new Error('not asked')));
  readonly setBackendChoice = jest.fn();
  readonly describeModel = jest.fn(() =>
    Promise.reject(new Error('not asked'))
  );
  readonly describeDataset = jest.fn(() =>
    Promise.reject(new Error('not asked'))
  );
  readonly examplePixels = jest.fn(
    (request: IExamplesRequest): Promise<IExamplePixels> =>
      Promise.reject(new Error(`not asked for ${request.indices.length}`))
  );
  /** Kernel arrays the page gave the engine, by key. */
  readonly arrays = new Map<string, readonly INamedArrayLike[]>();
  readonly putArrays = jest.fn(
    async (key: string, arrays: readonly INamedArrayLike[]) => {
      this.arrays.set(key, arrays);
    }
  );
  readonly hasArrays = jest.fn(async (key: string) => this.arrays.has(key));
  readonly run = jest.fn((request: JobRequest, options: IRunOptions = {}) => {
    const job = new FakeJob(request, options);
    this.jobs.push(job);
    this.onRun?.(job);
    return job.done;
  });
}

export class FakeModel implements IRenderMime.IMimeModel {
  readonly setData = jest.fn(
    (options: IRenderMime.IMimeModel.ISetDataOptions) => {
      this.data = options.data ?? this.data;
      this.metadata = options.metadata ?? this.metadata;
    }
  );

  constructor(
    public data: IRenderMime.IMimeModel['data'],
    readonly trusted = true,
    public metadata: IRenderMime.IMimeModel['metadata'] = {}
  ) {}
}

export const settings: ISettingValues = {
  backend: 'auto',
  allowedOrigins: [],
  maxWeightsMB: 100,
  maxDatasetMB: 100,
  maxJobMemoryMB: 1024,
  maxJobMinutes: 10,
  keepFrames: false
};

const options = {
  mimeType: MIME_TYPE,
  sanitizer: { sanitize: (s: string) => s },
  resolver: null,
  linkHandler: null,
  latexTypesetter: null
} as unknown as IRenderMime.IRendererOptions;

export const FILES = 'http://localhost/files/';

/**
 * A renderer from the plugin's factory, on `engine`, reporting to `track`.
 * Its outputs are fresh (their cell just ran) unless `fresh` says otherwise.
 */
export function createOutput(
  engine: IFeatureVizEngine,
  track: (output: FeatureVizOutput, live: boolean) => void = () => undefined,
  fresh: (hash: string) => boolean = () => true,
  extra: Partial<IRendererContext> = {}
): FeatureVizOutput {
  const factory = createRendererFactory({
    engine,
    settings: () => settings,
    assetUrl: path => `${ASSETS}${path}`,
    filesUrl: FILES,
    freshOutput: fresh,
    track,
    ...extra
  });
  return factory.createRenderer(options) as FeatureVizOutput;
}

/** For each test: a new fake engine, a `track` spy, and outputs on them. */
export function fakeOutputs(): {
  readonly engine: FakeEngine;
  readonly track: jest.Mock;
  createOutput(fresh?: (hash: string) => boolean): FeatureVizOutput;
} {
  let engine = new FakeEngine();
  let track = jest.fn();
  beforeEach(() => {
    engine = new FakeEngine();
    track = jest.fn();
  });
  return {
    get engine() {
      return engine;
    },
    get track() {
      return track;
    },
    createOutput: fresh => createOutput(engine, track, fresh)
  };
}

/**
 * Lets the output's promises (validation, model resolution, the job, the
 * figure's encoding) and its paints (animation frames) settle.
 */
export const flush = () => new Promise(resolve => setTimeout(resolve, 40));

/**
 * Waits until `ready()` holds (the figure's encoding takes a while in
 * jsdom's JavaScript canvas and FileReader); fails after five seconds.
 */
export async function until(ready: () => boolean): Promise<void> {
  const started = Date.now();
  while (!ready()) {
    if (Date.now() - started > 5000) {
      throw new Error('timed out waiting for the output');
    }
    await flush();
  }
}

export const button = (output: FeatureVizOutput, label: string) =>
  output.node.querySelector(
    `button[aria-label="${label}"]`
  ) as HTMLButtonElement;

/** A finished run of three frames: pixels 0, 40 then 80. */
export const threeFrames = (job: FakeJob) =>
  job.finish(
    { type: 'queued', position: 0 },
    { type: 'running', backend: 'wasm' },
    ...[0, 4, 8].map(step => ({
      type: 'frame' as const,
      frame: frame(step, { value: 0.8 }),
      progress: step / 8,
      etaMs: null
    })),
    { type: 'done', summary: jobSummary() }
  );
