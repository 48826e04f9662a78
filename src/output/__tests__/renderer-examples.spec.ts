/**
 * The output renderer with a result view: the data resolved into the job,
 * progress in images, the result drawn and written back with its summary,
 * the result (or the failure) sent to the kernel for the output's id, a
 * saved result reopened without computing, and kernel arrays asked for by
 * key.
 */
import { MIME_TYPE, SUMMARY_MIME_TYPE } from '../../spec';
import type { IKernelBridge } from '../../kernel/bridge';
import {
  installCanvas,
  topExamplesResult,
  topExamplesSummary
} from '../../views/testing/fixtures';
import {
  ASSETS,
  FakeEngine,
  FakeModel,
  createOutput,
  flush,
  until
} from '../testing/fakes';

installCanvas();

const TOP = {
  version: 1,
  view: 'top-examples',
  model: { builtin: 'mnist-cnn' },
  target: { type: 'logit', index: 8 },
  data: { builtin: 'mnist', limit: 300 },
  k: 3,
  bottom: true
};
const ID = 'ab'.repeat(16);

function fakeBridge(): IKernelBridge & {
  sendResult: jest.Mock;
  sendFailure: jest.Mock;
} {
  return {
    attach: jest.fn(),
    fetchArrays: jest.fn(),
    sendResult: jest.fn(),
    sendFailure: jest.fn()
  };
}

describe('FeatureVizOutput with top examples', () => {
  it('runs the pass, draws the ranking, writes it back and sends it to the kernel', async () => {
    const engine = new FakeEngine();
    const bridge = fakeBridge();
    const output = createOutput(engine, undefined, undefined, {
      kernelFor: () => bridge
    });
    const model = new FakeModel({ [MIME_TYPE]: TOP }, true, {
      [MIME_TYPE]: { resultId: ID }
    });
    await output.renderModel(model);
    await flush();
    const job = engine.jobs[0];
    expect(job.request).toEqual({
      kind: 'top-examples',
      model: {
        url: `${ASSETS}models/mnist-cnn/model.json`,
        format: 'layers',
        maxWeightBytes: 100e6,
        allowedPrefixes: [`${ASSETS}models/mnist-cnn/`]
      },
      limits: { maxBytes: 1024e6, maxMs: 600000 },
      target: { type: 'logit', index: 8 },
      data: {
        source: 'bundled',
        url: `${ASSETS}datasets/mnist/mnist.json`,
        split: 'test',
        limit: 300
      },
      k: 3,
      bottom: true,
      patches: undefined
    });
    expect(bridge.attach).toHaveBeenCalled();
    job.emit(
      { type: 'running', backend: 'wasm' },
      { type: 'progress', done: 256, total: 300, unit: 'images', etaMs: 2100 }
    );
    expect(output.node.querySelector('[role=status]')?.textContent).toBe(
      'Running: 256 of 300 images, about 2 s left'
    );
    const result = topExamplesResult({ bottom: true });
    const summary = topExamplesSummary(result);
    job.finish({ type: 'done', summary, result });
    await flush();
    expect(output.node.querySelectorAll('.jp-FeatureViz-example')).toHaveLength(
      6
    );
    expect(output.node.dataset.state).toBe('done');
    // The sheet is encoded asynchronously, then written back.
    await until(() => output.node.dataset.saved === 'true');
    const data = model.data;
    expect(typeof data['image/png']).toBe('string');
    expect(data[SUMMARY_MIME_TYPE]).toMatchObject({
      kind: 'top-examples',
      count: 300,
      top: { indices: [100, 101, 102] }
    });
    expect(bridge.sendResult).toHaveBeenCalledTimes(1);
    const [id, sent] = bridge.sendResult.mock.calls[0];
    expect(id).toBe(ID);
    expect(sent.kind).toBe('top-examples');
    expect(
      sent.arrays.map((a: { name: string; data: ArrayLike<number> }) => [
        a.name,
        Array.from(a.data)
      ])
    ).toEqual([
      ['indices', [100, 101, 102]],
      ['values', [9.5, 8.5, 7.5]],
      ['labels', [0, 1, 2]],
      ['predictions', [1, 2, 0]],
      ['bottom_indices', [500, 501, 502]],
      ['bottom_values', [9.5, 8.5, 7.5]],
      ['bottom_labels', [0, 1, 2]],
      ['bottom_predictions', [1, 2, 0]]
    ]);

    // Reopened (same spec): the saved grid, no computing.
    const again = createOutput(engine);
    await again.renderModel(new FakeModel(model.data));
    await flush();
    expect(engine.jobs).toHaveLength(1);
    expect(again.node.querySelector('.jp-FeatureViz-saved')?.textContent).toBe(
      'Saved result: 300 images on wasm. Re-run to compute it again.'
    );
    expect(again.node.querySelectorAll('li')).toHaveLength(6);
    output.dispose();
    again.dispose();
  });

  it('tells the kernel when the run fails', async () => {
    const engine = new FakeEngine();
    const bridge = fakeBridge();
    const output = createOutput(engine, undefined, undefined, {
      kernelFor: () => bridge
    });
    await output.renderModel(
      new FakeModel({ [MIME_TYPE]: TOP }, true, {
        [MIME_TYPE]: { resultId: ID }
      })
    );
    await flush();
    engine.jobs[0].emit({ type: 'running', backend: 'wasm' });
    engine.jobs[0].reject(new Error('Layer "logits" has 10 units.'));
    await flush();
    expect(bridge.sendFailure).toHaveBeenCalledWith(
      ID,
      'Layer "logits" has 10 units.'
    );
    expect(bridge.sendResult).not.toHaveBeenCalled();
    output.dispose();
  });

  it('asks the page for kernel arrays by key before running', async () => {
    const engine = new FakeEngine();
    const kernelArrays = jest.fn(async () => undefined);
    const output = createOutput(engine, undefined, undefined, { kernelArrays });
    const key = 'c'.repeat(64);
    await output.renderModel(
      new FakeModel({
        [MIME_TYPE]: {
          ...TOP,
          data: { kernel: key, shape: [20, 28, 28], dtype: 'uint8', limit: 10 }
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
      data: { source: 'kernel', key, limit: 10 }
    });
    output.dispose();

    // Without a kernel: a clear error, no job.
    const lone = createOutput(engine);
    await lone.renderModel(
      new FakeModel({
        [MIME_TYPE]: {
          ...TOP,
          data: { kernel: key, shape: [20, 28, 28], dtype: 'uint8' }
        }
      })
    );
    await flush();
    expect(engine.jobs).toHaveLength(1);
    expect(lone.node.querySelector('[role=alert]')?.textContent).toMatch(
      /not in a notebook with a running kernel/
    );
    lone.dispose();
  });
});
