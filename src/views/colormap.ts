/**
 * Colour scales for maps (docs/architecture.md, "Views"): a diverging scale
 * for signed maps (blue below zero, white at zero, red above; ColorBrewer's
 * RdBu, Apache-2.0, Cynthia Brewer) and a sequential one for maps that are
 * never negative (viridis's stops, CC0, van der Walt and Smith). Mapping the
 * engine's values to pixels is drawing; the values themselves come from the
 * engine. Also the input drawn as an image, and a map laid over it.
 */
import type { IImage } from './frames';

export type ColorScale = 'diverging' | 'sequential';

/** The values a scale spans: [-bound, bound] or [0, bound]. */
export interface IDomain {
  readonly min: number;
  readonly max: number;
}

// ColorBrewer RdBu (11 classes), from negative (blue) to positive (red).
const DIVERGING_STOPS = [
  '053061', '2166ac', '4393c3', '92c5de', 'd1e5f0', 'f7f7f7',
  'fddbc7', 'f4a582', 'd6604d', 'b2182b', '67001f'
]; // prettier-ignore
// Viridis, 9 stops from 0 to 1.
const SEQUENTIAL_STOPS = [
  '440154', '472d7b', '3b528b', '2c728e', '21918c', '28ae80',
  '5ec962', 'addc30', 'fde725'
]; // prettier-ignore

/**
 * RGB entries interpolated linearly between the stops; an odd count, so that
 * the middle of a diverging scale (zero) is its middle stop exactly.
 */
const LEVELS = 257;

function lookupTable(stops: readonly string[]): Uint8Array {
  const rgb = stops.map(hex =>
    [0, 2, 4].map(i => parseInt(hex.slice(i, i + 2), 16))
  );
  const table = new Uint8Array(LEVELS * 3);
  for (let i = 0; i < LEVELS; i++) {
    const t = (i / (LEVELS - 1)) * (rgb.length - 1);
    const low = Math.min(Math.floor(t), rgb.length - 2);
    const f = t - low;
    for (let k = 0; k < 3; k++) {
      table[i * 3 + k] = Math.round(
        rgb[low][k] * (1 - f) + rgb[low + 1][k] * f
      );
    }
  }
  return table;
}

const TABLES: Record<ColorScale, Uint8Array> = {
  diverging: lookupTable(DIVERGING_STOPS),
  sequential: lookupTable(SEQUENTIAL_STOPS)
};

/** The scale's domain for a map: symmetric about 0, or from 0. */
export function domainOf(
  values: ArrayLike<number>,
  scale: ColorScale
): IDomain {
  let bound = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (Number.isFinite(v)) {
      bound = Math.max(bound, v);
    }
  }
  // An all-zero map is drawn in the scale's middle (diverging) or its start.
  const b = bound > 0 ? bound : 1;
  return scale === 'diverging' ? { min: -b, max: b } : { min: 0, max: b };
}

/** The RGB of a value on a scale (NaN: grey). */
export function colorOf(
  value: number,
  scale: ColorScale,
  domain: IDomain
): [number, number, number] {
  if (!Number.isFinite(value)) {
    return [128, 128, 128];
  }
  const t = (value - domain.min) / (domain.max - domain.min || 1);
  const i = Math.max(0, Math.min(LEVELS - 1, Math.round(t * (LEVELS - 1)))) * 3;
  const table = TABLES[scale];
  return [table[i], table[i + 1], table[i + 2]];
}

/** A map [height, width] as an opaque image on a scale. */
export function colorize(
  values: ArrayLike<number>,
  width: number,
  height: number,
  scale: ColorScale,
  domain: IDomain
): IImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = colorOf(values[p], scale, domain);
    data.set([r, g, b, 255], p * 4);
  }
  return { width, height, data };
}

/**
 * An input [height, width, channels] as an image: grey for one channel,
 * colour for three (else its first channel), `range` mapped to black–white.
 */
export function inputImage(
  values: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  range: readonly [number, number]
): IImage {
  const [low, high] = range;
  const span = high - low || 1;
  const level = (v: number) =>
    Math.max(0, Math.min(255, Math.round(((v - low) / span) * 255)));
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const base = p * channels;
    const r = level(values[base]);
    const [g, b] =
      channels === 3
        ? [level(values[base + 1]), level(values[base + 2])]
        : [r, r];
    data.set([r, g, b, 255], p * 4);
  }
  return { width, height, data };
}

/** `over` laid on `under` (same size) with opacity `alpha` in [0, 1]. */
export function overlay(under: IImage, over: IImage, alpha: number): IImage {
  const data = new Uint8ClampedArray(under.data.length);
  for (let i = 0; i < data.length; i += 4) {
    for (let k = 0; k < 3; k++) {
      data[i + k] = under.data[i + k] * (1 - alpha) + over.data[i + k] * alpha;
    }
    data[i + 3] = 255;
  }
  return { width: under.width, height: under.height, data };
}

/** A horizontal bar of the scale from its minimum to its maximum. */
export function scaleBar(scale: ColorScale, width: number): IImage {
  const domain = { min: 0, max: Math.max(1, width - 1) };
  const ramp = Array.from({ length: width }, (_, i) => i);
  return colorize(ramp, width, 1, scale, domain);
}
