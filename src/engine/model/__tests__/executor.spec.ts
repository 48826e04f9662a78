import * as tf from '@tensorflow/tfjs';
import {
  TEST_BACKENDS,
  finiteDifferenceError,
  maxAbsDiff,
  useBackend,
  values
} from '../../testing/backends';
import {
  InputRankError,
  NotAnImageModelError,
  UnknownLayerError,
  UnsupportedLayerError
} from '../../errors';
import { INPUT, type IActivationRef } from '../activation-ref';
import { LayersExecutor } from '../executor';

/** Random weights for every layer, including batch-norm statistics. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  let s = seed;
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) {
      continue;
    }
    const names = layer.weights.map(w => w.originalName);
    layer.setWeights(
      weights.map((w, i) =>
        tf.tidy(() => {
          const r = tf.randomNormal(w.shape, 0, 0.5, 'float32', s++);
          // Variances must be positive.
          return /moving_variance/.test(names[i]) ? tf.add(tf.abs(r), 0.5) : r;
        })
      )
    );
  }
}

/** The model's own activation of a layer, through a tfjs sub-model. */
function reference(
  model: tf.LayersModel,
  layer: string,
  x: tf.Tensor
): Float32Array {
  return tf.tidy(() => {
    const sub = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer(layer).output as tf.SymbolicTensor
    });
    return values(sub.predict(x) as tf.Tensor);
  });
}

function checkAllLayers(model: tf.LayersModel, x: tf.Tensor4D): void {
  const executor = new LayersExecutor(model);
  try {
    const names = executor.layerNames;
    const ours = tf.tidy(() =>
      executor
        .forward(
          x,
          names.map(layer => ({ layer }))
        )
        .map(values)
    );
    names.forEach((name, i) => {
      const diff = maxAbsDiff(ours[i], reference(model, name, x));
      expect([
        name,
        diff < 1e-5 * Math.max(1, ...Array.from(ours[i], Math.abs))
      ]).toEqual([name, true]);
    });
    const predicted = tf.tidy(() => values(model.predict(x) as tf.Tensor));
    const last = ours[ours.length - 1];
    expect(maxAbsDiff(last, predicted)).toBeLessThan(1e-4);
  } finally {
    executor.dispose();
  }
}

type KernelInfo = Awaited<ReturnType<typeof tf.profile>>['kernels'][number];

/**
 * The kernels the executor runs for `ref` itself: a pass that computes the
 * layer's inputs, then `ref`, less the same pass without `ref`. Warmed up
 * first, so that tensors kept from the weights are made before.
 */
async function ownKernels(
  model: tf.LayersModel,
  executor: LayersExecutor,
  x: tf.Tensor4D,
  ref: IActivationRef
): Promise<KernelInfo[]> {
  const inputs = (
    model.getLayer(ref.layer).inboundNodes[0]?.inboundLayers ?? []
  ).map(l => ({ layer: l.getClassName() === 'InputLayer' ? INPUT : l.name }));
  const run = async (refs: IActivationRef[]) =>
    (
      await tf.profile(() => {
        tf.tidy(() => {
          executor.forward(x, refs);
        });
      })
    ).kernels;
  await run([...inputs, ref]);
  const before = await run(inputs);
  return (await run([...inputs, ref])).slice(before.length);
}

function cnn(withDilation = true): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.rescaling({
        inputShape: [12, 12, 3],
        scale: 2,
        offset: -1,
        name: 'rescale'
      }),
      tf.layers.conv2d({
        filters: 6,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv'
      }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        padding: 'same',
        depthMultiplier: 2,
        activation: 'relu6',
        name: 'dw'
      }),
      tf.layers.separableConv2d({
        filters: 5,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'elu',
        name: 'sep'
      }),
      tf.layers.zeroPadding2d({
        padding: [
          [1, 0],
          [0, 1]
        ],
        name: 'zpad'
      }),
      tf.layers.conv2d({
        filters: 4,
        kernelSize: 2,
        dilationRate: withDilation ? 2 : 1,
        padding: 'same',
        activation: 'tanh',
        useBias: false,
        name: 'dil'
      }),
      tf.layers.leakyReLU({ alpha: 0.1, name: 'leaky' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'maxpool' }),
      tf.layers.averagePooling2d({ poolSize: 1, name: 'avgpool' }),
      tf.layers.dropout({ rate: 0.5, name: 'drop' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 7, activation: 'sigmoid', name: 'dense' }),
      tf.layers.reshape({ targetShape: [7, 1], name: 'reshape' }),
      tf.layers.flatten({ name: 'flat2' }),
      tf.layers.dense({ units: 3, name: 'logits' }),
      tf.layers.activation({ activation: 'softmax', name: 'softmax' })
    ]
  });
}

