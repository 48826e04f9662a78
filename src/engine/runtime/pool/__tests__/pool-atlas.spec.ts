/**
 * The layer atlas over the pool of engine workers (docs/architecture.md,
 * "Memory and speed"), with real Node worker threads: its channels split
 * over three workers (this core and two threads), each share streaming its
 * frames, and the merged frames equal the single-worker engine's atlas in
 * the same test (the oracle: one batched run of every channel) at every
 * frame, notes and caption included. Cancel mid-atlas leaves no running
 * share and no leaked tensor; a worker killed mid-atlas is replaced, its
 * share re-run from its first frame, and the atlas still equals.
 */
import * as tf from '@tensorflow/tfjs';
import type { EngineCore } from '../../core';
import { StepMerge, joinFrames } from '../../../optvis/atlas-merge';
import type { IFrame } from '../../../optvis/render';
import type { JobRequestOf } from '../../protocol';
import { fileUrl } from '../../../testing/files';
import {
  type IJobRun,
  doneJob,
  expectCleanCancel,
  runJob
} from '../../../testing/jobs';
import { type ITestCores, startTestCores } from '../../../testing/pool-cores';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };

type Optimization = NonNullable<JobRequestOf<'layer-atlas'>['optimization']>;

const atlas = (
  optimization: Optimization,
  layer = 'conv2d'
): JobRequestOf<'layer-atlas'> => ({
  kind: 'layer-atlas',
  model: MODEL,
  layer,
  optimization
});

/** The default recipe: a centre neuron, zoomed, with scaled penalties. */
const DEFAULT: Optimization = { steps: 24, frameEvery: 4, seed: 3 };
/** Lucid's random start (drawn for the whole batch) in a Fourier basis. */
const FOURIER: Optimization = {
  preset: 'plain',
  param: 'fourier',
  transforms: 'small',
  steps: 24,
  frameEvery: 4,
  seed: 5
};
const PIXEL: Optimization = { ...FOURIER, param: 'pixel', seed: 6 };

const framesOf = (outcome: IJobRun): IFrame[] =>
  outcome.events.flatMap(e => (e.type === 'frame' ? [e.frame] : []));

/**
 * Every frame the same: pixels bit for bit, each image's value within 1e-6
 * relative (measured: bit for bit too; worker threads' WASM may differ from
 * the main thread's in the last bits, see pool.spec.ts), the notes and the
 * caption equal.
 */
function expectSameFrames(got: IFrame[], want: IFrame[]): void {
  expect(got.map(f => f.step)).toEqual(want.map(f => f.step));
  got.forEach((frame, i) => {
    const oracle = want[i];
    expect([frame.batch, frame.height, frame.width]).toEqual([
      oracle.batch,
      oracle.height,
      oracle.width
    ]);
    expect(frame.rgba).toEqual(oracle.rgba);
    expect(frame.perImage).toHaveLength(oracle.perImage.length);
    oracle.perImage.forEach((value, j) => {
      expect(Math.abs(frame.perImage[j] - value)).toBeLessThanOrEqual(
        1e-6 * Math.abs(value)
      );
    });
    expect(Math.abs(frame.value - oracle.value)).toBeLessThanOrEqual(
      1e-6 * Math.abs(oracle.value)
    );
    expect(frame.notes).toEqual(oracle.notes);
    expect(frame.caption).toEqual(oracle.caption);
  });
}

/** A frame of `batch` images whose bytes and values say which they are. */
function frameOf(step: number, first: number, batch: number): IFrame {
  const perImage = Float32Array.from({ length: batch }, (_, i) => first + i);
  return {
    step,
    steps: 8,
    value: perImage.reduce((a, b) => a + b, 0),
    perImage,
    caption: 'c',
    batch,
    height: 1,
    width: 2,
    rgba: Uint8ClampedArray.from(
      { length: batch * 8 },
      (_, i) => first * 8 + i
    ),
    elapsedMs: 0
  };
}

