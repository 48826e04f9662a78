import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../testing/backends';
import { fileFetch } from '../../testing/files';
import { MalformedModelError, NonFiniteWeightsError } from '../../errors';
import { checkFiniteWeights } from '../finite-weights';
import { loadModel } from '../load';
import { checkManifest } from '../manifest';

const URL_ = 'file:///m/model.json';
const group = (weights: unknown[]) => [{ paths: ['w.bin'], weights }];

describe('checkManifest', () => {
  it('counts the bytes of good entries (an oracle: elements × dtype size)', () => {
    const { bytes } = checkManifest(
      URL_,
      group([
        { name: 'k', shape: [3, 3, 1, 2], dtype: 'float32' },
        { name: 'b', shape: [2], dtype: 'int32' },
        { name: 'e', shape: [0, 5], dtype: 'float32' },
        {
          name: 'q',
          shape: [4],
          dtype: 'float32',
          quantization: { dtype: 'uint8', scale: 0.1, min: -1 }
        }
      ])
    );
    expect(bytes).toBe(18 * 4 + 2 * 4 + 0 + 4);
  });

  it.each([
    [
      { name: 'conv/kernel', shape: [3, -3, 1, 2], dtype: 'float32' },
      'weight "conv/kernel" has the shape [3, -3, 1, 2]; every dimension must be a non-negative integer'
    ],
    [
      { name: 'd/bias', shape: [2.5], dtype: 'float32' },
      'weight "d/bias" has the shape [2.5]'
    ],
    [
      { name: 'd/bias', shape: ['2'], dtype: 'float32' },
      'weight "d/bias" has the shape [2]'
    ],
    [
      { name: 'd/bias', shape: [2], dtype: 'float64' },
      'weight "d/bias" has an unknown dtype "float64"'
    ],
    [
      { name: 'd/bias', dtype: 'float32' },
      'weight "d/bias" has no "shape" list'
    ],
    [
      {
        name: 'q',
        shape: [2],
        dtype: 'float32',
        quantization: { dtype: 'int4' }
      },
      'weight "q" is quantized to an unknown dtype "int4"'
    ],
    [
      {
        name: 'q',
        shape: [2],
        dtype: 'float32',
        quantization: { dtype: 'uint8', scale: null }
      },
      'weight "q" has a quantization scale that is not a finite number'
    ],
    [
      { name: 'huge', shape: [2 ** 40, 2 ** 40], dtype: 'float32' },
      'weight "huge" brings the weights to more bytes than can be counted'
    ],
    [{ shape: [2], dtype: 'float32' }, 'a "weightsManifest" weight has no name']
  ])('refuses %j naming the tensor', (entry, message) => {
    expect(() => checkManifest(URL_, group([entry]))).toThrow(
      MalformedModelError
    );
    expect(() => checkManifest(URL_, group([entry]))).toThrow(message);
  });

  it('refuses a manifest that is not a list of groups', () => {
    expect(() => checkManifest(URL_, {})).toThrow(/no "weightsManifest" list/);
    expect(() => checkManifest(URL_, [{ weights: [] }])).toThrow(
      /lacks "paths" or "weights"/
    );
  });
});

describe('checkFiniteWeights', () => {
  const specs: tf.io.WeightsManifestEntry[] = [
    { name: 'flag', shape: [3], dtype: 'bool' },
    { name: 'a', shape: [4], dtype: 'float32' },
    {
      name: 'h',
      shape: [2],
      dtype: 'float32',
      quantization: { dtype: 'float16' }
    }
  ];
  // 3 bytes of bool put the float32 entry off alignment on purpose.
  function data(a: number[], half: number[]): ArrayBuffer {
    const buffer = new ArrayBuffer(3 + 16 + 4);
    const view = new DataView(buffer);
    a.forEach((v, i) => view.setFloat32(3 + i * 4, v, true));
    half.forEach((v, i) => view.setUint16(19 + i * 2, v, true));
    return buffer;
  }

  it('passes finite weights, unaligned and half precision too', () => {
    expect(() =>
      checkFiniteWeights(URL_, specs, data([1, -2, 0, 3e38], [0x3c00, 0xfbff]))
    ).not.toThrow();
  });

  it('names the first tensor with NaN or infinity and counts them', () => {
    expect(() =>
      checkFiniteWeights(URL_, specs, data([1, NaN, Infinity, 0], [0, 0]))
    ).toThrow(new NonFiniteWeightsError(URL_, 'a', 2, 4, true).message);
    expect(() =>
      checkFiniteWeights(URL_, specs, data([1, 2, 3, 4], [0x7c00, 0]))
    ).toThrow(/"h" holds 1 infinite value of 2/);
    expect(() =>
      checkFiniteWeights(URL_, specs, data([1, 2, 3, 4], [0, 0x7e00]))
    ).toThrow(/"h" holds 1 NaN or infinite value of 2/);
  });
});

describe('loadModel with a bad manifest or weights', () => {
  let dir: string;
  const root = path.resolve(__dirname, '../../../../assets/models/mnist-cnn');
  const shipped = fs.readFileSync(path.join(root, 'model.json'), 'utf8');
  const shard = fs.readFileSync(path.join(root, 'group1-shard1of1.bin'));

  beforeAll(async () => {
    await useBackend('cpu');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'featureviz-manifest-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, json: unknown, bin: Buffer): string {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(json));
    fs.writeFileSync(path.join(folder, 'group1-shard1of1.bin'), bin);
    return `file://${path.join(folder, 'model.json')}`;
  }

  it('refuses a negative dimension before any weights request', async () => {
    const json = JSON.parse(shipped);
    json.weightsManifest[0].weights[2].shape = [3, 3, 32, -64];
    const requests: string[] = [];
    const url = write('negative', json, shard);
    await expect(
      loadModel(url, { fetch: fileFetch(requests), maxWeightBytes: 1e9 })
    ).rejects.toThrow('weight "conv2d_1/kernel" has the shape [3, 3, 32, -64]');
    expect(requests).toEqual([url]);
  });

  it('refuses NaN weights at load, naming the tensor, leaving no tensors', async () => {
    const poisoned = Buffer.from(shard);
    // The bundled weights are float16 (quantized): conv2d_1/kernel starts
    // after conv2d's kernel (288 halves) and bias (32); 0x7e00 is a NaN.
    poisoned.writeUInt16LE(0x7e00, (288 + 32 + 7) * 2);
    const before = tf.memory().numTensors;
    await expect(
      loadModel(write('nan', JSON.parse(shipped), poisoned), {
        fetch: fileFetch()
      })
    ).rejects.toThrow(
      /"conv2d_1\/kernel" holds 1 NaN or infinite value of 18432/
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
