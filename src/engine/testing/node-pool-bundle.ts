/**
 * Test support: bundles the Node pool worker (node-share-worker.ts) with
 * esbuild, as the benchmarks bundle their entries; kept apart from
 * node-pool.ts so that a bundle of the benchmark does not take esbuild in.
 * (Not part of the product bundle: only tests use it.)
 */
import * as path from 'path';
import { ROOT } from './files';

/** Where the bundle goes (ignored by git; Node finds tfjs from there). */
export const SHARE_WORKER_BUNDLE = path.join(
  ROOT,
  'bench/.build/node-share-worker.cjs'
);

/** Bundles the Node pool worker (esbuild, as the benchmarks bundle). */
export async function bundleShareWorker(): Promise<string> {
  // esbuild is a dev dependency; tests load it only here.
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src/engine/testing/node-share-worker.ts')],
    outfile: SHARE_WORKER_BUNDLE,
    bundle: true,
    logLevel: 'warning',
    target: 'es2020',
    platform: 'node',
    format: 'cjs',
    external: ['@tensorflow/*']
  });
  return SHARE_WORKER_BUNDLE;
}
