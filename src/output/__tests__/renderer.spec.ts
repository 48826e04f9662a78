/**
 * The output renderer against a fake engine, in the style of JupyterLab's
 * vega5-extension renderer test: stub renderer options, a fake MIME model
 * that records setData, and JobEvents scripted by each test.
 */
// First: jsdom lacks what @lumino/widgets needs when it loads.
import '../testing/jsdom';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Signal } from '@lumino/signaling';
import { CancelledError } from '../../engine/errors';
import type {
  IEngineStatus,
  IJobSummary,
  IRunOptions,
  JobEvent,
  JobRequest
} from '../../engine/runtime/protocol';
import { MIME_TYPE, SUMMARY_MIME_TYPE } from '../../spec';
import { specHash } from '../../spec/hash';
import type { IFeatureVizEngine, ISettingValues } from '../../tokens';
import {
  decodePng,
  frame,
  installCanvas,
  jobSummary
} from '../../views/testing/fixtures';
import { type FeatureVizOutput, createRendererFactory } from '../renderer';

installCanvas();

const ASSETS = 'http://localhost/static/';
const PNG = 'iVBORw0KGgo=';

const SPEC = {
  version: 1,
  view: 'gradient-ascent',
  model: { builtin: 'mnist-cnn' },
  objective: { type: 'channel', layer: 'conv2d_1', channel: 5 },
  optimization: { steps: 8 }
};

const ATLAS = {
  version: 1,
  view: 'layer-atlas',
  model: { builtin: 'mnist-cnn' },
  layer: 'conv2d_1',
  optimization: { steps: 8 }
};

/** One job the fake engine was given; the test plays the engine's part. */
class FakeJob {
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

class FakeEngine implements IFeatureVizEngine {
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
  readonly run = jest.fn((request: JobRequest, options: IRunOptions = {}) => {
    const job = new FakeJob(request, options);
    this.jobs.push(job);
    this.onRun?.(job);
    return job.done;
  });
}

class FakeModel implements IRenderMime.IMimeModel {
  readonly metadata = {};
  readonly setData = jest.fn(
    (options: IRenderMime.IMimeModel.ISetDataOptions) => {
      this.data = options.data ?? this.data;
    }
  );

