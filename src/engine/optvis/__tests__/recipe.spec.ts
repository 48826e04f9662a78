/**
 * Recipes: presets by image size and colour, a channel's reduction by its
 * receptive field, the zoom, the start, the transforms; the value a frame
 * reports belongs to the image it shows (a linear unit, computed from the
 * frame's own pixels); regularizers scale with the objective (a closed form
 * for a linear unit; a channel mean that fixed weights turn black); notes.
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend, values } from '../../testing/backends';
import { bundledModel } from '../../testing/bundled';
import type { Objective as ObjectiveSpec } from '../../../spec/types.generated';
import { INPUT } from '../../model/activation-ref';
import { LayersExecutor } from '../../model/executor';
import type { ILoadedLayersModel } from '../../model/load';
import {
  type IOptimizationConfig,
  runGradientAscent,
  runObjective
} from '../ascent';
import { compileObjective } from '../compile';
import { NEVER_FIRES, WEAK, imageNotes, saturationHint } from '../notes';
import { NOWHERE } from '../objective';
import { l1 } from '../penalties';
import { choosePreset, planRun, resolveRecipe } from '../recipe';
import { objectiveScales } from '../regularize';
import type { IFrame } from '../render';
import { channel, classLogit } from '../units';

async function last(
  frames: AsyncGenerator<IFrame, IFrame, undefined>
): Promise<IFrame[]> {
  const all: IFrame[] = [];
  for await (const f of frames) {
    all.push(f);
  }
  return all;
}

function fakeFrame(perImage: number[], rgba?: Uint8ClampedArray): IFrame {
  return {
    step: 1,
    steps: 1,
    value: perImage.reduce((a, b) => a + b, 0),
    perImage: Float32Array.from(perImage),
    batch: perImage.length,
    height: 2,
    width: 2,
    rgba: rgba ?? new Uint8ClampedArray(perImage.length * 16).fill(128),
    elapsedMs: 0
  };
}

describe('recipes', () => {
  let loaded: ILoadedLayersModel;
  let executor: LayersExecutor;

  beforeAll(async () => {
    await useBackend('cpu');
    loaded = await bundledModel();
    executor = new LayersExecutor(loaded.model);
  });

  afterAll(() => {
    executor.dispose();
    loaded.model.dispose();
  });

  it("pick Lucid's preset for colour images of 64 pixels and more, the small one otherwise", () => {
    expect(choosePreset('auto', 28, 28, 1)).toBe('small');
    expect(choosePreset(undefined, 224, 224, 1)).toBe('small');
    expect(choosePreset('auto', 32, 32, 3)).toBe('small');
    expect(choosePreset('auto', 64, 80, 3)).toBe('lucid');
    expect(choosePreset('plain', 224, 224, 3)).toBe('plain');
  });

  it("reduce a channel to its centre neuron where its receptive field is at most half the image's side", () => {
    const plan = planRun(executor, {});
    // Receptive fields: 3, 5 and 6 pixels; dense and logits see all 28.
    expect(
      ['conv2d', 'conv2d_1', 'max_pooling2d', 'dense', 'logits'].map(layer =>
        plan.reduceFor(layer, 'auto')
      )
    ).toEqual(['centre', 'centre', 'centre', 'mean', 'mean']);
    expect(plan.reduceFor('conv2d_1', 'mean')).toBe('mean');
    expect(
      planRun(executor, { preset: 'lucid' }).reduceFor('conv2d_1', 'auto')
    ).toBe('mean');
    expect(
      planRun(executor, { preset: 'plain' }).reduceFor('conv2d', 'centre')
    ).toBe('centre');
    // Another image size: receptive fields are in the model's pixels.
    expect(
      planRun(executor, { size: [56, 56] }).reduceFor('conv2d', 'auto')
    ).toBe('mean');
  });

  it('zoom a centre neuron on its receptive field, start it dark and hold it still; start a logit from the dataset mean', () => {
    const plan = planRun(executor, {});
    const compile = (node: ObjectiveSpec) =>
      compileObjective(node, {
        logitsLayer: executor.logitsLayer,
        optimizable: layer => executor.optimizable(layer),
        reduce: plan.reduceFor
      });
    const unit = compile({ type: 'channel', layer: 'conv2d_1', channel: 5 });
    const zoomed = resolveRecipe(plan, unit.focus, executor, {}, true);
    expect(zoomed.crop).toEqual({ top: 12, left: 12, bottom: 16, right: 16 });
    expect(zoomed.transforms).toBe('none');
    expect(zoomed.init).toEqual({ color: [0.05] });
    expect(zoomed.param).toBe('pixel');
    expect(zoomed.regularizers).toEqual({ l1: 0.2, totalVariation: 0.05 });
    const logit = compile({ type: 'logit', index: 3 });
    const whole = resolveRecipe(plan, logit.focus, executor, {}, true);
    expect(whole.crop).toBeNull();
    expect(whole.init).toBe('dataset-mean');
    expect(whole.transforms).toEqual([{ type: 'jitter', pixels: 1 }]);
    expect(resolveRecipe(plan, logit.focus, executor, {}, false).init).toBe(
      'blob'
    );
    // The configuration overrides the preset.
    const own = resolveRecipe(
      plan,
      unit.focus,
      executor,
      {
        crop: 'none',
        init: 'noise',
        steps: 7,
        optimizer: { lr: 0.3 },
        regularizers: {},
        transforms: 'small'
      },
      true
    );
    expect(own.crop).toBeNull();
    expect(own.init).toBe('noise');
    expect(own.steps).toBe(7);
    expect(own.optimizer).toEqual({ type: 'adam', lr: 0.3 });
    expect(own.regularizers).toEqual({});
    expect(own.transforms).toBe('small');
    // A channel mean, a logit with a neuron, or a neuron seeing too much: no zoom.
    const mean = compile({
      type: 'channel',
      layer: 'conv2d_1',
      channel: 5,
      reduce: 'mean'
    });
    expect(resolveRecipe(plan, mean.focus, executor, {}, true).crop).toBeNull();
    const mixed = compile({
      type: 'sum',
      terms: [
        { type: 'neuron', layer: 'conv2d', channel: 1 },
        { type: 'logit', index: 2 }
      ]
    });
    expect(
      resolveRecipe(plan, mixed.focus, executor, {}, true).crop
    ).toBeNull();
    // Two neurons: the union of their fields.
    const two = compile({
      type: 'sum',
      terms: [
        { type: 'neuron', layer: 'conv2d', channel: 1, x: 4, y: 6 },
        { type: 'neuron', layer: 'conv2d', channel: 2, x: 8, y: 7 }
      ]
    });
    expect(resolveRecipe(plan, two.focus, executor, {}, true).crop).toEqual({
      top: 6,
      left: 4,
      bottom: 9,
      right: 10
    });
  });

  it('report with each frame the objective at the image it shows', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [6, 6, 1] }),
        tf.layers.dense({
          units: 3,
          name: 'dense',
          kernelInitializer: tf.initializers.randomNormal({
            stddev: 0.5,
            seed: 3
          }),
          biasInitializer: tf.initializers.constant({ value: 0.25 })
        })
      ]
    });
    const linear = new LayersExecutor(model);
    const [kernel, bias] = model.getLayer('dense').getWeights().map(values);
    const config: IOptimizationConfig = {
      preset: 'plain',
      steps: 12,
      frameEvery: 1,
      optimizer: { type: 'adam', lr: 0.1 }
    };
    const frames = await last(
      runObjective(classLogit('dense', 1), config, { executor: linear })
    );
    let worstShown = 0;
    let worstBefore = 0;
    frames.forEach((frame, i) => {
      // w·x + b from the frame's own pixels (bytes: ±1/510 each).
      const logitAt = (f: IFrame) =>
        Array.from(
          { length: 36 },
          (_, p) => (f.rgba[4 * p] / 255) * kernel[p * 3 + 1]
        ).reduce((a, b) => a + b, bias[1]);
      worstShown = Math.max(worstShown, Math.abs(frame.value - logitAt(frame)));
      if (i > 0) {
        worstBefore = Math.max(
          worstBefore,
          Math.abs(frame.value - logitAt(frames[i - 1]))
        );
      }
    });
    const rounding =
      Array.from({ length: 36 }, (_, p) => Math.abs(kernel[p * 3 + 1])).reduce(
        (a, b) => a + b,
        0
      ) / 510;
    expect(worstShown).toBeLessThan(rounding + 1e-4);
    // The image before the last update is measurably another value.
    expect(worstBefore).toBeGreaterThan(4 * rounding);
    linear.dispose();
    model.dispose();
  });

  it("scale a regularizer by the mean size of the objective's pixel gradient", async () => {
    // A linear unit's gradient is its weight vector: the scale is the mean
    // |w| over the weights above a thousandth of the largest.
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [4, 4, 1] }),
        tf.layers.dense({
          units: 2,
          name: 'dense',
          kernelInitializer: tf.initializers.randomNormal({ seed: 5 })
        })
      ]
    });
    const linear = new LayersExecutor(model);
    const kernel = values(model.getLayer('dense').getWeights()[0]);
    const w = Array.from({ length: 16 }, (_, p) => Math.abs(kernel[p * 2]));
    const largest = Math.max(...w);
    const reached = w.filter(v => v >= 1e-3 * largest);
    const images = tf.fill([1, 4, 4, 1], 0.5) as tf.Tensor4D;
    const scales = await objectiveScales(
      classLogit('dense', 0),
      linear,
      images,
      x => x
    );
    expect(scales[0]).toBeCloseTo(
      reached.reduce((a, b) => a + b, 0) / reached.length,
      5
    );
    images.dispose();
    linear.dispose();
    model.dispose();
  });

  it("leave a channel mean with the preset's regularizers visible, where the same weights unscaled turn it black", async () => {
    const node: ObjectiveSpec = {
      type: 'channel',
      layer: 'conv2d_1',
      channel: 5,
      reduce: 'mean'
    };
    const meanPixel = (frame: IFrame) => {
      let total = 0;
      for (let i = 0; i < frame.rgba.length; i += 4) {
        total += frame.rgba[i] / 255;
      }
      return total / (frame.rgba.length / 4);
    };
    const scaled = await last(
      runGradientAscent(node, { steps: 48 }, { executor })
    );
    // The same weights as plain objective terms (not scaled to the objective).
    const unscaled = await last(
      runGradientAscent(
        {
          type: 'sum',
          terms: [
            node,
            { type: 'scale', factor: -0.2, term: { type: 'l1' } },
            { type: 'scale', factor: -0.05, term: { type: 'total-variation' } }
          ]
        },
        { steps: 48, regularizers: {} },
        { executor }
      )
    );
    expect(meanPixel(scaled[scaled.length - 1])).toBeGreaterThan(0.2);
    expect(meanPixel(unscaled[unscaled.length - 1])).toBeLessThan(0.02);
  });

  it('label units that never fire or are weak, and hint when a channel mean saturates', () => {
    const beforeRelu = {
      sites: [{ ref: { layer: 'c', pre: true } }],
      everywhere: false,
      means: false
    };
    expect(
      imageNotes(fakeFrame([1, 0.9, 1.2, 1.1]), beforeRelu, true)
    ).toBeUndefined();
    expect(
      imageNotes(fakeFrame([1, -0.1, 0.2, 1.1, 0.9]), beforeRelu, true)
    ).toEqual([null, NEVER_FIRES, WEAK, null, null]);
    // Not comparable (one unit, or no units to compare): only "never fires".
    expect(
      imageNotes(fakeFrame([1, -0.1, 0.2, 1.1, 0.9]), beforeRelu, false)
    ).toEqual([null, NEVER_FIRES, null, null, null]);
    expect(imageNotes(fakeFrame([-1]), NOWHERE, false)).toBeUndefined();
    const channelMean = { sites: [], everywhere: true, means: true };
    const white = new Uint8ClampedArray(16).fill(255);
    expect(saturationHint(fakeFrame([1], white), channelMean)).toMatch(
      /The picture saturates/
    );
    expect(saturationHint(fakeFrame([1]), channelMean)).toBeNull();
    expect(saturationHint(fakeFrame([1], white), NOWHERE)).toBeNull();
  });

  it('say what they did on every frame', async () => {
    const frames = await last(
      runGradientAscent(
        { type: 'channel', layer: 'conv2d_1', channel: 5 },
        { steps: 2 },
        { executor }
      )
    );
    expect([frames[0].height, frames[0].width]).toEqual([5, 5]);
    expect(frames[0].caption).toBe(
      'small preset, 2 steps · centre neuron before its ReLU, zoomed on its 5×5 receptive field (rows 12–16, columns 12–16) · start: dark · L1 0.2, total variation 0.05 (relative to the objective)'
    );
    // A penalty on the image alone reads no unit.
    expect(l1(INPUT).focus).toEqual(NOWHERE);
    expect(channel('conv2d', 1, undefined, 'centre').focus.sites).toHaveLength(
      1
    );
  });
});
