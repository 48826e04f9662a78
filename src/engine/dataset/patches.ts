/**
 * Receptive-field patches for the top-examples job (docs/architecture.md,
 * "Receptive fields", "Datasets and top examples"): the input pixels each
 * position of a unit sees, how large a patch must be to hold the largest of
 * them, where a patch starts in its image, and the copy of that window.
 */
import type { IExecutor } from '../model/executor';
import { type IBox, boxSize } from '../model/receptive-field';
import type { PassUnit } from './activation-pass';
import type { IInputFit } from './dataset';

/** The input pixels a unit's positions see (model/receptive-field.ts). */
export interface IUnitField {
  /** A patch's [height, width]: the largest box of any position. */
  readonly size: [number, number];
  /** The box position (y, x) sees, clipped to the image; null: padding only. */
  box(y: number, x: number): IBox | null;
  /** The input's [height, width]. */
  readonly input: [number, number];
}

/**
 * The unit's receptive field, or null when the executor cannot tell (a
 * graph model). A patch is as large as the largest box: the unclipped field
 * where some position sees it whole, the image where none does.
 */
export function unitField(
  executor: IExecutor,
  unit: PassUnit
): IUnitField | null {
  const [, height, width] = executor.inputShape;
  const box = (y: number, x: number) =>
    executor.receptiveField(unit.layer, y, x);
  const [rows, cols] =
    unit.kind === 'flat' ? [1, 1] : [unit.height, unit.width];
  // The centre position sees pixels whenever any does (padding is at edges).
  const [cy, cx] = [Math.floor(rows / 2), Math.floor(cols / 2)];
  if (height === null || width === null || !box(cy, cx)) {
    return null;
  }
  const size: [number, number] = [0, 0];
  for (let y = 0; y < rows; y++) {
    const b = box(y, cx);
    size[0] = Math.max(size[0], b ? boxSize(b)[0] : 0);
  }
  for (let x = 0; x < cols; x++) {
    const b = box(cy, x);
    size[1] = Math.max(size[1], b ? boxSize(b)[1] : 0);
  }
  return { size, box, input: [height, width] };
}

/**
 * Where a patch starts in the image: a box cut by the image's edge keeps its
 * unclipped size, the part outside the image left clear (the field reaches
 * past the top or left edge: the patch starts before the image).
 */
export function origin(field: IUnitField, box: IBox): [number, number] {
  const [ph, pw] = field.size;
  const [height, width] = field.input;
  const [bh, bw] = boxSize(box);
  const start = (first: number, extent: number, size: number, image: number) =>
    size >= image || extent >= size || first > 0
      ? first
      : first + extent - size;
  return [start(box.top, bh, ph, height), start(box.left, bw, pw, width)];
}

/** Copies image n's window at `from` into patch n; outside stays clear. */
export function crop(
  rgba: Uint8ClampedArray,
  n: number,
  fit: IInputFit,
  from: [number, number],
  size: [number, number],
  patches: Uint8ClampedArray
): void {
  const { width, height } = fit;
  const [ph, pw] = size;
  const image = n * width * height * 4;
  const patch = n * ph * pw * 4;
  for (let py = 0; py < ph; py++) {
    const y = from[0] + py;
    if (y < 0 || y >= height) {
      continue;
    }
    for (let px = 0; px < pw; px++) {
      const x = from[1] + px;
      if (x < 0 || x >= width) {
        continue;
      }
      const source = image + (y * width + x) * 4;
      patches.set(
        rgba.subarray(source, source + 4),
        patch + (py * pw + px) * 4
      );
    }
  }
}
