/**
 * Occlusion, saliency and filters outputs: the job the output asks for (the
 * bundled digit's manifest and index, or the kernel's arrays by key), the figure
 * drawn from the result and written back, the saved summary read back and
 * worded, and what goes back to the kernel.
 */
import {
  fakeOutputs,
  FakeModel,
  flush,
  ASSETS,
  FILES,
  settings,
  until
} from '../testing/fakes';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type {
  IOcclusionResult,
  JobSummaryOf
} from '../../engine/runtime/protocol';
import { kernelResult } from '../../kernel/results';
import { MIME_TYPE, SUMMARY_MIME_TYPE } from '../../spec';
import { installCanvas } from '../../views/testing/fixtures';
import { installRecordingCanvas } from '../../views/testing/canvas-2d';
import type { FeatureVizOutput } from '../renderer';
import { createRendererFactory } from '../renderer-factory';
import { readSummary, storedSummary } from '../stored';
import { FakeEngine } from '../testing/fakes';

installCanvas();
installRecordingCanvas();

const fake = fakeOutputs();

const OCCLUSION = {
  version: 1,
  view: 'occlusion',
  model: { builtin: 'mnist-cnn' },
  target: { type: 'logit', index: 8 },
  data: { builtin: 'mnist', split: 'test', index: 2 },
  size: 7
};

const summary: JobSummaryOf<'occlusion'> = {
  kind: 'occlusion',
  backend: 'wasm',
  elapsedMs: 812.4,
  example: 'mnist test #2',
  unit: 'logit 8',
  value: 11.26,
  label: 8,
  predicted: 8,
  size: 7,
  stride: 7,
  fill: 0,
  rows: 4,
  cols: 4,
  largestDrop: { percent: -49.5, row: 3, col: 3 },
  changedPrediction: 0
};

function result(): IOcclusionResult {
  const change = Float32Array.from({ length: 16 }, (_, i) => -i * 3.3);
  return {
    kind: 'occlusion',
    input: {
      height: 28,
      width: 28,
      channels: 1,
      values: new Float32Array(784).fill(0.5),
      range: [0, 1],
      label: 8,
      name: 'mnist test #2'
    },
    example: 'mnist test #2',
    unit: 'logit 8',
    value: 11.26,
    label: 8,
    predicted: 8,
    grid: { rows: 4, cols: 4, size: 7, stride: 7 },
    fill: 0,
    values: change.map(c => 11.26 * (1 + c / 100)),
    change,
    map: new Float32Array(784),
    predictions: new Int32Array(16).fill(8)
  };
}

