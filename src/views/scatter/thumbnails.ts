/**
 * Examples' thumbnails for the scatter view (docs/architecture.md, "PCA"):
 * one example's pixels drawn on demand (on hover, for the selection's grid)
 * into a small canvas, kept in a small LRU. The pixels come from the result
 * when it carries them (up to the engine's THUMBNAIL_BYTES), else from the
 * engine's copy of the dataset, asked for the examples shown. Never one
 * texture or image for all points: a million points cost nothing until
 * hovered.
 */
import { h } from '../dom';
import type { IPcaResult } from '../../engine/runtime/protocol';
import type { IViewProps } from '../view';

/** The most thumbnails kept (a selection's grid shows at most 64). */
export const THUMBNAIL_CACHE = 128;

export type ExampleSource = NonNullable<IViewProps['examples']>;

export class Thumbnails {
  private readonly _cache = new Map<number, HTMLCanvasElement>();

  constructor(
    private readonly _result: IPcaResult,
    private readonly _source: ExampleSource | null = null
  ) {}

  /** Whether thumbnails can be shown: carried pixels, or an engine to ask. */
  get available(): boolean {
    return this._carried || this._source !== null;
  }

  private get _carried(): boolean {
    return this._result.images.length > 0;
  }

  /**
   * Plot point `point`'s image as a canvas of `scale` CSS pixels per pixel
   * (pixelated); null until its pixels are here (see `load`). Each call gets
   * its own copy of the cached canvas (an element can be in one place only).
   */
  get(point: number, scale: number): HTMLCanvasElement | null {
    if (point < 0 || point >= this._result.count) {
      return null;
    }
    let canvas = this._cache.get(point);
    if (canvas) {
      // Most recently used last.
      this._cache.delete(point);
    } else if (this._carried) {
      canvas = this._draw(
        point,
        this._result.images.subarray(
          point * this._size,
          (point + 1) * this._size
        )
      );
    } else {
      return null;
    }
    this._keep(point, canvas);
    const [height, width] = this._result.imageShape;
    canvas.style.width = `${width * scale}px`;
    canvas.style.height = `${height * scale}px`;
    return copyOf(canvas);
  }

  /**
   * Brings the points' pixels from the engine when the result does not carry
   * them (one request for all); `get` then has them. Resolves false when
   * they cannot be had (no engine, or it failed: the view shows no image).
   */
  async load(points: readonly number[]): Promise<boolean> {
    const missing = points.filter(
      p => p >= 0 && p < this._result.count && !this._cache.has(p)
    );
    if (this._carried || missing.length === 0) {
      return true;
    }
    if (!this._source) {
      return false;
    }
    try {
      const pixels = await this._source(
        missing.map(p => this._result.first + p),
        this._result.imageShape
      );
      if (pixels.length !== missing.length * this._size) {
        return false;
      }
      missing.forEach((point, k) =>
        this._keep(
          point,
          this._draw(
            point,
            pixels.subarray(k * this._size, (k + 1) * this._size)
          )
        )
      );
      return true;
    } catch {
      return false;
    }
  }

  private get _size(): number {
    const [height, width, channels] = this._result.imageShape;
    return height * width * channels;
  }

  private _keep(point: number, canvas: HTMLCanvasElement): void {
    this._cache.set(point, canvas);
    while (this._cache.size > THUMBNAIL_CACHE) {
      const oldest = this._cache.keys().next().value as number;
      this._cache.delete(oldest);
    }
  }

  private _draw(point: number, pixels: Uint8Array): HTMLCanvasElement {
    const [height, width, channels] = this._result.imageShape;
    const canvas = h('canvas', { className: 'jp-FeatureViz-thumbnail' });
    canvas.width = width;
    canvas.height = height;
    canvas.dataset.point = String(point);
    const context = canvas.getContext('2d');
    if (!context) {
      return canvas;
    }
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
