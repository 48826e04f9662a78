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
  Optimizer: { lr: 0.05 },
  Optimization: {
    param: 'fourier',
    decorrelate: true,
    batch: 1,
    optimizer: { type: 'adam', lr: 0.05 },
    steps: 256,
    seed: 0
  },
  ChannelTarget: { reduce: 'max' },
  TopExamplesSpec: { k: 16, bottom: false, patches: false },
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
