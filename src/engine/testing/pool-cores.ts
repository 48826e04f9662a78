/**
 * Test support: the pool's specs' two engine cores on WASM, the oracle with
 * one worker and one whose pool has three (this core and two Node worker
 * threads, whatever this machine has), started one after the other.
 * (Not part of the product bundle: only tests use it.)
 */
import { EngineCore } from '../runtime/core';
import { WASM_PATH } from './backends';
import { fileFetch } from './files';
import { nodePoolHost } from './node-pool';
import { bundleShareWorker } from './node-pool-bundle';

export interface ITestCores {
  readonly single: EngineCore;
  readonly pooled: EngineCore;
  readonly host: ReturnType<typeof nodePoolHost>;
}

export async function startTestCores(): Promise<ITestCores> {
  const bundle = await bundleShareWorker();
  const base = { candidates: ['wasm' as const], wasmPaths: WASM_PATH };
  const single = new EngineCore({ ...base, fetch: fileFetch() });
  const host = nodePoolHost(bundle, 4);
  const pooled = new EngineCore({ ...base, fetch: fileFetch(), pool: host });
  // One after the other: two backend probes at once in one process can
  // leave one core on the CPU backend (seen under load).
  await single.start();
  await pooled.start();
  return { single, pooled, host };
}
