/** A TensorFlow.js backend the engine can run on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** A backend the user pins, or automatic choice by measurement. */
export type BackendChoice = 'auto' | BackendName;

/** The order backends are tried in when nothing has been measured yet. */
export const BACKEND_LADDER: readonly BackendName[] = [
  'webgpu',
  'webgl',
  'wasm',
  'cpu'
];

/** What this JavaScript environment offers the engine. */
export interface ICapabilities {
  readonly webgpu: boolean;
  readonly webgl2: boolean;
  readonly wasm: boolean;
  readonly wasmSimd: boolean;
  readonly offscreenCanvas: boolean;
  readonly worker: boolean;
}

/** The globals the probe reads; a parameter so tests can describe any environment. */
export interface IProbeScope {
  readonly navigator?: {
    readonly gpu?: { requestAdapter(): Promise<unknown> };
  };
  readonly WebAssembly?: { validate(bytes: Uint8Array): boolean };
  readonly OffscreenCanvas?: new (
    width: number,
    height: number
  ) => { getContext(kind: string): unknown };
  readonly Worker?: unknown;
}

// The smallest module that uses a SIMD instruction (i8x16.popcnt-free
// v128.const + i32x4.add); valid only where WASM SIMD is supported. The same
// probe that the wasm-feature-detect project uses.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8,
  0, 65, 0, 253, 15, 253, 98, 11
]);

async function hasWebGpu(scope: IProbeScope): Promise<boolean> {
  const gpu = scope.navigator?.gpu;
  if (!gpu) {
    return false;
  }
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

function hasWebGl2(scope: IProbeScope): boolean {
  if (!scope.OffscreenCanvas) {
    return false;
  }
  try {
    return new scope.OffscreenCanvas(1, 1).getContext('webgl2') !== null;
  } catch {
    return false;
  }
}

/**
 * Detects which backends can start here. It says what is possible, not what
 * is fastest: ranking is measured by the runtime's probe.
 */
export async function detectCapabilities(
  scope: IProbeScope = globalThis as unknown as IProbeScope
): Promise<ICapabilities> {
  const wasm =
    typeof scope.WebAssembly === 'object' && scope.WebAssembly !== null;
  let wasmSimd = false;
  if (wasm) {
    try {
      wasmSimd = scope.WebAssembly?.validate(SIMD_PROBE) ?? false;
    } catch {
      wasmSimd = false;
    }
  }
  return {
    webgpu: await hasWebGpu(scope),
    webgl2: hasWebGl2(scope),
    wasm,
    wasmSimd,
    offscreenCanvas: typeof scope.OffscreenCanvas === 'function',
    worker: typeof scope.Worker === 'function'
  };
}

/** The backends that can start, in ladder order. */
export function availableBackends(caps: ICapabilities): BackendName[] {
  const can: Record<BackendName, boolean> = {
    webgpu: caps.webgpu,
    webgl: caps.webgl2,
    wasm: caps.wasm,
    cpu: true
  };
  return BACKEND_LADDER.filter(name => can[name]);
}
