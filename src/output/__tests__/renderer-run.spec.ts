/**
 * The output renderer during a run: cancel, failures, and a layer atlas laid
 * out from the job's running event.
 */
import { MIME_TYPE, SUMMARY_MIME_TYPE } from '../../spec';
import { specHash } from '../../spec/hash';
import {
  decodePng,
  frame,
  installCanvas,
  jobSummary
} from '../../views/testing/fixtures';
import {
  ATLAS,
  FakeModel,
  SPEC,
  button,
  fakeOutputs,
  flush,
  until
} from '../testing/fakes';

installCanvas();

const fake = fakeOutputs();

describe('FeatureVizOutput running', () => {
  it('cancels a run from its Cancel button, and runs it again', async () => {
    const output = fake.createOutput();
    const model = new FakeModel({ [MIME_TYPE]: SPEC });
    await output.renderModel(model);
    await flush();
    const job = fake.engine.jobs[0];
    job.emit(
      { type: 'running', backend: 'webgl' },
      { type: 'frame', frame: frame(1), progress: 1 / 8, etaMs: 12400 }
    );
    // Progress is drawn with its frame, in the next animation frame.
    await flush();
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
    expect(fake.engine.run).toHaveBeenCalledTimes(2);
    fake.engine.jobs[1].emit({ type: 'running', backend: 'webgl' });
    expect(output.node.dataset.state).toBe('running');
    output.dispose();
    expect(fake.engine.jobs[1].options.signal?.aborted).toBe(true);
  });

  it('shows the error of a failing run', async () => {
    const message = 'The model has no layer "conv9".';
    fake.engine.onRun = job => {
      job.emit(
        { type: 'running', backend: 'wasm' },
        { type: 'failed', error: { name: 'UnknownLayerError', message } }
      );
      job.reject(new Error(message));
    };
    const output = fake.createOutput();
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

  it('says the kernel restarted when its host cancels the run for that', async () => {
    const output = fake.createOutput();
    await output.renderModel(new FakeModel({ [MIME_TYPE]: SPEC }));
    await flush();
    const job = fake.engine.jobs.at(-1)!;
    job.emit(
      { type: 'running', backend: 'wasm' },
      { type: 'frame', frame: frame(2), progress: 2 / 8, etaMs: 100 }
    );
    output.cancel('the kernel restarted');
    await flush();
    expect(job.options.signal?.aborted).toBe(true);
    expect(output.runState).toMatchObject({
      state: 'cancelled',
      reason: 'the kernel restarted'
    });
    expect(output.node.querySelector('[role=status]')?.textContent).toBe(
      'Cancelled: the kernel restarted, at step 2'
    );
    output.dispose();
  });

  it('shows an interrupted run with its reason and offers a re-run, writing nothing back', async () => {
    const reason =
      'the WebGL context was lost. Feature Viz stopped using WEBGL; Re-run computes this on the next backend';
    const output = fake.createOutput();
    const model = new FakeModel({ [MIME_TYPE]: SPEC });
    await output.renderModel(model);
    await flush();
    const job = fake.engine.jobs.at(-1)!;
    job.emit(
      { type: 'running', backend: 'webgl' },
      { type: 'frame', frame: frame(1), progress: 1 / 8, etaMs: 100 },
      { type: 'interrupted', backend: 'webgl', reason }
    );
    job.reject(Object.assign(new Error(reason), { name: 'InterruptedError' }));
    await flush();
    expect(output.node.dataset.state).toBe('interrupted');
    expect(output.node.querySelector('[role=status]')?.textContent).toBe(
      'Interrupted at step 1'
    );
    expect(
      output.node.querySelector('.jp-FeatureViz-run-error')?.textContent
    ).toBe(reason);
    expect(button(output, 'Run again').disabled).toBe(false);
    expect(model.setData).not.toHaveBeenCalled();
    output.dispose();
  });

  it('fails with the reason the model cannot be resolved, before any job', async () => {
    const output = fake.createOutput();
    await output.renderModel(
      new FakeModel({
        [MIME_TYPE]: { ...SPEC, model: { url: 'https://elsewhere.org/m.json' } }
      })
    );
    await flush();
    expect(output.node.dataset.state).toBe('failed');
    expect(output.runState.error).toContain('elsewhere.org');
    expect(fake.engine.run).not.toHaveBeenCalled();
    output.dispose();
  });

  it("refuses a path into Jupyter's API before any request, and its error shows no query", async () => {
    const fetch = jest.fn();
    const original = globalThis.fetch;
    globalThis.fetch = fetch as unknown as typeof globalThis.fetch;
    try {
      const output = fake.createOutput();
      await output.renderModel(
        new FakeModel({
          [MIME_TYPE]: {
            ...SPEC,
            model: {
              url: 'http://localhost/api/contents/secret.txt?content=1&_xsrf=abc'
            }
          }
        })
      );
      await flush();
      expect(output.node.dataset.state).toBe('failed');
      const error = output.node.querySelector('.jp-FeatureViz-run-error');
      expect(error?.textContent).toMatch(
        /^http:\/\/localhost\/api\/contents\/secret\.txt: the model lies outside/
      );
      expect(error?.textContent).not.toMatch(/content=|_xsrf|abc/);
      expect(fake.engine.run).not.toHaveBeenCalled();
      expect(fetch).not.toHaveBeenCalled();
      output.dispose();
    } finally {
      globalThis.fetch = original;
    }
  });

  it('lays out an atlas of every channel from the job, without remounting', async () => {
    const output = fake.createOutput();
    const model = new FakeModel({ [MIME_TYPE]: ATLAS });
    await output.renderModel(model);
    await flush();
    const atlas = output.node.querySelector('.jp-FeatureViz-atlas-view');
    expect(atlas).not.toBeNull();
    const job = fake.engine.jobs[0];
    expect(job.request).toMatchObject({
      kind: 'layer-atlas',
      layer: 'conv2d_1'
    });
    job.emit({ type: 'running', backend: 'wasm', channels: [0, 1, 2, 3] });
    await flush();
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
    await until(() => model.setData.mock.calls.length > 0);
    expect(output.node.dataset.state).toBe('done');
    expect(output.node.querySelector('.jp-FeatureViz-atlas-view')).toBe(atlas);
    expect(cells()[0]).toBe(first);
    expect(cells()).toHaveLength(4);
    // Four 3×4 cells in a row, each 56× (4 pixels become 224): 168×224;
    // the live grid showed them 24× (96 pixels a cell) with 12 pixels
    // between cells, so gaps are 12 × 56/24 = 28 pixels and two caption
    // lines ("ch 0", its value) take (3 + 2 × 15) × 56/24 = 77 pixels.
    const data = model.data as Record<string, unknown>;
    const png = decodePng(data['image/png'] as string);
    expect([png.width, png.height]).toEqual([4 * 168 + 3 * 28, 224 + 77]);
    expect([...png.rgba.subarray(0, 4)]).toEqual([108, 108, 108, 108]);
    expect(model.metadata).toEqual({
      'image/png': {
        width: 4 * 72 + 3 * 12,
        height: Math.round((301 * 24) / 56)
      }
    });
    expect(data[SUMMARY_MIME_TYPE]).toMatchObject({
      specHash: specHash(ATLAS),
      perImage: [1, 2, 3, 4]
    });
    output.dispose();
  });
});
