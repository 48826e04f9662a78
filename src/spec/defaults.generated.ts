/**
 * Generated from featureviz.v1.schema.json by scripts/generate-spec-types.mjs.
 * Do not edit: change the schema and run `jlpm build:spec-types`.
 */

/**
 * The value a spec field takes when it is left out, by the schema definition
 * that declares it. The engine fills in missing fields from here and the
 * Python builders read the same `default` keywords from the schema file.
 */
export const SPEC_DEFAULTS = {
  ChannelObjective: { reduce: 'auto' },
  Optimization: {
    preset: 'auto',
    init: 'auto',
    batch: 1,
    seed: 0,
    crop: 'auto'
  },
  Presets: {
    small: {
      param: 'pixel',
      decorrelate: false,
      transforms: [{ type: 'jitter', pixels: 1 }],
      init: 'auto',
      regularizers: { l1: 0.2, totalVariation: 0.05 },
      optimizer: { type: 'adam', lr: 0.05 },
      steps: 96,
      reduce: 'auto'
    },
    lucid: {
      param: 'fourier',
      decorrelate: true,
      transforms: 'auto',
      init: 'noise',
      regularizers: {},
      optimizer: { type: 'adam', lr: 0.05 },
      steps: 256,
      reduce: 'mean'
    },
    plain: {
      param: 'pixel',
      decorrelate: false,
      transforms: 'none',
      init: 'noise',
      regularizers: {},
      optimizer: { type: 'adam', lr: 0.05 },
      steps: 256,
      reduce: 'mean'
    }
  },
  ChannelTarget: { reduce: 'max' },
  LayerAtlasSpec: { reduce: 'auto' },
  TopExamplesSpec: { k: 16, bottom: false, patches: false, histogram: false },
  PcaSpec: { components: 2, seed: 0 },
  OcclusionSpec: { size: 7, fill: 0 },
  SaliencySpec: {
    methods: ['gradient'],
    noise: 0.15,
    samples: 50,
    seed: 0,
    steps: 50,
    baseline: 0
  },
  BuiltinDataRef: { split: 'test' },
  KernelDataRef: { labels: false }
} as const;
