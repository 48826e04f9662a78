/**
 * The pool of engine workers (docs/architecture.md, "Memory and speed") with
 * real Node worker threads, each its own WASM instance: a pooled job's
 * result equals the single-worker engine's run in the same test (the oracle
 * here; that engine is itself checked against NumPy and PyTorch elsewhere),
 * Cancel leaves every worker with no running share and no leaked tensors, a
 * worker killed mid-job is replaced and its share re-run, and a second death
 * fails the job with a clear message.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineCore } from '../../core';
import type { JobRequest, JobSummaryOf } from '../../protocol';
import { fileFetch, fileUrl } from '../../../testing/files';
import {
  type IJobRun,
  doneJob,
  expectCleanCancel,
  runJob
} from '../../../testing/jobs';
import { nodePoolHost } from '../../../testing/node-pool';
import { bundleShareWorker } from '../../../testing/node-pool-bundle';
import { splitBatches } from '../../../dataset/pass-shares';
import { RunningTopK, mergeRanked } from '../../../dataset/top-k';
import { poolSize } from '../pool-size';
import { type ITestCores, startTestCores } from '../../../testing/pool-cores';
import { WASM_PATH } from '../../../testing/backends';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };
const DIGITS = fileUrl('assets/datasets/mnist/mnist.json');

const topExamples = (limit: number): JobRequest => ({
  kind: 'top-examples',
  model: MODEL,
  target: { type: 'channel', layer: 'conv2d_1', channel: 5, reduce: 'max' },
  data: { source: 'bundled', url: DIGITS, limit },
  k: 9,
  bottom: true
});

/**
 * The same ranking: the same examples in the same order, values within
 * 1e-6 relative. Worker threads compute the single worker's very batches,
 * yet tfjs-wasm's convolution there differs from the main thread's in the
 * last bit or two (measured: about 1e-7 relative on these digits).
 */
function expectSameRanking(
  got: JobSummaryOf<'top-examples'>['top'] | null,
  want: JobSummaryOf<'top-examples'>['top'] | null
): void {
  expect(got?.indices).toEqual(want?.indices);
  expect(got?.labels).toEqual(want?.labels);
  expect(got?.predictions).toEqual(want?.predictions);
  got?.values.forEach((value, i) => {
    const reference = want?.values[i] as number;
    expect(Math.abs(value - reference)).toBeLessThanOrEqual(
      1e-6 * Math.abs(reference)
    );
  });
}

const done = (outcome: IJobRun) => doneJob<'top-examples'>(outcome);
const run = runJob;

describe('merging partial top k', () => {
  it('equals a brute-force ranking of the whole stream, ties included', () => {
    // Few distinct values: many ties, broken by the smaller index.
    const values = Float32Array.from(
      { length: 1000 },
      (_, i) => (i * 7919) % 13
    );
    const positions = Int32Array.from(values, (_, i) => i % 5);
    const order = [...values.keys()];
    for (const ranking of ['top', 'bottom'] as const) {
      const sign = ranking === 'top' ? -1 : 1;
      const want = [...order]
        .sort((a, b) => sign * (values[a] - values[b]) || a - b)
        .slice(0, 25);
      const parts = splitBatches([0, 1000], 64, 3).map(([start, end]) => {
        const part = new RunningTopK(25, ranking);
        part.push(
          values.subarray(start, end),
          positions.subarray(start, end),
          start
        );
        return part.result();
      });
      const merged = mergeRanked(parts, 25, ranking);
      expect([...merged.indices]).toEqual(want);
      expect([...merged.values]).toEqual(want.map(i => values[i]));
      expect([...merged.positions]).toEqual(want.map(i => positions[i]));
    }
  });

  it('cuts shares on whole batches', () => {
    expect(splitBatches([100, 1100], 256, 2)).toEqual([
      [100, 612],
      [612, 1100]
    ]);
    expect(splitBatches([0, 100], 256, 4)).toEqual([[0, 100]]);
  });
});

