import * as tf from '@tensorflow/tfjs';
import { maxAbsDiff, useBackend, values } from '../../testing/backends';
import {
  CancelledError,
  ChannelOutOfRangeError,
  UnknownLayerError,
  UnsupportedLayerError
} from '../../errors';
import type { Objective as ObjectiveSpec } from '../../../spec/types.generated';
import { INPUT, wholeRef } from '../../model/activation-ref';
import { type IExecutor, LayersExecutor } from '../../model/executor';
import { pickSelection } from '../../model/layers/channels';
import {
  type IOptimizationConfig,
  runGradientAscent,
  runLayerAtlas,
  runObjective
} from '../ascent';
import { Objective } from '../objective';
import type { IFrame } from '../render';
import { channel, classLogit, deepdream, neuron } from '../units';

async function collect(
  gen: AsyncGenerator<IFrame, IFrame, undefined>
): Promise<IFrame[]> {
  const frames: IFrame[] = [];
  for await (const f of gen) {
    frames.push(f);
  }
  return frames;
}

function seededModel(
  build: () => tf.LayersModel,
  seed: number
): tf.LayersModel {
  const model = build();
  let s = seed;
  for (const layer of model.layers) {
    const w = layer.getWeights();
    if (w.length) {
      layer.setWeights(
        w.map(t =>
          tf.tidy(() => tf.randomNormal(t.shape, 0, 0.3, 'float32', s++))
        )
      );
    }
  }
  return model;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

function pearson(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  return cosine(
    a.map(x => x - ma),
    b.map(x => x - mb)
  );
}

/** The final image as floats, from a frame's RGBA bytes (red channel). */
function frameImage(frame: IFrame): number[] {
  const out: number[] = [];
  for (let i = 0; i < frame.rgba.length; i += 4) {
    out.push(frame.rgba[i] / 255);
  }
  return out;
}

const mnistLike = (): tf.LayersModel =>
  tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [16, 16, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv2d'
      }),
      tf.layers.conv2d({
        filters: 12,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv2d_1'
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'max_pooling2d' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 16, activation: 'relu', name: 'dense' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'logits' })
    ]
  });