describe('an occlusion output', () => {
  it('asks for the bundled digit, draws the result and writes the figure back', async () => {
    const output = fake.createOutput();
    const model = new FakeModel({ [MIME_TYPE]: OCCLUSION });
    await output.renderModel(model);
    await flush();
    const [job] = fake.engine.jobs;
    expect(job.request).toEqual({
      kind: 'occlusion',
      model: expect.objectContaining({
        url: `${ASSETS}models/mnist-cnn/model.json`
      }),
      input: {
        source: 'data',
        data: {
          source: 'bundled',
          url: `${ASSETS}datasets/mnist/mnist.json`,
          split: 'test',
          limit: undefined
        },
        index: 2
      },
      target: { type: 'logit', index: 8 },
      size: 7,
      stride: undefined,
      fill: undefined,
      limits: { maxBytes: 1024e6, maxMs: 600000 }
    });
    job.finish(
      { type: 'running', backend: 'wasm' },
      { type: 'progress', done: 16, total: 16, unit: 'positions', etaMs: null },
      { type: 'done', summary, result: result() }
    );
    await flush();
    expect(output.node.dataset.state).toBe('done');
    expect(output.node.querySelectorAll('td')).toHaveLength(16);
    // The figure is encoded asynchronously, then written back.
    await until(() => output.node.dataset.saved === 'true');
    const written = model.setData.mock.calls[0][0].data ?? {};
    expect(written['image/png']).toMatch(/^iVBORw0KGgo/);
    expect(written[SUMMARY_MIME_TYPE]).toMatchObject({
      kind: 'occlusion',
      example: 'mnist test #2',
      largestDrop: { percent: -49.5, row: 3, col: 3 }
    });

    // Reopened: the saved figure and what it says, nothing computed.
    const again = fake.createOutput();
    await again.renderModel(new FakeModel(model.data));
    await flush();
    expect(fake.engine.jobs).toHaveLength(1);
    expect(again.node.querySelector('img')).not.toBeNull();
    expect(again.node.querySelector('.jp-FeatureViz-saved')?.textContent).toBe(
      'Saved result: 16 positions of a 7×7 square on mnist test #2, logit 8 11.3, largest drop −50%. Re-run to compute it again.'
    );
    output.dispose();
    again.dispose();
  });

  it("asks the page for a kernel's array by key and names its example", async () => {
    const engine = new FakeEngine();
    const kernelArrays = jest.fn(async () => undefined);
    const factory = createRendererFactory({
      engine,
      settings: () => settings,
      assetUrl: path => `${ASSETS}${path}`,
      filesUrl: FILES,
      freshOutput: () => true,
      kernelArrays
    });
    const output = factory.createRenderer({
      mimeType: MIME_TYPE,
      resolver: null
    } as unknown as IRenderMime.IRendererOptions) as FeatureVizOutput;
    const key = 'a'.repeat(64);
    await output.renderModel(
      new FakeModel({
        [MIME_TYPE]: {
          version: 1,
          view: 'saliency',
          model: { builtin: 'mnist-cnn' },
          data: { kernel: key, shape: [1, 28, 28], dtype: 'uint8', index: 0 },
          methods: ['gradient', 'grad-cam']
        }
      })
    );
    await flush();
    expect(kernelArrays).toHaveBeenCalledWith(
      output.node,
      key,
      expect.anything()
    );
    expect(engine.jobs[0].request).toMatchObject({
      kind: 'saliency',
      methods: ['gradient', 'grad-cam'],
      input: { source: 'data', data: { source: 'kernel', key }, index: 0 }
    });
    output.dispose();
  });
});

describe('attribution summaries and results', () => {
  it('reads a saved summary back field by field', () => {
    const saved = JSON.parse(JSON.stringify(storedSummary(summary, 'h')));
    expect(readSummary(saved)).toEqual({ ...saved, elapsedMs: 812 });
    expect(readSummary({ ...saved, rows: 'four' })).toBeNull();
    const saliency = storedSummary(
      {
        kind: 'saliency',
        backend: 'cpu',
        elapsedMs: 1,
        example: 'kernel array',
        unit: 'logit 3',
        value: 2,
        label: null,
        predicted: 3,
        methods: [
          {
            method: 'integrated-gradients',
            completeness: { sum: 1, delta: 1, error: 0 }
          },
          { method: 'grad-cam', camLayer: 'conv2d_1' }
        ]
      },
      'h'
    );
    const read = readSummary(JSON.parse(JSON.stringify(saliency)));
    expect(read).toMatchObject({
      methods: saliency.kind === 'saliency' ? saliency.methods : []
    });
    expect(
      readSummary({
        ...JSON.parse(JSON.stringify(saliency)),
        methods: [{ method: 'lime' }]
      })
    ).toBeNull();
  });

  it('sends the kernel the maps as arrays, not the figure', () => {
    const message = kernelResult('occlusion', result(), summary);
    expect(message?.arrays.map(a => [a.name, a.shape])).toEqual([
      ['input', [28, 28, 1]],
      ['values', [4, 4]],
      ['change', [4, 4]],
      ['map', [28, 28]],
      ['predictions', [4, 4]]
    ]);
    expect(message?.summary).toMatchObject({ kind: 'occlusion', rows: 4 });
  });
});
