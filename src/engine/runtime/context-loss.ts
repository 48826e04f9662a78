/**
 * Noticing a lost GPU context (docs/architecture.md, "One engine per page"):
 * WebGL's canvas fires `webglcontextlost`, a WebGPU device settles its `lost`
 * promise. After either, the backend's pending reads may never settle, so
 * the engine does not wait for its job: it reports the fault at once and the
 * page replaces the engine without that backend. Context loss is routine on
 * real GPUs (driver resets, a laptop sleeping, too many contexts in a
 * browser).
 *
 * `loseContext()` is the test hook that causes a loss on demand; the core
 * honours it only when started with test hooks on.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './capabilities';

/** The parts of tfjs's WebGL backend read here (not in its public types). */
interface IWebGLBackendLike {
  readonly gpgpu?: {
    readonly gl?: {
      readonly canvas?: {
        addEventListener(type: string, listener: () => void): void;
        removeEventListener(type: string, listener: () => void): void;
      };
      isContextLost(): boolean;
      getExtension(name: string): { loseContext(): void } | null;
    };
  };
}

/** The parts of tfjs's WebGPU backend read here. */
interface IWebGPUBackendLike {
  readonly device?: {
    readonly lost?: Promise<{ readonly message?: string }>;
    destroy(): void;
  };
}

/** The active backend of `name`, when it is the active one. */
function active(name: BackendName): unknown {
  return tf.getBackend() === name ? tf.backend() : null;
}

/**
 * Calls `onLost` once when the active backend's context is lost. Returns a
 * function that stops watching. Backends without a context (WASM, CPU)
 * are not watched.
 */
export function watchContext(
  name: BackendName,
  onLost: (reason: string) => void
): () => void {
  let stopped = false;
  const lost = (reason: string) => {
    if (!stopped) {
      stopped = true;
      onLost(reason);
    }
  };
  if (name === 'webgl') {
    const gl = (active(name) as IWebGLBackendLike | null)?.gpgpu?.gl;
    const canvas = gl?.canvas;
    if (!canvas?.addEventListener) {
      return () => undefined;
    }
    const listener = () =>
      lost(
        'the WebGL context was lost (a driver reset, sleep, or too many GPU contexts)'
      );
    canvas.addEventListener('webglcontextlost', listener);
    return () => {
      stopped = true;
      canvas.removeEventListener('webglcontextlost', listener);
    };
  }
  if (name === 'webgpu') {
    const device = (active(name) as IWebGPUBackendLike | null)?.device;
    void device?.lost?.then(info =>
      lost(
        `the WebGPU device was lost${info?.message ? ` (${info.message})` : ''}`
      )
    );
    return () => {
      stopped = true;
    };
  }
  return () => undefined;
}

/** Whether the active backend's context is lost now (WebGL only can tell). */
export function contextLost(name: BackendName): boolean {
  const gl = (active(name) as IWebGLBackendLike | null)?.gpgpu?.gl;
  return gl?.isContextLost() ?? false;
}

/**
 * Test hook: loses the active backend's context, as a driver reset would.
 * Returns false for a backend without one.
 */
export function loseContext(name: BackendName): boolean {
  if (name === 'webgl') {
    const gl = (active(name) as IWebGLBackendLike | null)?.gpgpu?.gl;
    const extension = gl?.getExtension('WEBGL_lose_context');
    extension?.loseContext();
    return extension !== null && extension !== undefined;
  }
  if (name === 'webgpu') {
    const device = (active(name) as IWebGPUBackendLike | null)?.device;
    device?.destroy();
    return device !== undefined;
  }
  return false;
}