describe('gradient ascent', () => {
  beforeAll(() => useBackend('cpu'));

  it('converges to the weight vector when the unit is linear (Dense)', async () => {
    const model = seededModel(
      () =>
        tf.sequential({
          layers: [
            tf.layers.flatten({ inputShape: [6, 6, 1], name: 'flat' }),
            tf.layers.dense({ units: 3, name: 'dense' })
          ]
        }),
      1
    );
    const executor = new LayersExecutor(model);
    // w·x − mean(x²)·36/2 has its maximum at x = w: an L2-bounded ascent.
    const objective = classLogit('dense', 1).sub(deepdream(INPUT).scale(18));
    const config: IOptimizationConfig = {
      preset: 'plain',
      param: 'pixel',
      squash: 'none',
      transforms: 'none',
      steps: 300,
      optimizer: { type: 'adam', lr: 0.05 }
    };
    const frames = await collect(runObjective(objective, config, { executor }));
    const last = frames[frames.length - 1];
    const w = tf.tidy(() =>
      values(tf.slice(model.getLayer('dense').getWeights()[0], [0, 1], [36, 1]))
    );
    // Bytes clip to [0, 1], so compare the raw image instead.
    expect(last.step).toBe(300);
    const image = await lastRawImage(objective, config, executor);
    expect(cosine(image, w)).toBeGreaterThan(0.99);
    executor.dispose();
    model.dispose();
  });

  it('converges to the filter direction at every pixel for a 1×1 conv channel', async () => {
    const model = seededModel(
      () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({
              inputShape: [5, 5, 3],
              filters: 4,
              kernelSize: 1,
              name: 'pointwise'
            })
          ]
        }),
      2
    );
    const executor = new LayersExecutor(model);
    const objective = channel('pointwise', 2).sub(deepdream(INPUT).scale(0.5));
    const config: IOptimizationConfig = {
      preset: 'plain',
      param: 'pixel',
      squash: 'none',
      decorrelate: false,
      transforms: 'none',
      steps: 300
    };
    const image = await lastRawImage(objective, config, executor);
    const w = tf.tidy(() =>
      values(
        tf.reshape(
          tf.slice(
            model.getLayer('pointwise').getWeights()[0],
            [0, 0, 0, 2],
            [1, 1, 3, 1]
          ),
          [3]
        )
      )
    );
    for (let p = 0; p < 25; p++) {
      expect(cosine(image.slice(3 * p, 3 * p + 3), w)).toBeGreaterThan(0.99);
    }
    executor.dispose();
    model.dispose();
  });

  it('draws the filter for a first-layer 3×3 conv neuron, zoomed on its receptive field (pixel parameterization)', async () => {
    const model = seededModel(
      () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({
              inputShape: [9, 9, 1],
              filters: 2,
              kernelSize: 3,
              name: 'conv'
            })
          ]
        }),
      3
    );
    const executor = new LayersExecutor(model);
    // SGD keeps the update proportional to the gradient (the filter); Adam
    // would move every pixel at the same speed and draw only its signs.
    const frames = await collect(
      runObjective(
        neuron('conv', 1),
        {
          preset: 'plain',
          param: 'pixel',
          transforms: 'none',
          steps: 40,
          optimizer: { type: 'sgd', lr: 0.5 }
        },
        { executor }
      )
    );
    // The centre neuron of a 7×7 map sees rows and columns 3–5: the frames
    // show that 3×3 box alone.
    const last = frames[frames.length - 1];
    expect([last.height, last.width]).toEqual([3, 3]);
    const patch = frameImage(last);
    const filter = Array.from(
      tf.tidy(() =>
        values(
          tf.slice(
            model.getLayer('conv').getWeights()[0],
            [0, 0, 0, 1],
            [3, 3, 1, 1]
          )
        )
      )
    );
    expect(pearson(patch, filter)).toBeGreaterThan(0.9);
    executor.dispose();
    model.dispose();
  });

  it('raises channel, neuron, layer and logit objectives on a CNN', async () => {
    const model = seededModel(mnistLike, 4);
    const executor = new LayersExecutor(model);
    const nodes: ObjectiveSpec[] = [
      { type: 'channel', layer: 'conv2d_1', channel: 5 },
      { type: 'neuron', layer: 'conv2d_1', channel: 3 },
      { type: 'layer', layer: 'conv2d' },
      { type: 'logit', index: 8 }
    ];
    for (const node of nodes) {
      const frames = await collect(
        runGradientAscent(node, { steps: 48, frameEvery: 8 }, { executor })
      );
      const values = frames.slice(1).map(f => f.value);
      expect([node.type, values[values.length - 1] > values[0]]).toEqual([
        node.type,
        true
      ]);
    }
    executor.dispose();
    model.dispose();
  });

  it('uses the logits before a final softmax', () => {
    const model = seededModel(mnistLike, 5);
    const executor = new LayersExecutor(model);
    expect(executor.logitsLayer).toEqual({ layer: 'logits', pre: true });
    tf.tidy(() => {
      const x = tf.randomUniform(
        [2, 16, 16, 1],
        0,
        1,
        'float32',
        1
      ) as tf.Tensor4D;
      const [logits] = executor.forward(x, [executor.logitsLayer]);
      const probs = values(model.predict(x) as tf.Tensor);
      expect(maxAbsDiff(values(tf.softmax(logits)), probs)).toBeLessThan(1e-6);
    });
    executor.dispose();
    model.dispose();
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const model = seededModel(mnistLike, 6);
    const executor = new LayersExecutor(model);
    const node: ObjectiveSpec = {
      type: 'channel',
      layer: 'conv2d_1',
      channel: 2
    };
    const run = async (seed: number) =>
      collect(
        runGradientAscent(
          node,
          // A random start: the default start of a zoomed unit is a flat dark image.
          { steps: 12, seed, frameEvery: 4, init: 'noise' },
          { executor }
        )
      );
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(a.map(f => f.step)).toEqual([0, 4, 8, 12]);
    a.forEach((f, i) =>
      expect(Array.from(f.rgba)).toEqual(Array.from(b[i].rgba))
    );
    expect(a[3].value).toBe(b[3].value);
    expect(maxAbsDiff(a[3].rgba, c[3].rgba)).toBeGreaterThan(0);
    executor.dispose();
    model.dispose();
  });

  it('visualizes a whole layer in one batched run (layer atlas)', async () => {
    const model = seededModel(mnistLike, 7);
    const executor = new LayersExecutor(model);
    const frames = await collect(
      runLayerAtlas(
        'conv2d_1',
        [0, 3, 5, 7],
        { preset: 'plain', steps: 24, frameEvery: 12 },
        { executor }
      )
    );
    const [first, last] = [frames[1], frames[frames.length - 1]];
    expect(last.batch).toBe(4);
    expect(last.rgba.length).toBe(4 * 16 * 16 * 4);
    for (let i = 0; i < 4; i++) {
      expect(last.perImage[i]).toBeGreaterThan(first.perImage[i]);
    }
    expect(last.perImage.reduce((a, b) => a + b, 0)).toBeCloseTo(last.value, 4);
    // Four of twelve channels are computed alone (sliced kernels); the same
    // run over the whole layer, each image's channel picked from it, must
    // give the same pictures.
    const whole = Object.create(executor) as IExecutor;
    whole.forward = (x, refs) =>
      executor
        .forward(x, refs.map(wholeRef))
        .map((t, i) => pickSelection(t, refs[i]));
    const reference = await collect(
      runLayerAtlas(
        'conv2d_1',
        [0, 3, 5, 7],
        { preset: 'plain', steps: 24, frameEvery: 12 },
        { executor: whole }
      )
    );
    frames.forEach((f, i) => {
      expect(maxAbsDiff(f.perImage, reference[i].perImage)).toBeLessThan(
        1e-3 * Math.max(1, ...f.perImage.map(Math.abs))
      );
    });
    executor.dispose();
    model.dispose();
  });
});

