import * as tf from '@tensorflow/tfjs';
import {
  TEST_BACKENDS,
  finiteDifferenceError,
  maxAbsDiff,
  useBackend,
  values
} from '../../testing/backends';
import { channel } from '../../optvis/units';
import { runGradientAscent } from '../../optvis/ascent';
import type { IFrame } from '../../optvis/render';
import {
  InputRankError,
  NoGradientError,
  UnknownLayerError
} from '../../errors';
import { INPUT } from '../activation-ref';
import { GraphExecutor } from '../graph-executor';
import { type FetchLike, type ILoadedGraphModel, loadModel } from '../load';

const f32 = { type: 'DT_FLOAT' };
const text = (s: string) => ({ s: Buffer.from(s).toString('base64') });
const ints = (...i: number[]) => ({ list: { i: i.map(String) } });
const dims = (...d: number[]) => ({
  dim: d.map(size => ({ size: String(size) }))
});
const constant = (name: string, shape: number[], dtype = 'DT_FLOAT') => ({
  name,
  op: 'Const',
  attr: {
    dtype: { type: dtype },
    value: { tensor: { dtype, tensorShape: dims(...shape) } }
  }
});

/**
 * A small converted-style graph, written as tensorflowjs_converter writes
 * one: image → Conv2D → BiasAdd → Relu → Mean (global pooling) → MatMul →
 * Softmax, with random weights.
 */
function graphModelFiles(extraNodes: object[] = []): {
  json: string;
  bin: Uint8Array;
  weights: Record<string, Float32Array>;
} {
  const nodes = [
    {
      name: 'image',
      op: 'Placeholder',
      attr: { dtype: f32, shape: { shape: dims(-1, 8, 8, 2) } }
    },
    constant('conv/kernel', [3, 3, 2, 4]),
    {
      name: 'conv/Conv2D',
      op: 'Conv2D',
      input: ['image', 'conv/kernel'],
      attr: {
        T: f32,
        strides: ints(1, 1, 1, 1),
        dilations: ints(1, 1, 1, 1),
        padding: text('VALID'),
        data_format: text('NHWC')
      }
    },
    constant('conv/bias', [4]),
    {
      name: 'conv/BiasAdd',
      op: 'BiasAdd',
      input: ['conv/Conv2D', 'conv/bias'],
      attr: { T: f32, data_format: text('NHWC') }
    },
    {
      name: 'conv/Relu',
      op: 'Relu',
      input: ['conv/BiasAdd'],
      attr: { T: f32 }
    },
    constant('pool/axes', [2], 'DT_INT32'),
    {
      name: 'pool',
      op: 'Mean',
      input: ['conv/Relu', 'pool/axes'],
      attr: { T: f32, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } }
    },
    constant('dense/kernel', [4, 3]),
    {
      name: 'dense/MatMul',
      op: 'MatMul',
      input: ['pool', 'dense/kernel'],
      attr: { T: f32, transpose_a: { b: false }, transpose_b: { b: false } }
    },
    { name: 'probs', op: 'Softmax', input: ['dense/MatMul'], attr: { T: f32 } },
    ...extraNodes
  ];
  let seed = 3;
  const random = (n: number) =>
    Float32Array.from({ length: n }, () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    });
  const weights = {
    'conv/kernel': random(3 * 3 * 2 * 4),
    'conv/bias': random(4),
    'dense/kernel': random(4 * 3)
  };
  const axes = new Int32Array([1, 2]);
  const parts = [
    weights['conv/kernel'],
    weights['conv/bias'],
    axes,
    weights['dense/kernel']
  ];
  const bin = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bin.set(new Uint8Array(part.buffer), offset);
    offset += part.byteLength;
  }
  const json = JSON.stringify({
    format: 'graph-model',
    generatedBy: 'test',
    convertedBy: 'hand',
    modelTopology: { node: nodes, library: {}, versions: {} },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'conv/kernel', shape: [3, 3, 2, 4], dtype: 'float32' },
          { name: 'conv/bias', shape: [4], dtype: 'float32' },
          { name: 'pool/axes', shape: [2], dtype: 'int32' },
          { name: 'dense/kernel', shape: [4, 3], dtype: 'float32' }
        ]
      }
    ]
  });
  return { json, bin, weights };
}

