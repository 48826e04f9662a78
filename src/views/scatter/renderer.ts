/**
 * The page's one WebGL renderer for scatter plots (docs/architecture.md,
 * "PCA"): regl-scatterplot's `createRenderer`, made on first use and shared by
 * every scatter on the page, so that many outputs cost one WebGL context
 * (browsers keep about 16 per page). regl-scatterplot is loaded only when a
 * scatter is shown, and only where WebGL exists; elsewhere `scatterLibrary()`
 * resolves to null and the view says so.
 *
 * The renderer draws at the plots' size, not the window's (regl-scatterplot's
 * default): every frame clears and resolves the renderer's whole canvas and
 * its float framebuffer (16 bytes a pixel: 33 MB for a 1920 × 1080 window,
 * 2 MB for one plot). On software WebGL the frame rate is bound by the
 * points, not the pixels (bench/pca.mjs), so this saves memory there.
 */
import type * as Library from 'regl-scatterplot';
import { PLOT_SIDE } from './scatter-figure';

export type ScatterLibrary = typeof Library;
export type SharedRenderer = ReturnType<ScatterLibrary['createRenderer']>;

let loading: Promise<{
  library: ScatterLibrary;
  renderer: SharedRenderer;
} | null> | null = null;

/**
 * Whether this browser has WebGL at all (without making a context: the
 * shared renderer's is the page's only one; whether it starts is known then).
 */
export function hasWebGL(): boolean {
  return typeof WebGLRenderingContext !== 'undefined';
}

/**
 * regl-scatterplot and the page's shared renderer; null where WebGL (or one
 * of the extensions regl-scatterplot needs) is missing.
 */
export function scatterLibrary(): Promise<{
  library: ScatterLibrary;
  renderer: SharedRenderer;
} | null> {
  loading ??= (async () => {
    if (!hasWebGL()) {
      return null;
    }
    const library = await import('regl-scatterplot');
    // A canvas of our own: the library then leaves its size to us.
    const renderer = library.createRenderer({
      canvas: document.createElement('canvas')
    });
    if (!renderer.isSupported) {
      renderer.destroy();
      return null;
    }
    fitRenderer(renderer);
    return { library, renderer };
  })().catch(reason => {
    console.warn(
      'Feature Viz: the scatter plot could not start WebGL.',
      reason
    );
    return null;
  });
  return loading;
}

/**
 * Sizes the shared renderer to one plot at the page's pixel ratio (which
 * changes with the browser's zoom); called before each plot starts.
 */
export function fitRenderer(renderer: SharedRenderer): void {
  const side = Math.round(PLOT_SIDE * (globalThis.devicePixelRatio || 1));
  if (renderer.canvas.width !== side || renderer.canvas.height !== side) {
    renderer.resize(PLOT_SIDE, PLOT_SIDE);
    renderer.refresh();
  }
}
