import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useBackend } from '../../testing/backends';
import { fileFetch, fileUrl } from '../../testing/files';
import {
  MalformedModelError,
  ModelLoadError,
  ModelTooLargeError,
  PathNotAllowedError
} from '../../errors';
import { loadModel } from '../load';

describe('loadModel', () => {
  let dir: string;
  const shipped = fs.readFileSync(
    path.resolve(__dirname, '../../../../assets/models/mnist-cnn/model.json'),
    'utf8'
  );
  const shard = fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../../assets/models/mnist-cnn/group1-shard1of1.bin'
    )
  );

  beforeAll(async () => {
    await useBackend('cpu');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'featureviz-load-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, json: string, bin?: Buffer): string {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'model.json'), json);
    if (bin) {
      fs.writeFileSync(path.join(folder, 'group1-shard1of1.bin'), bin);
    }
    return `file://${path.join(folder, 'model.json')}`;
  }

  it('names the URL and the status of a missing model', async () => {
    const url = fileUrl('assets/models/nope/model.json');
    await expect(loadModel(url, { fetch: fileFetch() })).rejects.toThrow(
      ModelLoadError
    );
    await expect(loadModel(url, { fetch: fileFetch() })).rejects.toThrow(
      `Could not load ${url}: the server answered 404 Not Found`
    );
  });

  it('names a model.json that is not JSON', async () => {
    const url = write('notjson', '{ "modelTopology": ');
    await expect(loadModel(url, { fetch: fileFetch() })).rejects.toThrow(
      MalformedModelError
    );
    await expect(loadModel(url, { fetch: fileFetch() })).rejects.toThrow(
      /is not a valid TensorFlow.js model: it is not valid JSON/
    );
  });

  it('refuses a model.json without topology or manifest', async () => {
    await expect(
      loadModel(write('empty', '{}'), { fetch: fileFetch() })
    ).rejects.toThrow(/modelTopology/);
    const noManifest = JSON.stringify({
      ...JSON.parse(shipped),
      weightsManifest: undefined
    });
    await expect(
      loadModel(write('nomanifest', noManifest), { fetch: fileFetch() })
    ).rejects.toThrow(/weightsManifest/);
  });

  it('detects a weights file shorter than its manifest', async () => {
    const url = write('short', shipped, shard.subarray(0, shard.length - 100));
    await expect(loadModel(url, { fetch: fileFetch() })).rejects.toThrow(
      MalformedModelError
    );
    await expect(loadModel(url, { fetch: fileFetch() })).rejects.toThrow(
      `hold ${shard.length - 100} bytes but the manifest describes ${shard.length}; a file is truncated`
    );
  });

  it('refuses a model over the size cap before downloading any weights', async () => {
    const requests: string[] = [];
    const url = write('big', shipped, shard);
    await expect(
      loadModel(url, { fetch: fileFetch(requests), maxWeightBytes: 1e6 })
    ).rejects.toThrow(ModelTooLargeError);
    expect(requests).toEqual([url]);
    await expect(
      loadModel(url, { fetch: fileFetch(), maxWeightBytes: 1e6 })
    ).rejects.toThrow(/2\.4 MB of weights, over the 1 MB limit/);
  });

  it('holds the model and every weights file to the allowed places before any request', async () => {
    const url = write('allowed/m', shipped, shard);
    const folder = url.replace(/model\.json$/, '');
    const loaded = await loadModel(url, {
      fetch: fileFetch(),
      allowedPrefixes: [folder]
    });
    loaded.model.dispose();

    const outside = write('outside', shipped, shard);
    const refusedModel: string[] = [];
    await expect(
      loadModel(outside, {
        fetch: fileFetch(refusedModel),
        allowedPrefixes: [folder]
      })
    ).rejects.toThrow(PathNotAllowedError);
    expect(refusedModel).toEqual([]);

    for (const path of [
      '../../../api/contents/secret.txt',
      '/api/contents/secret.txt?content=1',
      'http://evil.example/weights.bin',
      'sub/..%2f..%2fsecret.bin'
    ]) {
      const hostile = JSON.parse(shipped);
      hostile.weightsManifest[0].paths = ['group1-shard1of1.bin', path];
      const requests: string[] = [];
      const model = write(
        `hostile/${refusedModel.length}`,
        JSON.stringify(hostile),
        shard
      );
      const refused = loadModel(model, {
        fetch: fileFetch(requests),
        allowedPrefixes: [model.replace(/model\.json$/, '')]
      });
      await expect(refused).rejects.toThrow(PathNotAllowedError);
      await expect(refused).rejects.toThrow(`the weights file "${path}"`);
      // model.json only: no weights file was asked for, not even the good one.
      expect(requests).toEqual([model]);
      refusedModel.push(model);
    }
  });

  it('names a missing weights file', async () => {
    const url = write('noshard', shipped);
    await expect(loadModel(url, { fetch: fileFetch() })).rejects.toThrow(
      /group1-shard1of1\.bin: the server answered 404/
    );
  });

  it('wraps what tfjs cannot build', async () => {
    const broken = JSON.parse(shipped);
    broken.modelTopology.config.layers[0].class_name = 'Conv9D';
    await expect(
      loadModel(write('unknownlayer', JSON.stringify(broken), shard), {
        fetch: fileFetch()
      })
    ).rejects.toThrow(/TensorFlow.js could not build it: .*Conv9D/);
  });

  it('leaves no tensors behind when it fails', async () => {
    const before = tf.memory().numTensors;
    await loadModel(write('short2', shipped, shard.subarray(0, 10)), {
      fetch: fileFetch()
    }).catch(() => undefined);
    expect(tf.memory().numTensors).toBe(before);
  });
});