function memoryFetch(files: Record<string, string | Uint8Array>): FetchLike {
  return async (url: string) => {
    const name = url.split('/').pop() as string;
    const body = files[name];
    return {
      ok: body !== undefined,
      status: body === undefined ? 404 : 200,
      statusText: body === undefined ? 'Not Found' : 'OK',
      json: async () => JSON.parse(body as string),
      arrayBuffer: async () => {
        const bytes = body as Uint8Array;
        return bytes.buffer.slice(
          bytes.byteOffset,
          bytes.byteOffset + bytes.byteLength
        ) as ArrayBuffer;
      }
    };
  };
}

async function load(extraNodes: object[] = []): Promise<{
  loaded: ILoadedGraphModel;
  weights: Record<string, Float32Array>;
}> {
  const { json, bin, weights } = graphModelFiles(extraNodes);
  const loaded = await loadModel('http://127.0.0.1/graph/model.json', {
    fetch: memoryFetch({ 'model.json': json, 'group1-shard1of1.bin': bin })
  });
  expect(loaded.format).toBe('graph');
  return { loaded: loaded as ILoadedGraphModel, weights };
}

/** The same network written with plain tfjs ops: the oracle. */
function reference(
  x: tf.Tensor4D,
  weights: Record<string, Float32Array>
): Record<string, tf.Tensor> {
  const conv = tf.add(
    tf.conv2d(x, tf.tensor4d(weights['conv/kernel'], [3, 3, 2, 4]), 1, 'valid'),
    tf.tensor1d(weights['conv/bias'])
  );
  const relu = tf.relu(conv);
  const pool = tf.mean(relu, [1, 2]) as tf.Tensor2D;
  const logits = tf.matMul(pool, tf.tensor2d(weights['dense/kernel'], [4, 3]));
  return {
    'conv/BiasAdd': conv,
    'conv/Relu': relu,
    pool,
    'dense/MatMul': logits,
    probs: tf.softmax(logits)
  };
}

