/**
 * The scatter benchmark's page side (bundled by bench/pca.mjs for headless
 * Chromium on software WebGL): regl-scatterplot on the view's shared
 * renderer (src/views/scatter/renderer.ts) with N points in ten Gaussian
 * clusters, then frames per second while the camera pans every animation
 * frame, and the time of a lasso selection.
 */
import { CLASS_COLOURS } from '../src/views/scatter/palette';
import { scatterLibrary } from '../src/views/scatter/renderer';

interface IScatterFigures {
  readonly points: number;
  readonly webgl: boolean;
  readonly drawMs: number;
  readonly fps: number;
  readonly frames: number;
  readonly lassoMs: number;
  readonly selected: number;
}

async function measure(
  points: number,
  seconds: number
): Promise<IScatterFigures> {
  const loaded = await scatterLibrary();
  if (!loaded) {
    return {
      points,
      webgl: false,
      drawMs: 0,
      fps: 0,
      frames: 0,
      lassoMs: 0,
      selected: 0
    };
  }
  const canvas = document.createElement('canvas');
  canvas.style.width = '360px';
  canvas.style.height = '360px';
  document.body.replaceChildren(canvas);
  const plot = loaded.library.default({
    renderer: loaded.renderer,
    canvas,
    width: 360,
    height: 360,
    pointSize: points > 100_000 ? 1 : 2,
    colorBy: 'valueA',
    pointColor: [...CLASS_COLOURS]
  });
  // Ten clusters (seeded: a fixed linear congruential sequence).
  let state = 12345;
  const uniform = () =>
    (state = (state * 1664525 + 1013904223) >>> 0) / 4294967296;
  const normal = () =>
    Math.sqrt(-2 * Math.log(uniform() + 1e-12)) *
    Math.cos(2 * Math.PI * uniform());
  const x = new Float32Array(points);
  const y = new Float32Array(points);
  const valueA = new Float32Array(points);
  for (let i = 0; i < points; i++) {
    const c = i % 10;
    x[i] = Math.max(-1, Math.min(1, Math.cos(c) * 0.5 + normal() * 0.12));
    y[i] = Math.max(-1, Math.min(1, Math.sin(c) * 0.5 + normal() * 0.12));
    valueA[i] = c;
  }
  const drawStart = performance.now();
  await plot.draw({ x, y, valueA });
  const drawMs = performance.now() - drawStart;
  // Pan: move the camera's target every animation frame; count drawn frames.
  let frames = 0;
  const counting = plot.subscribe('draw', () => frames++);
  const start = performance.now();
  await new Promise<void>(resolve => {
    const step = () => {
      const t = (performance.now() - start) / 1000;
      if (t >= seconds) {
        resolve();
        return;
      }
      void plot.set({
        cameraTarget: [Math.sin(t * 2) * 0.3, Math.cos(t * 2) * 0.3]
      });
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  const elapsed = (performance.now() - start) / 1000;
  plot.unsubscribe(counting);
  await plot.set({ cameraTarget: [0, 0] });
  // A lasso around the middle third, in the plot's GL coordinates.
  const vertices: [number, number][] = Array.from({ length: 32 }, (_, k) => {
    const a = (k / 32) * 2 * Math.PI;
    return [Math.cos(a) * 0.45, Math.sin(a) * 0.45];
  });
  let selected = 0;
  const selectedAt = new Promise<void>(resolve =>
    plot.subscribe(
      'select',
      ({ points: chosen }) => {
        selected = chosen.length;
        resolve();
      },
      1
    )
  );
  const lassoStart = performance.now();
  plot.lassoSelect(vertices, { isGl: true });
  await selectedAt;
  const lassoMs = performance.now() - lassoStart;
  plot.destroy();
  return {
    points,
    webgl: true,
    drawMs,
    fps: frames / elapsed,
    frames,
    lassoMs,
    selected
  };
}

(window as unknown as { scatterBench: unknown }).scatterBench = { measure };
