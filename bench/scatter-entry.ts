/**
 * The scatter benchmark's page side (bundled by bench/pca.mjs for headless
 * Chromium on software WebGL): regl-scatterplot on the view's shared
 * renderer (src/views/scatter/renderer.ts) with N points in ten Gaussian
 * clusters, then frames per second while a drag pans the plot through the
 * view's navigator (src/views/scatter/navigator.ts: it previews the gesture
 * once redraws are slow, and redraws when the drag ends), the same with
 * the camera moved every animation frame (every frame a full redraw), and
 * the time of a lasso selection.
 */
import { themeStyle } from '../src/views/figure';
import { Navigator } from '../src/views/scatter/navigator';
import { axisScales, createPlot } from '../src/views/scatter/plot';
import type { IPlotData } from '../src/views/scatter/plot-data';
import { CLASS_COLOURS } from '../src/views/scatter/palette';
import { scatterLibrary } from '../src/views/scatter/renderer';

interface IScatterFigures {
  readonly points: number;
  readonly webgl: boolean;
  readonly drawMs: number;
  readonly fps: number;
  readonly frames: number;
  /** Frames shown while the navigator pans (previews and redraws). */
  readonly navigatorFps: number;
  /** Full redraws in that time. */
  readonly navigatorRedraws: number;
  /** From the drag's end to the plot redrawn at the new view. */
  readonly settleMs: number;
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
      navigatorFps: 0,
      navigatorRedraws: 0,
      settleMs: 0,
      lassoMs: 0,
      selected: 0
    };
  }
  const canvas = document.createElement('canvas');
  canvas.style.width = '360px';
  canvas.style.height = '360px';
  const host = document.createElement('div');
  host.appendChild(canvas);
  document.body.replaceChildren(host);
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
  // The view's own plot (src/views/scatter/plot.ts): the same options.
  const data: IPlotData = {
    count: points,
    x,
    y,
    category: valueA,
    classes: CLASS_COLOURS.map((_, c) => c),
    classNames: CLASS_COLOURS.map((_, c) => String(c)),
    xTitle: 'x',
    yTitle: 'y',
    extent: [-1, 1, -1, 1]
  };
  const plot = createPlot(
    loaded,
    canvas,
    data,
    themeStyle(document.body),
    axisScales(data)
  );
  const drawStart = performance.now();
  await plot.draw({ x, y, valueA });
  const drawMs = performance.now() - drawStart;
  // Pan as a drag does, through the navigator: first a short drag so that it
  // measures a redraw, then the measured one.
  const life = new AbortController();
  const navigator = new Navigator(plot, canvas, host, {
    side: 360,
    background: () => '#ffffff',
    panning: () => true,
    signal: life.signal
  });
  const drag = async (ms: number) => {
    const began = performance.now();
    await new Promise<void>(resolve => {
      const step = () => {
        const t = (performance.now() - began) / 1000;
        if (t * 1000 >= ms) {
          resolve();
          return;
        }
        navigator.panBy(Math.cos(t * 2) * 4, Math.sin(t * 2) * 4);
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    return (performance.now() - began) / 1000;
  };
  // 'drawing' is published in the frame that draws ('draw' comes later).
  const nextDrawing = () =>
    new Promise(resolve => plot.subscribe('drawing', resolve, 1));
  const quiet = async () => {
    // Until no frame has been drawn for a while (twice the first draw: a
    // million points' spatial index is still being built after it).
    const rest = Math.max(500, 2 * drawMs);
    let last = performance.now();
    const seen = plot.subscribe('drawing', () => (last = performance.now()));
    while (performance.now() - last < rest) {
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    plot.unsubscribe(seen);
  };
  await drag(300);
  navigator.settle();
  await quiet();
  let redraws = 0;
  const counting = plot.subscribe('drawing', () => redraws++);
  const shownBefore = navigator.framesShown;
  const dragSeconds = await drag(seconds * 1000);
  const navigatorFps = (navigator.framesShown - shownBefore) / dragSeconds;
  const navigatorRedraws = redraws;
  plot.unsubscribe(counting);
  const settleStart = performance.now();
  const settled = nextDrawing();
  navigator.settle();
  await settled;
  const settleMs = performance.now() - settleStart;
  await quiet();
  life.abort();
  // The camera moved every animation frame: each frame a full redraw.
  let frames = 0;
  const drawing = plot.subscribe('draw', () => frames++);
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
  plot.unsubscribe(drawing);
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
    navigatorFps,
    navigatorRedraws,
    settleMs,
    lassoMs,
    selected
  };
}

(window as unknown as { scatterBench: unknown }).scatterBench = { measure };
