/**
 * The output renderer against a fake engine: what it runs and writes back,
 * saved results, untrusted notebooks, invalid specs.
 */
import { MIME_TYPE, SUMMARY_MIME_TYPE } from '../../spec';
import { specHash } from '../../spec/hash';
import type { IViewProps } from '../../views/view';
import { VIEWS } from '../view-table';
import {
  decodePng,
  installCanvas,
  jobSummary
} from '../../views/testing/fixtures';
import {
  ASSETS,
  FakeModel,
  PNG,
  SPEC,
  button,
  fakeOutputs,
  flush,
  until,
  threeFrames
} from '../testing/fakes';

installCanvas();

const fake = fakeOutputs();

/** The summary of a saved result of SPEC. */
const SAVED = {
  ...jobSummary(),
  version: 1,
  specHash: specHash(SPEC),
  savedAt: '2025-01-01T00:00:00.000Z'
};

/** SPEC with a result saved for another version of it. */
const OTHER_SAVED = {
  [MIME_TYPE]: SPEC,
  'image/png': PNG,
  [SUMMARY_MIME_TYPE]: {
    ...SAVED,
    specHash: specHash({ ...SPEC, optimization: { steps: 9 } })
  }
};

describe('FeatureVizOutput', () => {
  it('runs the spec in the engine and writes the PNG and summary back', async () => {
    fake.engine.onRun = threeFrames;
    const output = fake.createOutput();
    const model = new FakeModel({ [MIME_TYPE]: SPEC });
    await output.renderModel(model);
    await flush();

    expect(fake.engine.run).toHaveBeenCalledTimes(1);
    expect(fake.engine.jobs[0].request).toEqual({
      kind: 'gradient-ascent',
      model: {
        url: `${ASSETS}models/mnist-cnn/model.json`,
        format: 'layers',
        maxWeightBytes: 100e6,
        allowedPrefixes: [`${ASSETS}models/mnist-cnn/`]
      },
      objective: SPEC.objective,
      optimization: expect.objectContaining({ steps: 8 }),
      // The settings' caps: 1024 MB, 10 minutes.
      limits: { maxBytes: 1024e6, maxMs: 600000 }
    });
    expect(output.node.dataset.state).toBe('done');
    expect(output.node.querySelector('.jp-FeatureViz-view')?.textContent).toBe(
      'Gradient ascent'
    );
    expect(fake.track).toHaveBeenCalledWith(output, true);

    await until(() => model.setData.mock.calls.length > 0);
    expect(model.setData).toHaveBeenCalledTimes(1);
    const data = model.data as Record<string, unknown>;
    expect(data[MIME_TYPE]).toBe(SPEC);
    expect(data).not.toHaveProperty(['image/gif']);
    // The last frame, 3×4, drawn 56× (4 pixels become 224): 168×224, every
    // byte 80; shown as the live view did, at 16×: 48×64.
    const png = decodePng(data['image/png'] as string);
    expect([png.width, png.height]).toEqual([168, 224]);
    expect(png.rgba).toHaveLength(168 * 224 * 4);
    expect(png.rgba.every(b => b === 80)).toBe(true);
    // Shown live at 48× (a lone 3×4 image made about 224 pixels tall).
    expect(model.metadata).toEqual({
      'image/png': { width: 144, height: 192 }
    });
    const summary = JSON.parse(JSON.stringify(data[SUMMARY_MIME_TYPE]));
    expect(summary).toEqual({
      version: 1,
      specHash: specHash(SPEC),
      kind: 'gradient-ascent',
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
    expect(fake.engine.run).toHaveBeenCalledTimes(1);
    output.dispose();
    expect(fake.track).toHaveBeenLastCalledWith(output, false);
  });

  it('keeps the animation as a GIF when the spec asks for it', async () => {
    fake.engine.onRun = threeFrames;
    const output = fake.createOutput();
    const model = new FakeModel({
      [MIME_TYPE]: { ...SPEC, display: { keepFrames: true } }
    });
    await output.renderModel(model);
    await until(() => model.setData.mock.calls.length > 0);
    const gif = (model.data as Record<string, string>)['image/gif'];
    expect(atob(gif).slice(0, 6)).toBe('GIF89a');
    output.dispose();
  });

  it('shows a saved result of the same spec at its live size, without asking the engine', async () => {
    const output = fake.createOutput();
    await output.renderModel(
      new FakeModel(
        {
          [MIME_TYPE]: SPEC,
          'image/png': `${PNG}\n`,
          [SUMMARY_MIME_TYPE]: SAVED
        },
        true,
        { 'image/png': { width: 870, height: 120 } }
      )
    );
    await flush();
    expect(output.node.dataset.state).toBe('stored');
    expect(fake.engine.run).not.toHaveBeenCalled();
    const img = output.node.querySelectorAll('img.jp-FeatureViz-stored');
    expect(img).toHaveLength(1);
    expect(img[0].getAttribute('src')).toBe(`data:image/png;base64,${PNG}`);
    expect((img[0] as HTMLImageElement).style.width).toBe('870px');
    expect(output.node.querySelector('.jp-FeatureViz-saved')?.textContent).toBe(
      'Saved result: 8 steps on wasm, objective 0.8000. Re-run to compute it again.'
    );
    // Re-run computes it again.
    button(output, 'Run again').click();
    await flush();
    expect(fake.engine.run).toHaveBeenCalledTimes(1);
    expect(output.node.dataset.state).toBe('queued');
    // The saved picture holds its place, dimmed, until the new run's first
    // frame: the run bar under it must not move as Cancel is clicked.
    expect(
      output.node.querySelectorAll(
        '.jp-FeatureViz-player.jp-mod-stale img.jp-FeatureViz-stored'
      )
    ).toHaveLength(1);
    output.dispose();
  });

  it('computes again when its cell just ran with another spec than the saved one', async () => {
    const output = fake.createOutput();
    await output.renderModel(new FakeModel(OTHER_SAVED));
    await flush();
    expect(fake.engine.run).toHaveBeenCalledTimes(1);
    output.dispose();
  });

  describe('read from a saved notebook (its cell did not just run)', () => {
    const notFresh = jest.fn(() => false);

    it('starts nothing: it says so and offers Run', async () => {
      const output = fake.createOutput(notFresh);
      await output.renderModel(new FakeModel({ [MIME_TYPE]: SPEC }));
      await flush();
      expect(notFresh).toHaveBeenCalledWith(specHash(SPEC));
      expect(fake.engine.run).not.toHaveBeenCalled();
      expect(output.node.dataset.state).toBe('idle');
      expect(
        output.node.querySelector('.jp-FeatureViz-idle')?.textContent
      ).toMatch(/^Not run yet/);
      button(output, 'Run the visualization').click();
      await flush();
      expect(fake.engine.run).toHaveBeenCalledTimes(1);
      output.dispose();
    });

    it('shows a result saved for another spec as such, and starts nothing', async () => {
      const output = fake.createOutput(notFresh);
      await output.renderModel(new FakeModel(OTHER_SAVED));
      await flush();
      expect(fake.engine.run).not.toHaveBeenCalled();
      expect(output.node.dataset.state).toBe('stored');
      expect(
        output.node.querySelector('img.jp-FeatureViz-stored')
      ).not.toBeNull();
      expect(
        output.node.querySelector('.jp-FeatureViz-saved')?.textContent
      ).toBe(
        'Saved result of an earlier version of this output. Run it again to compute this one.'
      );
      output.dispose();
    });

    it('trusting the notebook shows the saved result and the Run button, and starts nothing', async () => {
      const output = fake.createOutput(notFresh);
      const data = {
        [MIME_TYPE]: SPEC,
        'image/png': PNG,
        [SUMMARY_MIME_TYPE]: SAVED
      };
      await output.renderModel(new FakeModel(data, false));
      await flush();
      expect(output.node.dataset.state).toBe('untrusted');
      // JupyterLab renders every output again, trusted, when a notebook is trusted.
      await output.renderModel(new FakeModel(data, true));
      await flush();
      expect(output.node.dataset.state).toBe('stored');
      expect(button(output, 'Run again').disabled).toBe(false);
      expect(fake.engine.run).not.toHaveBeenCalled();
      output.dispose();
    });
  });

  it('in an untrusted notebook, shows the saved image and asks nothing of the engine or network', async () => {
    const fetch = jest.fn(() => {
      throw new Error('an untrusted output fetched something');
    });
    const original = globalThis.fetch;
    globalThis.fetch = fetch as unknown as typeof globalThis.fetch;
    try {
      const output = fake.createOutput();
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
        fake.engine.run,
        fake.engine.status,
        fake.engine.describeModel,
        fake.engine.describeDataset
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
    const output = fake.createOutput();
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
    expect(fake.engine.run).not.toHaveBeenCalled();
    output.dispose();
  });

  it("lets a view ask the engine for examples of its job's data (PCA thumbnails)", async () => {
    const table = VIEWS as unknown as Record<
      string,
      { mount: (...args: unknown[]) => unknown }
    >;
    const entry = table.pca;
    let props: IViewProps | null = null;
    table.pca = {
      ...entry,
      mount: (host, spec, given, options) => {
        props = given as IViewProps;
        return entry.mount(host, spec, given, options);
      }
    };
    const output = fake.createOutput();
    try {
      await output.renderModel(
        new FakeModel({
          [MIME_TYPE]: {
            version: 1,
            view: 'pca',
            model: { builtin: 'mnist-cnn' },
            layer: 'conv2d',
            data: { builtin: 'mnist', split: 'test' }
          }
        })
      );
    } finally {
      table.pca = entry;
    }
    const ask = (props as IViewProps | null)?.examples;
    expect(ask).toBeDefined();
    await until(() => fake.engine.jobs.length === 1);
    const job = fake.engine.jobs[0].request as { data?: unknown };
    fake.engine.examplePixels.mockResolvedValueOnce({
      imageShape: [28, 28, 1],
      pixels: new Uint8Array(784)
    });
    const pixels = await ask?.([12], [28, 28, 1]);
    expect(pixels).toHaveLength(784);
    expect(fake.engine.examplePixels).toHaveBeenCalledWith({
      data: job.data,
      shape: [28, 28, 1],
      indices: [12]
    });
    expect(job.data).toMatchObject({ source: 'bundled', split: 'test' });
    output.dispose();
  });

  it('says when this version has no view for a spec', async () => {
    // Every view of the schema has an entry now: take PCA's away, as in a
    // version that lacked it.
    const table = VIEWS as Record<string, unknown>;
    const entry = table.pca;
    delete table.pca;
    const output = fake.createOutput();
    try {
      await output.renderModel(
        new FakeModel({
          [MIME_TYPE]: {
            version: 1,
            view: 'pca',
            model: { builtin: 'mnist-cnn' },
            layer: 'conv2d',
            data: { builtin: 'mnist' }
          },
          'image/png': PNG
        })
      );
    } finally {
      table.pca = entry;
    }
    expect(output.node.dataset.state).toBe('unavailable');
    expect(
      output.node.querySelector('img.jp-FeatureViz-stored')
    ).not.toBeNull();
    expect(fake.engine.run).not.toHaveBeenCalled();
    output.dispose();
  });
});