/** Every conv type with smooth activations, for finite differences. */
function smooth(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [12, 12, 3],
        filters: 4,
        kernelSize: 3,
        activation: 'tanh',
        name: 'conv'
      }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        padding: 'same',
        depthMultiplier: 2,
        activation: 'softplus',
        name: 'dw'
      }),
      tf.layers.separableConv2d({
        filters: 5,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'tanh',
        name: 'sep'
      }),
      tf.layers.conv2d({
        filters: 4,
        kernelSize: 2,
        dilationRate: 2,
        padding: 'same',
        activation: 'sigmoid',
        name: 'dil'
      }),
      tf.layers.averagePooling2d({ poolSize: 2, name: 'avgpool' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 3, activation: 'tanh', name: 'out' })
    ]
  });
}

function branching(): tf.LayersModel {
  const input = tf.input({ shape: [10, 10, 2], name: 'image' });
  const a = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'a' })
    .apply(input) as tf.SymbolicTensor;
  const an = tf.layers
    .batchNormalization({ center: false, name: 'an' })
    .apply(a) as tf.SymbolicTensor;
  const ar = tf.layers
    .reLU({ maxValue: 6, name: 'ar' })
    .apply(an) as tf.SymbolicTensor;
  const b = tf.layers
    .conv2d({ filters: 4, kernelSize: 1, activation: 'swish', name: 'b' })
    .apply(input) as tf.SymbolicTensor;
  const sum = tf.layers
    .add({ name: 'sum' })
    .apply([ar, b]) as tf.SymbolicTensor;
  const prod = tf.layers
    .multiply({ name: 'prod' })
    .apply([ar, b]) as tf.SymbolicTensor;
  const cat = tf.layers
    .concatenate({ name: 'cat' })
    .apply([sum, prod, input]) as tf.SymbolicTensor;
  const up = tf.layers
    .upSampling2d({ size: [2, 2], name: 'up' })
    .apply(cat) as tf.SymbolicTensor;
  const crop = tf.layers
    .cropping2D({
      cropping: [
        [1, 2],
        [3, 0]
      ],
      name: 'crop'
    })
    .apply(up) as tf.SymbolicTensor;
  const gap = tf.layers
    .globalAveragePooling2d({ name: 'gap' })
    .apply(crop) as tf.SymbolicTensor;
  const gmp = tf.layers
    .globalMaxPooling2d({ name: 'gmp' })
    .apply(crop) as tf.SymbolicTensor;
  const both = tf.layers
    .average({ name: 'avg' })
    .apply([gap, gmp]) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 5, activation: 'softplus', name: 'out' })
    .apply(both) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/**
 * MobileNet's blocks: linear convolutions followed by batch norm and ReLU6,
 * which the executor folds into one op each, then a dense head.
 */
