/**
 * The backend ladder: WebGPU, WebGL2, WASM (SIMD), CPU, ranked by a short
 * measured probe rather than assumed. On a laptop GPU WebGL wins; on a CPU-only
 * machine, where headless Chromium renders WebGL with SwiftShader, WASM was
 * measured ~5× faster than WebGL and ~8× faster than CPU.
 *
 * TensorFlow.js refuses software WebGL unless SOFTWARE_WEBGL_ENABLED is set;
 * the probe measures it with the flag and keeps the flag only if software
 * WebGL is the fastest backend there is.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { conv2dToInput, defaultStrategy } from '../model/ops';
import { createRandom, normalArray } from '../optvis/rng';
import type { BackendName } from './capabilities';
import type { IProbeResult } from './protocol';

/** Where the WASM binaries are: a URL prefix, or a URL per file name. */
export type WasmPaths = string | Record<string, string>;

let wasmPathsSet = false;
let webgpuLoaded: Promise<void> | null = null;

/** Makes a backend the active one. Returns false if it cannot start here. */
export async function activateBackend(
  name: BackendName,
  wasmPaths?: WasmPaths
): Promise<boolean> {
  try {
    if (name === 'wasm' && wasmPaths !== undefined && !wasmPathsSet) {
      if (typeof wasmPaths === 'string') {
        setWasmPaths(wasmPaths);
      } else {
        setWasmPaths(wasmPaths);
      }
      wasmPathsSet = true;
    }
    if (name === 'webgpu') {
      // Loaded only where WebGPU exists: most machines never fetch it.
      webgpuLoaded ??= import('@tensorflow/tfjs-backend-webgpu').then(
        () => undefined
      );
      await webgpuLoaded;
    }
    if (!(await tf.setBackend(name))) {
      return false;
    }
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

interface IProbeWorkload {
  readonly x: Float32Array;
  readonly f1: Float32Array;
  readonly f2: Float32Array;
}

function workload(): IProbeWorkload {
  const random = createRandom(1234);
  return {
    x: normalArray(random, 32 * 32 * 3, 1),
    f1: normalArray(random, 3 * 3 * 3 * 16, 0.3),
    f2: normalArray(random, 3 * 3 * 16 * 32, 0.2)
  };
}

/**
 * One optimization-like step: two convolutions forward, then the gradient to
 * the input, with the same ops the executor uses on this backend.
 */
async function probeStep(w: IProbeWorkload, backend: string): Promise<number> {
  const grad = tf.tidy(() => {
    const x = tf.tensor4d(w.x, [1, 32, 32, 3]);
    const f1 = tf.tensor4d(w.f1, [3, 3, 3, 16]);
    const f2 = tf.tensor4d(w.f2, [3, 3, 16, 32]);
    const options = {
      strides: [1, 1] as [number, number],
      padding: 'same' as const,
      dilations: [1, 1] as [number, number],
      activation: 'relu' as const,
      strategy: defaultStrategy(backend)
    };
    return tf.grad(t =>
      tf.mean(
        conv2dToInput(
          conv2dToInput(t as tf.Tensor4D, f1, null, options),
          f2,
          null,
          options
        )
      )
    )(x);
  });
  try {
    const values = await grad.data();
    let total = 0;
    for (let i = 0; i < values.length; i++) {
      total += Math.abs(values[i]);
    }
    return total;
  } finally {
    grad.dispose();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export interface IProbeOptions {
  readonly wasmPaths?: WasmPaths;
  /** Time spent measuring each backend after its warm-up. */
  readonly budgetMs?: number;
  readonly maxSteps?: number;
}

async function measure(
  backend: BackendName,
  w: IProbeWorkload,
  reference: number,
  options: IProbeOptions,
  software: boolean
): Promise<IProbeResult> {
  const start = performance.now();
  const checksum = await probeStep(w, backend);
  const warmupMs = performance.now() - start;
  // A backend that computes something else (a broken driver) is not used.
  if (
    !Number.isFinite(checksum) ||
    Math.abs(checksum - reference) > 1e-3 * Math.abs(reference)
  ) {
    return {
      backend,
      ok: false,
      software,
      error: `self-test failed: ${checksum} instead of ${reference}`
    };
  }
  const times: number[] = [];
  const budget = options.budgetMs ?? 300;
  const began = performance.now();
  while (
    times.length < (options.maxSteps ?? 12) &&
    (times.length < 3 || performance.now() - began < budget)
  ) {
    const t0 = performance.now();
    await probeStep(w, backend);
    times.push(performance.now() - t0);
  }
  return { backend, ok: true, msPerStep: median(times), warmupMs, software };
}

/**
 * Measures each candidate backend and returns the results, fastest first
 * (failures last). Leaves the fastest backend active.
 */
export async function probeBackends(
  candidates: readonly BackendName[],
  options: IProbeOptions = {}
): Promise<IProbeResult[]> {
  const w = workload();
  const results: IProbeResult[] = [];
  let reference = NaN;
  if (await activateBackend('cpu')) {
    reference = await probeStep(w, 'cpu');
  }
  for (const backend of candidates) {
    if (backend === 'cpu') {
      results.push(await measure('cpu', w, reference, options, false));
      continue;
    }
    if (await activateBackend(backend, options.wasmPaths)) {
      results.push(await measure(backend, w, reference, options, false));
      continue;
    }
    if (backend === 'webgl') {
      // Only a software rasterizer is there: measure it, decide below.
      tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
      if (await activateBackend('webgl')) {
        results.push(await measure('webgl', w, reference, options, true));
        continue;
      }
      tf.env().set('SOFTWARE_WEBGL_ENABLED', false);
    }
    results.push({ backend, ok: false, error: 'it did not start here' });
  }
  const ranked = rankProbes(results);
  const best = ranked.find(r => r.ok);
  if (!best?.software) {
    tf.env().set('SOFTWARE_WEBGL_ENABLED', false);
  }
  if (best) {
    await activateBackend(best.backend, options.wasmPaths);
  }
  return ranked;
}

/** Fastest first; backends that failed go last, in ladder order. */
export function rankProbes(results: readonly IProbeResult[]): IProbeResult[] {
  return [...results].sort((a, b) => {
    if (a.ok !== b.ok) {
      return a.ok ? -1 : 1;
    }
    return (a.msPerStep ?? Infinity) - (b.msPerStep ?? Infinity);
  });
}
