/**
 * How many engine workers batched work may use (docs/architecture.md,
 * "Memory and speed"): one per core but one (the page keeps a core), at
 * least one, at most the setting's cap; one on WebGL and WebGPU, where a page
 * has one context and the GPU is shared anyway.
 */
import type { BackendName } from '../capabilities';
import type { IShareEndpoint } from './share-protocol';

/** What the engine's host gives the core to start pool workers. */
export interface IPoolHost {
  /** Starts one pool worker (running pool/share-worker.ts). */
  readonly spawn: () => IShareEndpoint;
  /** The machine's logical cores (`navigator.hardwareConcurrency`). */
  readonly cores: number;
}

/** Backends a pool of separate workers helps: one thread each, no GPU. */
export function poolsBackend(backend: BackendName | null): boolean {
  return backend === 'wasm' || backend === 'cpu';
}

/** The pool's size: cores − 1 (at least 1), capped by `maxWorkers` (> 0). */
export function poolSize(
  cores: number,
  backend: BackendName | null,
  maxWorkers?: number
): number {
  if (!poolsBackend(backend)) {
    return 1;
  }
  const free = Math.max(1, Math.floor(cores) - 1);
  return maxWorkers && maxWorkers > 0
    ? Math.max(1, Math.min(free, Math.floor(maxWorkers)))
    : free;
}