function mobileBlocks(
  // tfjs's own batch-norm gradient fails without scale or centre.
  allAffine = false
): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 3], name: 'image' });
  let x = tf.layers
    .conv2d({
      filters: 6,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: false,
      name: 'c1'
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ name: 'c1_bn' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .reLU({ maxValue: 6, name: 'c1_relu' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      name: 'dw'
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ name: 'dw_bn' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .reLU({ maxValue: 6, name: 'dw_relu' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 8, kernelSize: 1, name: 'pw' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ scale: allAffine, name: 'pw_bn' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'pw_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .separableConv2d({
      filters: 5,
      kernelSize: 3,
      padding: 'same',
      name: 'sep'
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ center: allAffine, name: 'sep_bn' })
    .apply(x) as tf.SymbolicTensor;
  // A convolution with two consumers is not folded: its output is needed.
  const shared = tf.layers
    .conv2d({ filters: 5, kernelSize: 1, activation: 'relu', name: 'shared' })
    .apply(x) as tf.SymbolicTensor;
  const normed = tf.layers
    .batchNormalization({ name: 'shared_bn' })
    .apply(shared) as tf.SymbolicTensor;
  x = tf.layers
    .add({ name: 'sum' })
    .apply([shared, normed]) as tf.SymbolicTensor;
  x = tf.layers
    .globalAveragePooling2d({ name: 'gap' })
    .apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 4, activation: 'relu', name: 'head' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('LayersExecutor', () => {
  for (const backend of TEST_BACKENDS) {
    describe(`on ${backend}`, () => {
      beforeAll(() => useBackend(backend));

      it('equals predict and every intermediate layer of a Sequential CNN', () => {
        const model = cnn();
        randomizeWeights(model, 1);
        const x = tf.randomUniform(
          [2, 12, 12, 3],
          0,
          1,
          'float32',
          3
        ) as tf.Tensor4D;
        const before = tf.memory().numTensors;
        checkAllLayers(model, x);
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
        model.dispose();
      });

      it('folds batch norms into the convolutions before them and still equals predict', () => {
        const model = mobileBlocks();
        randomizeWeights(model, 31);
        const x = tf.randomUniform(
          [2, 12, 12, 3],
          0,
          1,
          'float32',
          32
        ) as tf.Tensor4D;
        checkAllLayers(model, x);
        x.dispose();
        model.dispose();
      });

      it("computes some channels of a Conv2D, SeparableConv2D or Dense layer alone (others whole, then picked): values and gradients equal the whole layer's", async () => {
        const model = mobileBlocks();
        randomizeWeights(model, 41);
        const executor = new LayersExecutor(model);
        const x = tf.randomUniform(
          [2, 12, 12, 3],
          0,
          1,
          'float32',
          42
        ) as tf.Tensor4D;
        // [the whole layer, channels, whether the layer computes them alone]
        const cases: [IActivationRef, number[], boolean][] = [
          [{ layer: 'c1' }, [4], true],
          [{ layer: 'c1_bn' }, [0, 5], true], // folded into c1
          [{ layer: 'dw_bn' }, [2], false], // folded into a depthwise
          [{ layer: 'pw' }, [7, 1], true],
          [{ layer: 'pw_bn' }, [3], true],
          [{ layer: 'pw_relu' }, [3], false],
          [{ layer: 'pw_relu' }, [5, 0, 1, 2], false],
          [{ layer: 'sep' }, [4], true],
          [{ layer: 'sep_bn' }, [0, 2, 4], true],
          [{ layer: 'shared', pre: true }, [1], true],
          [{ layer: 'shared_bn' }, [2], false], // not folded: shared has two consumers
          [{ layer: 'head', pre: true }, [3], true],
          [{ layer: 'head' }, [0, 2], true]
        ];
        const before = tf.memory().numTensors;
        for (const [layer, channels, alone] of cases) {
          const ref: IActivationRef = { ...layer, channels };
          const name = JSON.stringify(ref);
          expect(executor.outputShape(ref)).toEqual([
            ...executor.outputShape(layer).slice(0, -1),
            channels.length
          ]);
          // What the executor does: a layer that computes the channels alone
          // runs no op with the whole layer's output shape.
          const wholeShape = executor.outputShape(layer).map(d => d ?? 2);
          const kernels = await ownKernels(model, executor, x, ref);
          const computesWhole = kernels.some(k =>
            k.outputShapes.some(
              shape => JSON.stringify(shape) === JSON.stringify(wholeShape)
            )
          );
          expect([name, computesWhole]).toEqual([name, !alone]);
          const [part, whole, partGrad, wholeGrad] = tf.tidy(() => {
            // Oracle: the whole layer, weighted by w on the chosen channels
            // and 0 on the others (gather runs forward only: WASM has no
            // gradient for it).
            const full = executor.outputShape(layer).map(d => d ?? 2);
            const axis = full.length - 1;
            const mask = tf
              .oneHot(tf.tensor1d(channels, 'int32'), full[axis])
              .sum(0);
            const wFull = tf.mul(
              tf.randomNormal(full, 0, 1, 'float32', 7),
              mask
            );
            const w = tf.gather(wFull, channels, axis);
            const whole = (t: tf.Tensor): tf.Tensor =>
              executor.forward(t as tf.Tensor4D, [layer])[0];
            const sliced = (t: tf.Tensor): tf.Tensor =>
              executor.forward(t as tf.Tensor4D, [ref])[0];
            return [
              values(sliced(x)),
              values(tf.gather(whole(x), channels, axis)),
              values(tf.grad(t => tf.sum(tf.mul(sliced(t), w)))(x)),
              values(tf.grad(t => tf.sum(tf.mul(whole(t), wFull)))(x))
            ];
          });
          const scale = Math.max(1, ...Array.from(whole, Math.abs));
          expect([name, maxAbsDiff(part, whole) / scale < 1e-5]).toEqual([
            name,
            true
          ]);
          const gradScale = Math.max(1e-6, ...Array.from(wholeGrad, Math.abs));
          expect([
            name,
            maxAbsDiff(partGrad, wholeGrad) / gradScale < 1e-4
          ]).toEqual([name, true]);
        }
        // Slices are per call; only weights derived once per layer (folded
        // batch norms, transposes) are kept, whatever channels are asked.
        const kept = tf.memory().numTensors - before;
        tf.tidy(() => {
          executor.forward(x, [
            { layer: 'c1_bn', channels: [1] },
            { layer: 'pw_relu', channels: [0, 1] },
            { layer: 'shared_bn', channels: [4] },
            { layer: 'head', channels: [1] },
            { layer: 'head', channels: [3] }
          ]);
        });
        expect(tf.memory().numTensors - before).toBe(kept);
        executor.dispose();
        expect(kept).toBeGreaterThan(0);
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
        model.dispose();
      });

      it("computes one channel per image: values and gradients equal the whole layer's", () => {
        const model = mobileBlocks();
        randomizeWeights(model, 51);
        const executor = new LayersExecutor(model);
        const x = tf.randomUniform(
          [2, 12, 12, 3],
          0,
          1,
          'float32',
          52
        ) as tf.Tensor4D;
        const cases: [IActivationRef, [number, number]][] = [
          [{ layer: 'c1' }, [4, 1]], // 3×3, stride 2: depthwise over the batch
          [{ layer: 'c1_bn' }, [0, 5]], // folded
          [{ layer: 'pw' }, [7, 2]], // 1×1: weighted sum
          [{ layer: 'pw_bn' }, [3, 3]],
          [{ layer: 'sep' }, [4, 0]],
          [{ layer: 'shared', pre: true }, [1, 4]],
          [{ layer: 'dw_bn' }, [2, 5]], // a depthwise: whole layer, then a mask
          [{ layer: 'head' }, [0, 3]],
          [{ layer: 'head', pre: true }, [2, 1]]
        ];
        const before = tf.memory().numTensors;
        for (const [layer, channels] of cases) {
          const ref: IActivationRef = { ...layer, channels, perImage: true };
          const name = JSON.stringify(ref);
          expect(executor.outputShape(ref)).toEqual([
            ...executor.outputShape(layer).slice(0, -1),
            1
          ]);
          const [part, oracle, partGrad, wholeGrad] = tf.tidy(() => {
            const full = executor.outputShape(layer).map(d => d ?? 2);
            const width = full[full.length - 1];
            const whole = (t: tf.Tensor): tf.Tensor =>
              executor.forward(t as tf.Tensor4D, [layer])[0];
            // Oracle in plain arrays: image i's values of channel c_i.
            const all = values(whole(x));
            const perImage = all.length / 2;
            const expected = Float32Array.from(
              { length: all.length / width },
              (_, j) => {
                const image = Math.floor((j * width) / perImage);
                return all[j * width + channels[image]];
              }
            );
            const w = tf.randomNormal(
              [...full.slice(0, -1), 1],
              0,
              1,
              'float32',
              9
            );
            // w on each image's own channel, 0 on the others.
            const maskData = new Float32Array(2 * width);
            channels.forEach((c, i) => (maskData[i * width + c] = 1));
            const mask = tf.tensor(maskData, [
              2,
              ...full.slice(1, -1).map(() => 1),
              width
            ]);
            const wFull = tf.mul(w, mask);
            const sliced = (t: tf.Tensor): tf.Tensor =>
              executor.forward(t as tf.Tensor4D, [ref])[0];
            return [
              values(sliced(x)),
              expected,
              values(tf.grad(t => tf.sum(tf.mul(sliced(t), w)))(x)),
              values(tf.grad(t => tf.sum(tf.mul(whole(t), wFull)))(x))
            ];
          });
          const scale = Math.max(1, ...Array.from(oracle, Math.abs));
          expect([name, maxAbsDiff(part, oracle) / scale < 1e-5]).toEqual([
            name,
            true
          ]);
          const gradScale = Math.max(1e-6, ...Array.from(wholeGrad, Math.abs));
          expect([
            name,
            maxAbsDiff(partGrad, wholeGrad) / gradScale < 1e-4
          ]).toEqual([name, true]);
        }
        expect(() =>
          tf.tidy(() =>
            executor.forward(x, [
              { layer: 'pw', channels: [1, 2, 3], perImage: true }
            ])
          )
        ).toThrow(/batch of 3, not 2/);
        executor.dispose();
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
        model.dispose();
      });

      it('equals predict on a branching functional model', () => {
        const model = branching();
        randomizeWeights(model, 20);
        const x = tf.randomNormal(
          [2, 10, 10, 2],
          0,
          1,
          'float32',
          4
        ) as tf.Tensor4D;
        checkAllLayers(model, x);
        x.dispose();
        model.dispose();
      });

      it('has a gradient that agrees with finite differences (smooth model)', () => {
        // Finite differences need a smooth function: ReLU and max-pooling
        // kinks are covered by the comparison with tfjs's gradients below.
        const model = smooth();
        randomizeWeights(model, 5);
        const executor = new LayersExecutor(model);
        const weightsBefore = model.getWeights().map(w => values(w).slice());
        const x = tf.randomUniform(
          [1, 12, 12, 3],
          0,
          1,
          'float32',
          9
        ) as tf.Tensor4D;
        for (const layer of ['dw', 'sep', 'dil', 'out']) {
          const error = finiteDifferenceError(
            t => executor.forward(t as tf.Tensor4D, [{ layer }])[0],
            x,
            { epsilon: 1e-2 }
          );
          expect([layer, error < 1e-2]).toEqual([layer, true]);
        }
        model.getWeights().forEach((w, i) => {
          expect(maxAbsDiff(values(w), weightsBefore[i])).toBe(0);
        });
        executor.dispose();
        x.dispose();
        model.dispose();
      });
    });
  }

  // tfjs cannot differentiate dilated convolutions (none in cnn(false)), and
  // its batch-norm gradient fails without scale or centre (mobileBlocks(true)).
  const registeredCases: [string, () => tf.LayersModel][] = [
    ['ReLU, max-pooling', () => cnn(false)],
    ['ReLU6 layers, folded batch norms', () => mobileBlocks(true)]
  ];
  for (const [what, make] of registeredCases) {
    it(`has the gradient tfjs's own registered gradients give (${what})`, async () => {
      await useBackend('cpu');
      const model = make();
      randomizeWeights(model, 8);
      const executor = new LayersExecutor(model);
      const x = tf.randomUniform(
        [2, 12, 12, 3],
        0,
        1,
        'float32',
        10
      ) as tf.Tensor4D;
      for (const layer of executor.layerNames) {
        const [ours, theirs] = tf.tidy(() => {
          const sub = tf.model({
            inputs: model.inputs,
            outputs: model.getLayer(layer).output as tf.SymbolicTensor
          });
          const w = tf.randomNormal(
            sub.outputs[0].shape.map(d => d ?? 2),
            0,
            1,
            'float32',
            3
          );
          const a = tf.grad(t =>
            tf.sum(
              tf.mul(executor.forward(t as tf.Tensor4D, [{ layer }])[0], w)
            )
          )(x);
          const b = tf.grad(t => tf.sum(tf.mul(sub.apply(t) as tf.Tensor, w)))(
            x
          );
          return [values(a), values(b)];
        });
        const scale = Math.max(1e-6, ...Array.from(theirs, Math.abs));
        expect([layer, maxAbsDiff(ours, theirs) / scale < 1e-4]).toEqual([
          layer,
          true
        ]);
      }
      executor.dispose();
      x.dispose();
      model.dispose();
    });
  }

  it('computes only what the requested outputs need', async () => {
    await useBackend('cpu');
    const model = cnn();
    const executor = new LayersExecutor(model);
    tf.tidy(() => {
      const x = tf.zeros([1, 12, 12, 3]) as tf.Tensor4D;
      const out = executor.forward(x, [{ layer: 'conv' }, { layer: INPUT }]);
      expect(out.length).toBe(2);
      expect(out[0].shape).toEqual([1, 10, 10, 6]);
      expect(out[1]).toBe(x);
    });
    executor.dispose();
    model.dispose();
  });

  it('names unknown layers, with a suggestion', async () => {
    await useBackend('cpu');
    const model = cnn();
    const executor = new LayersExecutor(model);
    expect(() =>
      tf.tidy(() =>
        executor.forward(tf.zeros([1, 12, 12, 3]), [{ layer: 'conv_' }])
      )
    ).toThrow(UnknownLayerError);
    try {
      tf.tidy(() =>
        executor.forward(tf.zeros([1, 12, 12, 3]), [{ layer: 'conv_' }])
      );
    } catch (e) {
      expect((e as Error).message).toMatch(
        /no layer "conv_". Did you mean "conv"\? Its layers are: rescale, conv, bn/
      );
    }
    expect(() => executor.outputShape('nope')).toThrow(UnknownLayerError);
    executor.dispose();
    model.dispose();
  });

  it('rejects inputs of the wrong shape and models that are not image models', async () => {
    await useBackend('cpu');
    const model = cnn();
    const executor = new LayersExecutor(model);
    expect(() =>
      tf.tidy(() =>
        executor.forward(tf.zeros([1, 12, 12, 1]), [{ layer: 'conv' }])
      )
    ).toThrow(InputRankError);
    const dense = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 2 })]
    });
    expect(() => new LayersExecutor(dense)).toThrow(NotAnImageModelError);
    executor.dispose();
    model.dispose();
    dense.dispose();
  });

  it('names an unsupported layer only when it is reached', async () => {
    await useBackend('cpu');
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
    tf.tidy(() =>
      executor.forward(tf.zeros([1, 8, 8, 1]), [{ layer: 'conv' }])
    );
    expect(() =>
      tf.tidy(() =>
        executor.forward(tf.zeros([1, 8, 8, 1]), [{ layer: 'rnn' }])
      )
    ).toThrow(UnsupportedLayerError);
    expect(() =>
      tf.tidy(() =>
        executor.forward(tf.zeros([1, 8, 8, 1]), [{ layer: 'rnn' }])
      )
    ).toThrow(/"rnn" is a SimpleRNN/);
    // The lookup miss lists what the registry supports.
    expect(() =>
      tf.tidy(() =>
        executor.forward(tf.zeros([1, 8, 8, 1]), [{ layer: 'rnn' }])
      )
    ).toThrow(
      /supported layers \(Conv2D, DepthwiseConv2D, SeparableConv2D, Dense,/
    );
    executor.dispose();
    model.dispose();
  });
});
