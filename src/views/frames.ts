/**
 * Drawing engine frames: a frame holds `batch` RGBA images stacked; views show
 * one of them, a row of them, or a grid, scaled up with nearest-neighbour
 * sampling so that a 28×28 digit stays crisp. Live frames are painted from
 * their own transferred buffer (an ImageData over it, made once per frame),
 * never copied.
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

/** A display scale that makes small images visible (28 px → 8×). */
export function autoScale(width: number, height: number, count = 1): number {
  const side = Math.max(width, height);
  const target = count > 1 ? 96 : 224;
  return Math.max(1, Math.min(16, Math.floor(target / side)));
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

/**
 * Paints images `indices` of a frame side by side into `canvas`, `gap`
 * pixels apart, at image resolution (CSS scales the canvas up, pixelated).
 */
export function paintFrame(
  canvas: HTMLCanvasElement,
  frame: IFrame,
  indices: readonly number[],
  gap = 1
): void {
  const { width: w, height: h } = frame;
  const width = indices.length * w + (indices.length - 1) * gap;
  if (canvas.width !== width || canvas.height !== h) {
    canvas.width = width;
    canvas.height = h;
  }
  const context = canvas.getContext('2d');
  if (!context) {
    return;
  }
  const data = frameImageData(frame);
  indices.forEach((index, column) => {
    // The batch is one tall image: move image `index` up into place.
    context.putImageData(
      data,
      column * (w + gap),
      -index * h,
      0,
      index * h,
      w,
      h
    );
  });
}
