/**
 * The backend ladder: WebGPU, WebGL2, WASM (SIMD), CPU, ranked by a short
 * measured probe rather than assumed. On a laptop GPU WebGL wins; on a CPU-only
 * machine, where headless Chromium renders WebGL with SwiftShader, WASM was
 * measured ~5× faster than WebGL and ~8× faster than CPU.
 *
 * TensorFlow.js refuses software WebGL unless SOFTWARE_WEBGL_ENABLED is set;
 * the probe measures it with the flag and keeps the flag only if software
 * WebGL is the fastest backend there is.
 *
 * The ops, their gradients and the Layers and graph loaders come from the
 * `@tensorflow/tfjs` package; the backends are registered here, by importing
 * their packages (WebGPU's only where WebGPU exists).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { conv2dToInput } from '../model/conv-ops';
import { defaultStrategy } from '../model/ops';
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

// Sized like the real work (the MNIST CNN's second convolution): with
// smaller tensors per-op overhead dominates and ranks backends wrongly (the
// plain-JS CPU backend has less overhead per op than WASM, and far less speed).
const PROBE = { size: 28, inChannels: 8, mid: 32, out: 64 };

/**
 * Multiply-adds of the probe's forward pass (two 3×3 convolutions, `same`
 * padding): job estimates scale the probe's measured time by their own.
 */
export const PROBE_MACS =
  PROBE.size *
  PROBE.size *
  9 *
  (PROBE.inChannels * PROBE.mid + PROBE.mid * PROBE.out);

function workload(): IProbeWorkload {
  const random = createRandom(1234);
  const { size, inChannels, mid, out } = PROBE;
  return {
    x: normalArray(random, size * size * inChannels, 1),
    f1: normalArray(random, 3 * 3 * inChannels * mid, 0.3),
    f2: normalArray(random, 3 * 3 * mid * out, 0.1)
  };
}

/**
 * One optimization-like step: two convolutions forward, then the gradient to
 * the input, with the same ops the executor uses on this backend.
 */
async function probeStep(w: IProbeWorkload, backend: string): Promise<number> {
  const grad = tf.tidy(() => {
    const { size, inChannels, mid, out } = PROBE;
    const x = tf.tensor4d(w.x, [1, size, size, inChannels]);
    const f1 = tf.tensor4d(w.f1, [3, 3, inChannels, mid]);
    const f2 = tf.tensor4d(w.f2, [3, 3, mid, out]);
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
  /** Rounds of timed steps; each round visits every backend once. */
  readonly rounds?: number;
  readonly stepsPerRound?: number;
}

/**
 * Measures each candidate backend and returns the results, fastest first
 * (failures last). Leaves the fastest backend active.
 *
 * Backends are timed in interleaved rounds (a few steps each, every backend
 * per round), so that other work on the machine slows them all alike instead
 * of spoiling one backend's figure.
 */
export async function probeBackends(
  candidates: readonly BackendName[],
  options: IProbeOptions = {}
): Promise<IProbeResult[]> {
  const w = workload();
  let reference = NaN;
  if (await activateBackend('cpu')) {
    reference = await probeStep(w, 'cpu');
  }
  const started = new Map<
    BackendName,
    { warmupMs: number; software: boolean; times: number[] }
  >();
  const failed: IProbeResult[] = [];
  for (const backend of candidates) {
    let software = false;
    let ok = await activateBackend(backend, options.wasmPaths);
    if (!ok && backend === 'webgl') {
      // Only a software rasterizer is there: measure it, decide below.
      tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
      ok = await activateBackend('webgl');
      software = ok;
      if (!ok) {
        tf.env().set('SOFTWARE_WEBGL_ENABLED', false);
      }
    }
    if (!ok) {
      failed.push({ backend, ok: false, error: 'it did not start here' });
      continue;
    }
    const t0 = performance.now();
    const checksum = await probeStep(w, backend);
    const warmupMs = performance.now() - t0;
    // A backend that computes something else (a broken driver) is not used.
    if (
      !Number.isFinite(checksum) ||
      Math.abs(checksum - reference) > 1e-3 * Math.abs(reference)
    ) {
      failed.push({
        backend,
        ok: false,
        software,
        error: `self-test failed: ${checksum} instead of ${reference}`
      });
      continue;
    }
    started.set(backend, { warmupMs, software, times: [] });
  }
  const rounds = options.rounds ?? 3;
  const steps = options.stepsPerRound ?? 2;
  for (let round = 0; round < rounds; round++) {
    for (const [backend, entry] of started) {
      if (entry.software) {
        tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
      }
      await activateBackend(backend, options.wasmPaths);
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        await probeStep(w, backend);
        entry.times.push(performance.now() - t0);
      }
    }
  }
  const results: IProbeResult[] = [...started].map(([backend, entry]) => ({
    backend,
    ok: true,
    msPerStep: median(entry.times),
    warmupMs: entry.warmupMs,
    software: entry.software
  }));
  const ranked = rankProbes([...results, ...failed]);
  const best = ranked.find(r => r.ok);
  tf.env().set('SOFTWARE_WEBGL_ENABLED', best?.software ?? false);
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