describe('merging an atlas step by step', () => {
  it('joins shares in channel order once every share sent the step', () => {
    const merge = new StepMerge(2);
    expect(merge.add(1, frameOf(0, 3, 2))).toEqual([]);
    expect(merge.add(1, frameOf(4, 3, 2))).toEqual([]);
    const [zero] = merge.add(0, frameOf(0, 0, 3));
    // The oracle: the whole batch's frame made directly.
    const whole = frameOf(0, 0, 5);
    expect(zero.rgba).toEqual(whole.rgba);
    expect(zero.perImage).toEqual(whole.perImage);
    expect([zero.step, zero.batch, zero.value]).toEqual([0, 5, whole.value]);
    expect(merge.add(0, frameOf(4, 0, 3)).map(f => f.step)).toEqual([4]);
  });

  it('drops the frames a re-run share sends again', () => {
    const merge = new StepMerge(2);
    merge.add(0, frameOf(0, 0, 1));
    merge.add(1, frameOf(0, 1, 1));
    merge.add(0, frameOf(4, 0, 1));
    merge.add(1, frameOf(4, 1, 1));
    merge.add(0, frameOf(8, 0, 1));
    // Share 1's worker died after step 4: its re-run starts over.
    expect(merge.add(1, frameOf(0, 1, 1))).toEqual([]);
    expect(merge.add(1, frameOf(4, 1, 1))).toEqual([]);
    expect(merge.add(1, frameOf(8, 1, 1)).map(f => f.step)).toEqual([8]);
    expect(merge.merged).toBe(8);
  });

  it('refuses shares that disagree on the image size', () => {
    const other = { ...frameOf(0, 1, 1), height: 2 };
    expect(() => joinFrames([frameOf(0, 0, 1), other], 0)).toThrow(
      /shares disagree/
    );
  });
});

describe('the layer atlas over the pool of engine workers', () => {
  let single: EngineCore;
  let pooled: EngineCore;
  let host: ITestCores['host'];
  const oracles = new Map<Optimization, IJobRun>();
  const oracle = async (optimization: Optimization) => {
    if (!oracles.has(optimization)) {
      oracles.set(optimization, await runJob(single, atlas(optimization)));
    }
    return oracles.get(optimization) as IJobRun;
  };

  beforeAll(async () => {
    ({ single, pooled, host } = await startTestCores());
    await pooled.describeModel(MODEL); // its weights stay cached
  }, 120000);

  afterAll(() => {
    single.close();
    pooled.close();
  });

  it.each([
    ['the default recipe (zoomed, scaled penalties)', DEFAULT],
    ['a random Fourier start', FOURIER],
    ['a random pixel start', PIXEL]
  ])(
    'splits the atlas and merges every frame as one worker: %s',
    async (_, optimization) => {
      const want = await oracle(optimization);
      const tensors = tf.memory().numTensors;
      const got = await runJob(pooled, atlas(optimization));
      expect(pooled.status().workers).toBe(3);
      expect(host.workers.length).toBe(2);
      const { summary } = doneJob<'layer-atlas'>(got);
      expectSameFrames(framesOf(got), framesOf(want));
      const oracleSummary = doneJob<'layer-atlas'>(want).summary;
      expect(summary.steps).toBe(oracleSummary.steps);
      expect(summary.perImage).toHaveLength(32);
      // One queue: each merged frame carries its progress, the last 1.
      const progress = got.events.flatMap(e =>
        e.type === 'frame' ? [e.progress] : []
      );
      expect(progress[progress.length - 1]).toBe(1);
      expect(tf.memory().numTensors).toBe(tensors);
      const states = await pooled.pool!.states();
      expect(states.map(s => s.running)).toEqual([0, 0]);
    },
    120000
  );

  it('labels the weak units of the merged atlas against every channel', async () => {
    // conv2d_1's default atlas has weak channels (the oracle's notes say).
    const request = atlas({ steps: 8, frameEvery: 4, seed: 1 }, 'conv2d_1');
    const want = framesOf(await runJob(single, request));
    const notes = want[want.length - 1].notes ?? [];
    expect(notes.filter(note => note !== null).length).toBeGreaterThan(0);
    expectSameFrames(framesOf(await runJob(pooled, request)), want);
  }, 120000);

  it('Cancel stops every share of an atlas: no running work, no leaked tensors', async () => {
    await expectCleanCancel(pooled, atlas({ ...DEFAULT, steps: 4000 }));
  }, 120000);

  it('replaces a worker killed mid-atlas and re-runs its share', async () => {
    const want = await oracle(FOURIER);
    const started = host.workers.length;
    let killed = 0;
    const outcome = await runJob(pooled, atlas(FOURIER), event => {
      if (
        event.type === 'frame' &&
        event.frame.step > 0 &&
        killed === 0 &&
        pooled.pool!.kill(0)
      ) {
        killed++;
      }
    });
    doneJob(outcome);
    expect(killed).toBe(1);
    expect(host.workers.length).toBe(started + 1);
    // Each step once, in order, the re-run's repeats dropped.
    expectSameFrames(framesOf(outcome), framesOf(want));
  }, 120000);
});