describe('poolSize', () => {
  it('leaves a core for the page, honours the cap, and is 1 on GPUs', () => {
    expect(poolSize(8, 'wasm')).toBe(7);
    expect(poolSize(1, 'wasm')).toBe(1);
    expect(poolSize(2, 'cpu')).toBe(1);
    expect(poolSize(8, 'wasm', 3)).toBe(3);
    expect(poolSize(4, 'wasm', 16)).toBe(3);
    expect(poolSize(16, 'webgl')).toBe(1);
    expect(poolSize(16, 'webgpu')).toBe(1);
  });
});

describe('the pool of engine workers', () => {
  let single: EngineCore;
  let pooled: EngineCore;
  let host: ITestCores['host'];
  let oracle: ReturnType<typeof done>;

  beforeAll(async () => {
    ({ single, pooled, host } = await startTestCores());
    oracle = done(await run(single, topExamples(3000)));
  }, 120000);

  afterAll(() => {
    single.close();
    pooled.close();
  });

  it('splits the activation pass and merges top and bottom k into the same ranking', async () => {
    expect(pooled.status().workers).toBe(3);
    const outcome = await run(pooled, topExamples(3000));
    const { summary, result } = done(outcome);
    expect(host.workers.length).toBe(2);
    expectSameRanking(summary.top, oracle.summary.top);
    expectSameRanking(summary.bottom, oracle.summary.bottom);
    // The examples' pictures and patches come from the core: bit for bit.
    expect(result.top.rgba).toEqual(oracle.result.top.rgba);
    expect(result.top.patches).toEqual(oracle.result.top.patches);
    expect(summary.count).toBe(3000);
    // One queue, one job: progress counts every share's images.
    const progress = outcome.events.filter(e => e.type === 'progress');
    const last = progress[progress.length - 1];
    expect(last).toMatchObject({ done: 3000, total: 3000 });
  }, 120000);

  it('loads the model in each worker from the core (one download)', async () => {
    const asked: string[] = [];
    const core = new EngineCore({
      candidates: ['wasm'],
      wasmPaths: WASM_PATH,
      fetch: fileFetch(asked),
      pool: nodePoolHost(await bundleShareWorker(), 3)
    });
    try {
      await core.start();
      done(await run(core, topExamples(2000)));
      expect(asked.length).toBeGreaterThan(0);
      expect(new Set(asked).size).toBe(asked.length);
    } finally {
      core.close();
    }
  }, 120000);

  it('Cancel stops every share: no running work, no leaked tensors', async () => {
    done(await run(pooled, topExamples(2000))); // every worker has the model
    await expectCleanCancel(pooled, topExamples(10000));
  }, 120000);

  it('replaces a worker killed mid-job and re-runs its share', async () => {
    const started = host.workers.length;
    let killed = 0;
    const outcome = await run(pooled, topExamples(3000), event => {
      if (event.type === 'progress' && killed === 0 && pooled.pool!.kill(0)) {
        killed++;
      }
    });
    const { summary } = done(outcome);
    expect(killed).toBe(1);
    expect(host.workers.length).toBe(started + 1);
    expectSameRanking(summary.top, oracle.summary.top);
    expectSameRanking(summary.bottom, oracle.summary.bottom);
  }, 120000);

  it('fails the job clearly when the replacement dies too', async () => {
    await pooled.describeModel(MODEL); // its weights stay cached
    const coreTensors = tf.memory().numTensors;
    let killed = 0;
    // Long shares: the replacement is killed while it still works.
    const outcome = await run(pooled, topExamples(10000), event => {
      if (event.type === 'progress' && killed < 2 && pooled.pool!.kill(0)) {
        killed++;
      }
    });
    expect(killed).toBe(2);
    expect(outcome.end.type).toBe('failed');
    expect(outcome.end).toMatchObject({
      error: {
        message: expect.stringMatching(
          /A worker of the engine's pool stopped twice while computing examples \d+ to \d+/
        )
      }
    });
    expect(tf.memory().numTensors).toBe(coreTensors);
    // The queue goes on: the next job runs on a fresh worker.
    expectSameRanking(
      done(await run(pooled, topExamples(3000))).summary.top,
      oracle.summary.top
    );
    const states = await pooled.pool!.states();
    expect(states.every(s => s.running === 0)).toBe(true);
  }, 120000);
});
