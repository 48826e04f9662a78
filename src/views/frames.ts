/**
 * Drawing engine frames: a frame holds `batch` RGBA images stacked; views show
 * one of them, a row of them, or a grid, scaled up with nearest-neighbour
 * sampling so that a 28×28 digit stays crisp.
 *
 * Live frames go to the screen as ImageBitmaps cut from their own
 * transferred buffer (an ImageData over it, made once per frame, no copy of
 * the pixels in script) into `bitmaprenderer` canvases. A 2D canvas is not
 * used for them: Chromium sets up 2D drawing on a process's first draw,
 * which took 150–500 ms of the page's thread in headless Chromium, where a
 * bitmap renderer's first bitmap took 1–8 ms (docs/architecture.md,
 * "Memory and speed").
 */
import type { IFrame } from '../engine/runtime/protocol';

export interface IImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/** Image `index` of a frame's batch. */
export function imageOf(frame: IFrame, index: number): IImage {
  const size = frame.width * frame.height * 4;
  return {
    width: frame.width,
    height: frame.height,
    data: frame.rgba.subarray(index * size, (index + 1) * size)
  };
}

/** Columns and rows of a grid for `count` images (at most `maxColumns` wide). */
export function gridShape(
  count: number,
  maxColumns: number
): { columns: number; rows: number } {
  const columns = Math.max(1, Math.min(count, maxColumns));
  return { columns, rows: Math.ceil(count / columns) };
}

/**
 * Several images in a grid with `gap` pixels between them, scaled by
 * `scale`; the background shows through the gaps.
 */
export function composeGrid(
  images: readonly IImage[],
  columns: number,
  scale: number,
  gap = 2
): IImage {
  const [w, h] = [images[0]?.width ?? 1, images[0]?.height ?? 1];
  const rows = Math.ceil(images.length / columns);
  const width = columns * w * scale + (columns - 1) * gap;
  const height = rows * h * scale + (rows - 1) * gap;
  const data = new Uint8ClampedArray(width * height * 4);
  images.forEach((image, n) => {
    const ox = (n % columns) * (w * scale + gap);
    const oy = Math.floor(n / columns) * (h * scale + gap);
    for (let y = 0; y < h * scale; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < w * scale; x++) {
        const source = (sy * w + Math.floor(x / scale)) * 4;
        const target = ((oy + y) * width + ox + x) * 4;
        data[target] = image.data[source];
        data[target + 1] = image.data[source + 1];
        data[target + 2] = image.data[source + 2];
        data[target + 3] = image.data[source + 3];
      }
    }
  });
  return { width, height, data };
}

/**
 * A display scale that makes small images visible: a 28-pixel digit 8×, a
 * unit's 5×5 receptive field, zoomed, 44× (about 224 pixels alone, 96 in a
 * grid).
 */
export function autoScale(width: number, height: number, count = 1): number {
  const side = Math.max(width, height);
  const target = count > 1 ? 96 : 224;
  return Math.max(1, Math.min(48, Math.floor(target / side)));
}

/** A frame's whole batch as one ImageData over its own pixels (no copy). */
const imageData = new WeakMap<IFrame, ImageData>();

function frameImageData(frame: IFrame): ImageData {
  let data = imageData.get(frame);
  if (!data) {
    data = new ImageData(frame.rgba, frame.width, frame.height * frame.batch);
    imageData.set(frame, data);
  }
  return data;
}

/** The latest paint asked of each canvas: an older one that lands late is dropped. */
const latest = new WeakMap<HTMLCanvasElement, number>();
let paints = 0;

/**
 * Paints image `index` of a frame into `canvas` (a `bitmaprenderer` canvas
 * at image resolution; CSS scales it, pixelated). The bitmap is made off the
 * script's thread; `painted` runs once it is on the canvas.
 */
export function paintImage(
  canvas: HTMLCanvasElement,
  frame: IFrame,
  index: number,
  painted?: () => void
): void {
  const paint = ++paints;
  latest.set(canvas, paint);
  const { width: w, height: h } = frame;
  void createImageBitmap(frameImageData(frame), 0, index * h, w, h).then(
    bitmap => {
      const context =
        latest.get(canvas) === paint
          ? canvas.getContext('bitmaprenderer')
          : null;
      if (!context) {
        bitmap.close();
        return;
      }
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      context.transferFromImageBitmap(bitmap);
      painted?.();
    }
  );
}

/**
 * Paints an image into a 2D canvas at its own resolution (result views'
 * still images: examples, patches; CSS scales them, pixelated).
 */
export function paint(canvas: HTMLCanvasElement, image: IImage): void {
  if (canvas.width !== image.width || canvas.height !== image.height) {
    canvas.width = image.width;
    canvas.height = image.height;
  }
  const context = context2d(canvas);
  if (!context) {
    return;
  }
  const pixels = context.createImageData(image.width, image.height);
  pixels.data.set(image.data);
  context.putImageData(pixels, 0, 0);
}

/**
 * A canvas's 2D context, kept in memory rather than on the GPU: the figure
 * is drawn and encoded there without the GPU round trips that made drawing a
 * 32-channel figure take 282 ms and starting its PNG 292 ms on a GPU canvas
 * with software WebGL (8 and 6 ms here, measured in headless Chromium).
 */
export function context2d(
  canvas: HTMLCanvasElement | OffscreenCanvas
): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null {
  return canvas.getContext('2d', { willReadFrequently: true }) as
    CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
}
