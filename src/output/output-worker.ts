/**
 * The outputs' Web Worker, for work the page's thread must not do
 * (docs/architecture.md, "Memory and speed"): it validates specs (compiling
 * the schema's validator takes hundreds of milliseconds) and draws and
 * encodes the labelled figures written back (a 2D canvas's first draw took
 * 150–500 ms of a thread in headless Chromium, and encoding a large PNG
 * hundreds more). Started by the renderer plugin with the first output;
 * worker-client.ts is its client.
 */
import * as Comlink from 'comlink';
import { validateSpec } from '../spec';
import {
  type IFigureSpec,
  type IFigureStyle,
  drawFigure,
  figureLayout
} from '../views/figure';
import type { IWorkerValidation } from './worker-client';

/** What the worker offers (exported for tests, which expose it on a port). */
export const outputWorkerApi = {
  validate(data: unknown): IWorkerValidation {
    const result = validateSpec(data);
    return result.ok
      ? { ok: true }
      : { ok: false, field: result.error.field, problem: result.error.problem };
  },

  /** Draws a labelled figure on an OffscreenCanvas and encodes it as PNG. */
  async figurePng(spec: IFigureSpec, style: IFigureStyle): Promise<Blob> {
    const layout = figureLayout(spec);
    const canvas = new OffscreenCanvas(layout.width, layout.height);
    drawFigure(
      canvas,
      spec,
      layout,
      style,
      (width, height) => new OffscreenCanvas(width, height)
    );
    return canvas.convertToBlob({ type: 'image/png' });
  }
};

export type OutputWorkerApi = typeof outputWorkerApi;

// In a worker: answer the page. (A test's import exposes it harmlessly.)
Comlink.expose(outputWorkerApi);
