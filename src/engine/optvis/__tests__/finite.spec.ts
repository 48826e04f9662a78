import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../testing/backends';
import { NonFiniteRunError } from '../../errors';
import { LayersExecutor } from '../../model/executor';
import { runGradientAscent } from '../ascent';
import { allFinite, firstNonFiniteLayer } from '../finite';
import type { IFrame } from '../render';

async function collect(
  gen: AsyncGenerator<IFrame, IFrame, undefined>
): Promise<IFrame[]> {
  const frames: IFrame[] = [];
  for await (const f of gen) {
    frames.push(f);
  }
  return frames;
}

/** flat → small → big (weights 3e38: overflows to infinity) → out. */
function overflowingModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [6, 6, 1], name: 'flat' }),
      tf.layers.dense({ units: 4, name: 'small' }),
      tf.layers.dense({ units: 4, name: 'big' }),
      tf.layers.dense({ units: 2, name: 'out' })
    ]
  });
  tf.tidy(() => {
    const small = model.getLayer('small');
    small.setWeights([tf.fill([36, 4], 0.5), tf.fill([4], 1)]);
    model.getLayer('big').setWeights([tf.fill([4, 4], 3e38), tf.zeros([4])]);
    model.getLayer('out').setWeights([tf.ones([4, 2]), tf.zeros([2])]);
  });
  return model;
}

describe('finite checks', () => {
  beforeAll(() => useBackend('cpu'));

  it('tells finite values from NaN and infinities', () => {
    expect(allFinite([0, -1, 3.4e38])).toBe(true);
    expect(allFinite(new Float32Array([1, NaN]))).toBe(false);
    expect(allFinite([Infinity])).toBe(false);
    expect(allFinite([-Infinity])).toBe(false);
  });

  it('names the first layer whose activations overflow, as tfjs predict sees it', async () => {
    const model = overflowingModel();
    const executor = new LayersExecutor(model);
    const input = tf.fill([1, 6, 6, 1], 0.5) as tf.Tensor4D;
    // Oracle: tfjs-layers' own predict through sub-models, layer by layer.
    const oracle: string[] = [];
    for (const name of ['flat', 'small', 'big', 'out']) {
      const sub = tf.model({
        inputs: model.inputs,
        outputs: model.getLayer(name).output as tf.SymbolicTensor
      });
      const out = sub.predict(input) as tf.Tensor;
      if (!allFinite(await out.data())) {
        oracle.push(name);
      }
      out.dispose();
    }
    expect(oracle[0]).toBe('big');
    // The executor keeps what it computes from the weights on first use.
    expect(await firstNonFiniteLayer(executor, input)).toBe(oracle[0]);
    const baseline = tf.memory().numTensors;
    expect(await firstNonFiniteLayer(executor, input)).toBe(oracle[0]);
    expect(tf.memory().numTensors).toBe(baseline);
    input.dispose();
    executor.dispose();
    model.dispose();
  });

  it('fails a run whose objective overflows at its first frame, naming the layer, freeing everything', async () => {
    const model = overflowingModel();
    const executor = new LayersExecutor(model);
    const frames: IFrame[] = [];
    const run = async () => {
      for await (const f of runGradientAscent(
        { type: 'neuron', layer: 'out', channel: 0 },
        { steps: 4, preset: 'plain' },
        { executor }
      )) {
        frames.push(f);
      }
    };
    await expect(run()).rejects.toThrow(NonFiniteRunError);
    // The first run made the executor's kept tensors: count from here.
    const baseline = tf.memory().numTensors;
    await expect(run()).rejects.toThrow(
      'The run stopped at step 0: the objective is not a finite number; the first layer whose activations are not finite is "big"'
    );
    expect(frames).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
    executor.dispose();
    model.dispose();
  });

  it('fails a run that turns non-finite mid-run (a huge learning rate), never yielding that frame', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [6, 6, 1], name: 'flat' }),
        tf.layers.dense({ units: 1, name: 'square', useBias: false })
      ]
    });
    model.getLayer('square').setWeights([tf.fill([36, 1], 1e18)]);
    const executor = new LayersExecutor(model);
    // The executor keeps what it computes from the weights on first use.
    await collect(
      runGradientAscent(
        { type: 'neuron', layer: 'square', channel: 0 },
        { steps: 1, preset: 'plain' },
        { executor }
      )
    );
    const baseline = tf.memory().numTensors;
    const frames: IFrame[] = [];
    // SGD with lr 1e20 on pixels: x + 1e20·1e18 leaves float32's range.
    const run = collect(
      runGradientAscent(
        { type: 'neuron', layer: 'square', channel: 0 },
        {
          steps: 4,
          frameEvery: 1,
          preset: 'plain',
          param: 'pixel',
          squash: 'none',
          transforms: 'none',
          optimizer: { type: 'sgd', lr: 1e20 }
        },
        { executor }
      )
    ).then(f => frames.push(...f));
    await expect(run).rejects.toThrow(
      /stopped at step 1: .* the first layer whose activations are not finite is "square"/
    );
    expect(frames.every(f => allFinite(f.perImage))).toBe(true);
    expect(tf.memory().numTensors).toBe(baseline);
    executor.dispose();
    model.dispose();
  });
});