  constructor(
    public data: IRenderMime.IMimeModel['data'],
    readonly trusted = true
  ) {}
}

const settings: ISettingValues = {
  backend: 'auto',
  allowedOrigins: [],
  maxWeightsMB: 100,
  keepFrames: false
};

const options = {
  mimeType: MIME_TYPE,
  sanitizer: { sanitize: (s: string) => s },
  resolver: null,
  linkHandler: null,
  latexTypesetter: null
} as unknown as IRenderMime.IRendererOptions;

let engine: FakeEngine;
let track: jest.Mock;

function createOutput(): FeatureVizOutput {
  const factory = createRendererFactory({
    engine,
    settings: () => settings,
    assetUrl: path => `${ASSETS}${path}`,
    track
  });
  return factory.createRenderer(options) as FeatureVizOutput;
}

/** Lets the output's promises (model resolution, the job) settle. */
const flush = () => new Promise(resolve => setTimeout(resolve, 0));

const button = (output: FeatureVizOutput, label: string) =>
  output.node.querySelector(
    `button[aria-label="${label}"]`
  ) as HTMLButtonElement;

/** A finished run of three frames: pixels 0, 40 then 80. */
const threeFrames = (job: FakeJob) =>
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

beforeEach(() => {
  engine = new FakeEngine();
  track = jest.fn();
});

describe('FeatureVizOutput', () => {
  it('runs the spec in the engine and writes the PNG and summary back', async () => {
    engine.onRun = threeFrames;
    const output = createOutput();
    const model = new FakeModel({ [MIME_TYPE]: SPEC });
    await output.renderModel(model);
    await flush();

    expect(engine.run).toHaveBeenCalledTimes(1);
    expect(engine.jobs[0].request).toEqual({
      kind: 'gradient-ascent',
      model: {
        url: `${ASSETS}models/mnist-cnn/model.json`,
        format: 'layers',
        maxWeightBytes: 100e6
      },
      objective: SPEC.objective,
      optimization: expect.objectContaining({ steps: 8 })
    });
    expect(output.node.dataset.state).toBe('done');
    expect(output.node.querySelector('.jp-FeatureViz-view')?.textContent).toBe(
      'Gradient ascent'
    );
    expect(track).toHaveBeenCalledWith(output, true);

    expect(model.setData).toHaveBeenCalledTimes(1);
    const data = model.data as Record<string, unknown>;
    expect(data[MIME_TYPE]).toBe(SPEC);
    expect(data).not.toHaveProperty(['image/gif']);
    // The last frame, 3×4 at display scale 16: 48×64, every byte 80.
    const png = decodePng(data['image/png'] as string);
    expect([png.width, png.height]).toEqual([48, 64]);
    expect(png.rgba).toHaveLength(48 * 64 * 4);
    expect(png.rgba.every(b => b === 80)).toBe(true);
    const summary = JSON.parse(JSON.stringify(data[SUMMARY_MIME_TYPE]));
    expect(summary).toEqual({
      version: 1,
      specHash: specHash(SPEC),
      backend: 'wasm',
      steps: 8,
      seed: 0,
      value: 0.8,
      perImage: [0.8],
      elapsedMs: 1234,
      firstFrameMs: 57,
      savedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
    });

    // JupyterLab renders the updated model again: the live view stays.
    const player = output.node.querySelector('.jp-FeatureViz-player');
    await output.renderModel(new FakeModel(model.data));
    expect(output.node.querySelector('.jp-FeatureViz-player')).toBe(player);
    expect(output.node.dataset.state).toBe('done');
    expect(engine.run).toHaveBeenCalledTimes(1);
    output.dispose();
    expect(track).toHaveBeenLastCalledWith(output, false);
  });

  it('keeps the animation as a GIF when the spec asks for it', async () => {
    engine.onRun = threeFrames;
    const output = createOutput();
    const model = new FakeModel({
      [MIME_TYPE]: { ...SPEC, display: { keepFrames: true } }
    });
    await output.renderModel(model);
    await flush();
    const gif = (model.data as Record<string, string>)['image/gif'];
    expect(atob(gif).slice(0, 6)).toBe('GIF89a');
    output.dispose();
  });

  it('shows a saved result of the same spec without asking the engine', async () => {
    const output = createOutput();
    const summary = {
      ...jobSummary(),
      version: 1,
      specHash: specHash(SPEC),
      savedAt: '2025-01-01T00:00:00.000Z'
    };
    await output.renderModel(
      new FakeModel({
        [MIME_TYPE]: SPEC,
        'image/png': `${PNG}\n`,
        [SUMMARY_MIME_TYPE]: summary
      })
    );
    await flush();
    expect(output.node.dataset.state).toBe('stored');
    expect(engine.run).not.toHaveBeenCalled();
    const img = output.node.querySelectorAll('img.jp-FeatureViz-stored');
    expect(img).toHaveLength(1);
    expect(img[0].getAttribute('src')).toBe(`data:image/png;base64,${PNG}`);
    expect(output.node.querySelector('.jp-FeatureViz-saved')?.textContent).toBe(
      'Saved result: 8 steps on wasm, objective 0.8000. Re-run to compute it again.'
    );
    // Re-run computes it again.
    button(output, 'Run again').click();
    await flush();
    expect(engine.run).toHaveBeenCalledTimes(1);
    expect(output.node.dataset.state).toBe('queued');
    expect(output.node.querySelector('img')).toBeNull();
    output.dispose();
  });

  it('computes again when the saved result is of another spec', async () => {
    const output = createOutput();
    await output.renderModel(
      new FakeModel({
        [MIME_TYPE]: SPEC,
        'image/png': PNG,
        [SUMMARY_MIME_TYPE]: {
          ...jobSummary(),
          version: 1,
          specHash: specHash({ ...SPEC, optimization: { steps: 9 } }),
          savedAt: '2025-01-01T00:00:00.000Z'
        }
      })
    );
    await flush();
    expect(engine.run).toHaveBeenCalledTimes(1);
    output.dispose();
  });

  it('in an untrusted notebook, shows the saved image and asks nothing of the engine or network', async () => {
    const fetch = jest.fn(() => {
      throw new Error('an untrusted output fetched something');
    });
    const original = globalThis.fetch;
    globalThis.fetch = fetch as unknown as typeof globalThis.fetch;
    try {
      const output = createOutput();
      const model = new FakeModel(
        {
          [MIME_TYPE]: { ...SPEC, title: '<img src=x onerror="alert(1)">' },
          'image/png': PNG
        },
        false
      );
      await output.renderModel(model);
      await flush();
      expect(output.node.dataset.state).toBe('untrusted');
      expect(output.node.querySelector('[role=status]')?.textContent).toContain(
        'not trusted'
      );
      expect(
        output.node.querySelector('.jp-FeatureViz-title')?.textContent
      ).toBe('<img src=x onerror="alert(1)">');
      const images = output.node.querySelectorAll('img');
      expect(images).toHaveLength(1);
      expect(images[0].getAttribute('src')).toBe(
        `data:image/png;base64,${PNG}`
      );
      expect(output.node.querySelectorAll('canvas, button')).toHaveLength(0);
      for (const method of [
        engine.run,
        engine.status,
        engine.describeModel,
        engine.describeDataset
      ]) {
        expect(method).not.toHaveBeenCalled();
      }
      expect(fetch).not.toHaveBeenCalled();
      expect(model.setData).not.toHaveBeenCalled();
      output.dispose();
    } finally {
      globalThis.fetch = original;
    }
  });

  it('names the invalid field of a spec', async () => {
    const output = createOutput();
    await output.renderModel(
      new FakeModel({
        [MIME_TYPE]: {
          ...SPEC,
          objective: { type: 'channel', layer: 'conv2d_1', channel: -1 }
        }
      })
    );
    await flush();
    expect(output.node.dataset.state).toBe('invalid');
    const alert = output.node.querySelector('[role=alert]');
    expect(alert?.textContent).toContain('invalid spec');
    expect(alert?.querySelector('code')?.textContent).toBe('objective.channel');
    expect(engine.run).not.toHaveBeenCalled();
    output.dispose();
  });

  it('says when this version has no view for a spec', async () => {
    const output = createOutput();
    await output.renderModel(
      new FakeModel({
        [MIME_TYPE]: {
          version: 1,
          view: 'filters',
          model: { builtin: 'mnist-cnn' },
          layer: 'conv2d'
        },
        'image/png': PNG
      })
    );
    expect(output.node.dataset.state).toBe('unavailable');
    expect(
      output.node.querySelector('img.jp-FeatureViz-stored')
    ).not.toBeNull();
    expect(engine.run).not.toHaveBeenCalled();
    output.dispose();
  });

  it('cancels a run from its Cancel button, and runs it again', async () => {
    const output = createOutput();
    const model = new FakeModel({ [MIME_TYPE]: SPEC });
    await output.renderModel(model);
    await flush();
    const job = engine.jobs[0];
    job.emit(
      { type: 'running', backend: 'webgl' },
      { type: 'frame', frame: frame(1), progress: 1 / 8, etaMs: 12400 }
    );
    expect(output.node.dataset.state).toBe('running');
    expect(output.node.querySelector('[role=status]')?.textContent).toBe(
      'Running: step 1 of 8, about 12 s left'
    );
    button(output, 'Cancel the run').click();
    await flush();
    expect(job.options.signal?.aborted).toBe(true);
    expect(output.runState).toMatchObject({ state: 'cancelled', step: 1 });
    expect(output.node.dataset.state).toBe('cancelled');
    expect(output.node.querySelector('[role=status]')?.textContent).toBe(
      'Cancelled at step 1'
    );
    expect(model.setData).not.toHaveBeenCalled();

    button(output, 'Run again').click();
    await flush();
    expect(engine.run).toHaveBeenCalledTimes(2);
    engine.jobs[1].emit({ type: 'running', backend: 'webgl' });
    expect(output.node.dataset.state).toBe('running');
    output.dispose();
    expect(engine.jobs[1].options.signal?.aborted).toBe(true);
  });

  it('shows the error of a failing run', async () => {
    const message = 'The model has no layer "conv9".';
    engine.onRun = job => {
      job.emit(
        { type: 'running', backend: 'wasm' },
        { type: 'failed', error: { name: 'UnknownLayerError', message } }
      );
      job.reject(new Error(message));
    };
    const output = createOutput();
    const model = new FakeModel({ [MIME_TYPE]: SPEC });
    await output.renderModel(model);
    await flush();
    expect(output.node.dataset.state).toBe('failed');
    expect(output.runState.error).toBe(message);
    expect(
      output.node.querySelector('.jp-FeatureViz-run-error')?.textContent
    ).toBe(message);
    expect(model.setData).not.toHaveBeenCalled();
    output.dispose();
  });

  it('fails with the reason the model cannot be resolved, before any job', async () => {
    const output = createOutput();
    await output.renderModel(
      new FakeModel({
        [MIME_TYPE]: { ...SPEC, model: { url: 'https://elsewhere.org/m.json' } }
      })
    );
    await flush();
    expect(output.node.dataset.state).toBe('failed');
    expect(output.runState.error).toContain('elsewhere.org');
    expect(engine.run).not.toHaveBeenCalled();
    output.dispose();
  });

  it('lays out an atlas of every channel from the job, without remounting', async () => {
    const output = createOutput();
    const model = new FakeModel({ [MIME_TYPE]: ATLAS });
    await output.renderModel(model);
    await flush();
    const atlas = output.node.querySelector('.jp-FeatureViz-atlas-view');
    expect(atlas).not.toBeNull();
    const job = engine.jobs[0];
    expect(job.request).toMatchObject({
      kind: 'layer-atlas',
      layer: 'conv2d_1'
    });
    job.emit({ type: 'running', backend: 'wasm', channels: [0, 1, 2, 3] });
    const cells = () => [
      ...output.node.querySelectorAll('.jp-FeatureViz-cell')
    ];
    expect(cells().map(c => c.getAttribute('data-channel'))).toEqual([
      '0',
      '1',
      '2',
      '3'
    ]);
    const first = cells()[0];
    job.finish(
      ...[0, 8].map(step => ({
        type: 'frame' as const,
        frame: frame(step, { batch: 4, fill: 100 + step }),
        progress: step / 8,
        etaMs: null
      })),
      {
        type: 'done',
        summary: jobSummary({ perImage: [1, 2, 3, 4] })
      }
    );
    await flush();
    expect(output.node.dataset.state).toBe('done');
    expect(output.node.querySelector('.jp-FeatureViz-atlas-view')).toBe(atlas);
    expect(cells()[0]).toBe(first);
    expect(cells()).toHaveLength(4);
    // Four 3×4 cells in a row at scale 4, 2 pixels apart.
    const data = model.data as Record<string, unknown>;
    const png = decodePng(data['image/png'] as string);
    expect([png.width, png.height]).toEqual([4 * 12 + 3 * 2, 16]);
    expect([...png.rgba.subarray(0, 4)]).toEqual([108, 108, 108, 108]);
    expect(data[SUMMARY_MIME_TYPE]).toMatchObject({
      specHash: specHash(ATLAS),
      perImage: [1, 2, 3, 4]
    });
    output.dispose();
  });
});
