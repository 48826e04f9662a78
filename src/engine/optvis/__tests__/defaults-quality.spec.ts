/**
 * The default pictures of the bundled CNN, made by the engine (WASM) and
 * judged by independent oracles (src/engine/testing/oracles.ts):
 * - the ten logit pictures, classified by a vote of the ten nearest real
 *   training digits (not by the model), and their distance to real digits
 *   against a start from flat grey;
 * - every channel of both conv layers: its picture against the mean of the
 *   receptive-field patches of its 16 most exciting positions in 2,000 real
 *   training digits (a brute-force
 *   pass of tfjs-layers' own forward), and against the spatial mean's
 *   picture (Lucid's channel objective), which saturates.
 */
import type { Objective as ObjectiveSpec } from '../../../spec/types.generated';
import type { IImageDataset } from '../../dataset/images';
import { LayersExecutor } from '../../model/executor';
import type { ILoadedLayersModel } from '../../model/load';
import { useBackend } from '../../testing/backends';
import { bundledDigits, bundledModel } from '../../testing/bundled';
import {
  frameGrey,
  nearestDigits,
  pearson,
  topPatchMeans,
  vote
} from '../../testing/oracles';
import {
  type IOptimizationConfig,
  type IRunContext,
  runGradientAscent,
  runLayerAtlas
} from '../ascent';
import type { IFrame } from '../render';

async function final(
  frames: AsyncGenerator<IFrame, IFrame, undefined>
): Promise<IFrame> {
  let last: IFrame | null = null;
  for await (const frame of frames) {
    last = frame;
  }
  return last as IFrame;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The ten logits, one per image, as fv.gradient_ascent(net, logit=range(10)) builds them. */
const TEN_LOGITS: ObjectiveSpec = {
  type: 'sum',
  terms: Array.from({ length: 10 }, (_, i) => ({
    type: 'logit' as const,
    index: i,
    batch: i
  })) as [ObjectiveSpec, ...ObjectiveSpec[]]
};

describe('the default pictures of the bundled CNN', () => {
  let loaded: ILoadedLayersModel;
  let context: IRunContext;
  let digits: IImageDataset;
  const train: [number, number] = [0, 8000];

  beforeAll(async () => {
    await useBackend('wasm');
    loaded = await bundledModel();
    context = {
      executor: new LayersExecutor(loaded.model),
      datasetMean: loaded.metadata.datasetMean
    };
    digits = await bundledDigits();
  });

  afterAll(() => {
    context.executor.dispose();
    loaded.model.dispose();
  });

  it('draw the ten logits as digits: a vote of real training digits reads them, and they lie nearer real digits than pictures started from grey', async () => {
    expect(loaded.metadata.datasetMean?.shape).toEqual([28, 28, 1]);
    const judge = async (config: IOptimizationConfig) => {
      const frame = await final(
        runGradientAscent(TEN_LOGITS, { batch: 10, ...config }, context)
      );
      expect([frame.height, frame.width]).toEqual([28, 28]);
      const judged = Array.from({ length: 10 }, (_, i) =>
        nearestDigits(frameGrey(frame, i), digits, train, 10)
      );
      return {
        correct: judged.filter(({ labels }, i) => vote(labels) === i).length,
        distance: judged.reduce((t, j) => t + j.meanDistance, 0) / 10
      };
    };
    const defaults = await judge({});
    const grey = await judge({ init: { color: [0.5] } });
    expect(defaults.correct).toBeGreaterThanOrEqual(9);
    expect(defaults.distance).toBeLessThan(0.75 * grey.distance);
  }, 600000);

  for (const [layer, side] of [
    ['conv2d', 3],
    ['conv2d_1', 5]
  ] as const) {
    it(`draw each channel of ${layer} as what excites it: the mean of its 16 most exciting real patches`, async () => {
      const targets = topPatchMeans(loaded.model, digits, layer, side, {
        count: 2000,
        k: 16
      });
      const frame = await final(runLayerAtlas(layer, undefined, {}, context));
      // Zoomed on the centre unit's receptive field.
      expect([frame.height, frame.width]).toEqual([side, side]);
      const ours = targets.map((target, i) =>
        pearson(frameGrey(frame, i), target)
      );
      // Lucid's channel objective (the spatial mean), cut to the same box.
      const means = await final(
        runLayerAtlas(layer, undefined, { crop: 'none' }, context, 'mean')
      );
      const centre = Math.floor((28 - side + 1) / 2);
      const theirs = targets.map((target, i) => {
        const whole = frameGrey(means, i);
        const box = new Float32Array(side * side);
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side; x++) {
            box[y * side + x] = whole[(centre + y) * 28 + centre + x];
          }
        }
        return pearson(box, target);
      });
      expect(median(ours)).toBeGreaterThan(0.6);
      expect(median(ours)).toBeGreaterThan(median(theirs) + 0.4);
    }, 600000);
  }
});