/** Runs a config and returns the final unsquashed image (the param itself). */
async function lastRawImage(
  objective: ReturnType<typeof channel>,
  config: IOptimizationConfig,
  executor: LayersExecutor
): Promise<Float32Array> {
  // A pixel image with squash 'none' is its own variable; read it through a
  // one-step-longer run's last frame would clip, so rebuild with a probe.
  let captured: Float32Array | null = null;
  const probe = channel(INPUT, 0).scale(0); // reads the image, adds nothing
  const capture = objective.add(probe);
  const spy = Object.create(capture) as typeof capture;
  spy.perImage = (acts, batch) => {
    captured = values(acts({ layer: INPUT })).slice();
    return capture.perImage(acts, batch);
  };
  for await (const _ of runObjective(spy, config, { executor })) {
    // frames are not needed
  }
  return captured as unknown as Float32Array;
}

describe('runs and memory', () => {
  beforeAll(() => useBackend('cpu'));

  it('returns to the tensor baseline after finished, cancelled and failed runs, and 100 runs', async () => {
    const model = seededModel(mnistLike, 8);
    const executor = new LayersExecutor(model);
    const weights = model.getWeights().map(w => values(w).slice());
    // Warm up once so lazily built executor constants exist before the baseline.
    await collect(
      runGradientAscent({ type: 'logit', index: 1 }, { steps: 2 }, { executor })
    );
    const baseline = tf.memory();

    await collect(
      runGradientAscent(
        { type: 'channel', layer: 'conv2d_1', channel: 1 },
        { steps: 5 },
        { executor }
      )
    );
    expect(tf.memory().numTensors).toBe(baseline.numTensors);
    expect(tf.memory().numBytes).toBe(baseline.numBytes);

    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const f of runGradientAscent(
          { type: 'layer', layer: 'conv2d' },
          { steps: 50, frameEvery: 1 },
          { executor, signal: controller.signal }
        )) {
          seen.push(f.step);
          if (f.step === 3) {
            controller.abort();
          }
        }
      })()
    ).rejects.toThrow(CancelledError);
    // Cancelled within one step of the abort.
    expect(Math.max(...seen)).toBe(3);
    expect(tf.memory().numTensors).toBe(baseline.numTensors);

    await expect(
      collect(
        runGradientAscent(
          { type: 'channel', layer: 'conv2d_1', channel: 99 },
          { steps: 5 },
          { executor }
        )
      )
    ).rejects.toThrow(ChannelOutOfRangeError);
    await expect(
      collect(
        runGradientAscent(
          { type: 'channel', layer: 'conv2d_x', channel: 1 },
          { steps: 5 },
          { executor }
        )
      )
    ).rejects.toThrow(UnknownLayerError);
    expect(tf.memory().numTensors).toBe(baseline.numTensors);

    for (let i = 0; i < 100; i++) {
      await collect(
        runGradientAscent(
          { type: 'neuron', layer: 'conv2d_1', channel: i % 12 },
          { steps: 2, seed: i },
          { executor }
        )
      );
    }
    expect(tf.memory().numTensors).toBe(baseline.numTensors);
    expect(tf.memory().numBytes).toBe(baseline.numBytes);
    model
      .getWeights()
      .forEach((w, i) => expect(maxAbsDiff(values(w), weights[i])).toBe(0));
    executor.dispose();
    model.dispose();
  });

  it('frees the gradient tape when a step throws halfway', async () => {
    const model = seededModel(mnistLike, 9);
    const executor = new LayersExecutor(model);
    await collect(
      runGradientAscent({ type: 'logit', index: 1 }, { steps: 1 }, { executor })
    );
    const baseline = tf.memory().numTensors;
    const inner = channel({ layer: 'conv2d_1', pre: true }, 2);
    let calls = 0;
    const failing = Objective.create(
      inner.refs,
      (acts, batch) => {
        const value = inner.perImage(acts, batch);
        if (++calls === 3) {
          throw new Error('failed inside the tape');
        }
        return value;
      },
      (shapeOf, batch) => inner.check(shapeOf, batch),
      'failing'
    );
    await expect(
      collect(runObjective(failing, { steps: 6 }, { executor }))
    ).rejects.toThrow('failed inside the tape');
    expect(tf.memory().numTensors).toBe(baseline);
    executor.dispose();
    model.dispose();
  });

  it('frees everything when a layer fails mid-run', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 2,
          kernelSize: 3,
          name: 'conv'
        }),
        tf.layers.reshape({ targetShape: [36, 2], name: 'seq' }),
        tf.layers.simpleRNN({ units: 3, name: 'rnn' })
      ]
    });
    const executor = new LayersExecutor(model);
    const baseline = tf.memory().numTensors;
    await expect(
      collect(
        runGradientAscent(
          { type: 'channel', layer: 'rnn', channel: 0 },
          { steps: 3 },
          { executor }
        )
      )
    ).rejects.toThrow(UnsupportedLayerError);
    expect(tf.memory().numTensors).toBe(baseline);
    executor.dispose();
    model.dispose();
  });
});
