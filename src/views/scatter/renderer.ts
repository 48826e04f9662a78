/**
 * The page's one WebGL renderer for scatter plots (docs/architecture.md,
 * "PCA"): regl-scatterplot's `createRenderer`, made on first use and shared by
 * every scatter on the page, so that many outputs cost one WebGL context
 * (browsers keep about 16 per page). regl-scatterplot is loaded only when a
 * scatter is shown, and only where WebGL exists; elsewhere `scatterLibrary()`
 * resolves to null and the view says so.
 */
import type * as Library from 'regl-scatterplot';

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
    const renderer = library.createRenderer();
    if (!renderer.isSupported) {
      renderer.destroy();
      return null;
    }
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