describe('GraphExecutor', () => {
  for (const backend of TEST_BACKENDS) {
    describe(`on ${backend}`, () => {
      beforeAll(() => useBackend(backend));

      it('lists the nodes, finds the logits before the softmax, and infers shapes', async () => {
        const { loaded } = await load();
        const executor = new GraphExecutor(loaded);
        expect(executor.inputShape).toEqual([null, 8, 8, 2]);
        expect(executor.layerNames).toEqual([
          'conv/Conv2D',
          'conv/BiasAdd',
          'conv/Relu',
          'pool',
          'dense/MatMul',
          'probs'
        ]);
        expect(executor.logitsLayer).toEqual({ layer: 'dense/MatMul' });
        expect(executor.optimizable('conv/Relu')).toEqual({
          layer: 'conv/BiasAdd'
        });
        expect(executor.outputShape('conv/Relu')).toEqual([null, 6, 6, 4]);
        expect(
          executor.outputShape({ layer: 'conv/Relu', channels: [1, 3] })
        ).toEqual([null, 6, 6, 2]);
        expect(executor.outputShape('dense/MatMul')).toEqual([null, 3]);
        expect(() => executor.outputShape('conv/relu')).toThrow(
          /Did you mean "conv\/Relu"\?/
        );
        loaded.model.dispose();
      });

      it('equals the same network written with tfjs ops, channels included', async () => {
        const { loaded, weights } = await load();
        const executor = new GraphExecutor(loaded);
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const x = tf.randomUniform(
            [2, 8, 8, 2],
            0,
            1,
            'float32',
            4
          ) as tf.Tensor4D;
          const names = [
            'conv/BiasAdd',
            'conv/Relu',
            'pool',
            'dense/MatMul',
            'probs'
          ];
          const ours = executor.forward(x, [
            ...names.map(layer => ({ layer })),
            { layer: INPUT },
            { layer: 'conv/Relu', channels: [3, 1] },
            { layer: 'dense/MatMul', channels: [2, 0], perImage: true }
          ]);
          const theirs = reference(x, weights);
          names.forEach((name, i) => {
            expect([
              name,
              maxAbsDiff(values(ours[i]), values(theirs[name]))
            ]).toEqual([name, expect.closeTo(0, 5)]);
          });
          const [input, someChannels, perImage] = ours.slice(names.length);
          expect(input).toBe(x);
          const relu = theirs['conv/Relu'];
          expect(
            maxAbsDiff(
              values(someChannels),
              values(
                tf.concat(
                  [
                    tf.slice(relu, [0, 0, 0, 3], [-1, -1, -1, 1]),
                    tf.slice(relu, [0, 0, 0, 1], [-1, -1, -1, 1])
                  ],
                  3
                )
              )
            )
          ).toBeLessThan(1e-5);
          const logits = values(theirs['dense/MatMul']);
          expect(
            maxAbsDiff(values(perImage), [logits[2], logits[3]])
          ).toBeLessThan(1e-5);
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(() =>
          tf.tidy(() =>
            executor.forward(tf.zeros([1, 8, 8, 3]), [{ layer: 'pool' }])
          )
        ).toThrow(InputRankError);
        expect(() =>
          tf.tidy(() =>
            executor.forward(tf.zeros([1, 8, 8, 2]), [{ layer: 'nope' }])
          )
        ).toThrow(UnknownLayerError);
        loaded.model.dispose();
      });
    });
  }

  it('has gradients matching finite differences, and gradient ascent raises a channel (CPU)', async () => {
    await useBackend('cpu');
    const { loaded } = await load();
    const executor = new GraphExecutor(loaded);
    const x = tf.randomUniform(
      [1, 8, 8, 2],
      0.2,
      0.8,
      'float32',
      6
    ) as tf.Tensor4D;
    // Through the pre-ReLU node and the (smooth) logits.
    for (const layer of ['conv/BiasAdd', 'dense/MatMul']) {
      const error = finiteDifferenceError(
        t => executor.forward(t as tf.Tensor4D, [{ layer }])[0],
        x,
        { epsilon: 1e-2 }
      );
      expect([layer, error < 1e-2]).toEqual([layer, true]);
    }
    x.dispose();
    const before = tf.memory().numTensors;
    const frames: IFrame[] = [];
    for await (const frame of runGradientAscent(
      { type: 'channel', layer: 'conv/Relu', channel: 2 },
      { steps: 30, frameEvery: 10, seed: 1 },
      { executor }
    )) {
      frames.push(frame);
    }
    expect(frames[frames.length - 1].value).toBeGreaterThan(frames[1].value);
    expect(tf.memory().numTensors).toBe(before);
    // An objective over the channel reads that channel of the pre-ReLU node.
    expect(channel(executor.optimizable('conv/Relu'), 2).refs).toEqual([
      { layer: 'conv/BiasAdd', channels: [2] }
    ]);
    loaded.model.dispose();
  });

  it('names an op on the path that has no gradient', async () => {
    await useBackend('cpu');
    // DepthToSpace has no registered gradient in TensorFlow.js.
    const { loaded } = await load([
      {
        name: 'shuffle',
        op: 'DepthToSpace',
        input: ['conv/Relu'],
        attr: { T: f32, block_size: { i: '2' }, data_format: text('NHWC') }
      }
    ]);
    const executor = new GraphExecutor(loaded);
    expect(executor.outputShape('shuffle')).toEqual([null, 12, 12, 1]);
    const before = tf.memory().numTensors;
    const run = async () => {
      for await (const _ of runGradientAscent(
        { type: 'channel', layer: 'shuffle', channel: 0 },
        { steps: 3 },
        { executor }
      )) {
        // frames are not needed
      }
    };
    await expect(run()).rejects.toThrow(NoGradientError);
    await expect(run()).rejects.toThrow(/DepthToSpace/);
    expect(tf.memory().numTensors).toBe(before);
    loaded.model.dispose();
  });
});
