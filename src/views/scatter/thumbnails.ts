/**
 * Examples' thumbnails for the scatter view (docs/architecture.md, "PCA"):
 * one example's pixels cut from the result's bytes on demand (on hover, for
 * the selection's grid) into a small canvas, kept in a small LRU. Never one
 * texture or image for all points: a million points cost nothing until
 * hovered.
 */
import { h } from '../dom';
import type { IPcaResult } from '../../engine/runtime/protocol';

/** The most thumbnails kept (a selection's grid shows at most 64). */
export const THUMBNAIL_CACHE = 128;

export class Thumbnails {
  private readonly _cache = new Map<number, HTMLCanvasElement>();

  constructor(private readonly _result: IPcaResult) {}

  /** Whether the result carries pixels (it does not above its cap). */
  get available(): boolean {
    return this._result.images.length > 0;
  }

  /**
   * Plot point `point`'s image as a canvas of `scale` CSS pixels per pixel
   * (pixelated); null without pixels. Each call gets its own copy of the
   * cached canvas (an element can be in one place only).
   */
  get(point: number, scale: number): HTMLCanvasElement | null {
    if (!this.available || point < 0 || point >= this._result.count) {
      return null;
    }
    let canvas = this._cache.get(point);
    if (canvas) {
      // Most recently used last.
      this._cache.delete(point);
    } else {
      canvas = this._draw(point);
    }
    this._cache.set(point, canvas);
    while (this._cache.size > THUMBNAIL_CACHE) {
      const oldest = this._cache.keys().next().value as number;
      this._cache.delete(oldest);
    }
    const [height, width] = this._result.imageShape;
    canvas.style.width = `${width * scale}px`;
    canvas.style.height = `${height * scale}px`;
    return copyOf(canvas);
  }

  private _draw(point: number): HTMLCanvasElement {
    const [height, width, channels] = this._result.imageShape;
    const canvas = h('canvas', { className: 'jp-FeatureViz-thumbnail' });
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) {
      return canvas;
    }
    const size = width * height * channels;
    const pixels = this._result.images.subarray(
      point * size,
      (point + 1) * size
    );
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      const grey = channels < 3;
      rgba[p * 4] = pixels[p * channels];
      rgba[p * 4 + 1] = pixels[p * channels + (grey ? 0 : 1)];
      rgba[p * 4 + 2] = pixels[p * channels + (grey ? 0 : 2)];
      rgba[p * 4 + 3] = 255;
    }
    context.putImageData(new ImageData(rgba, width, height), 0, 0);
    return canvas;
  }
}

/** A canvas's copy (a canvas element can be in one place only). */
function copyOf(canvas: HTMLCanvasElement): HTMLCanvasElement {
  const copy = h('canvas', { className: canvas.className });
  copy.width = canvas.width;
  copy.height = canvas.height;
  copy.style.cssText = canvas.style.cssText;
  copy.getContext('2d')?.drawImage(canvas, 0, 0);
  return copy;
}
