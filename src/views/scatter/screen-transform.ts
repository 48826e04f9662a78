/**
 * The zoom and pan of a gesture in progress, as a transform of the plot's
 * screen (docs/architecture.md, "PCA", "Zoom and pan on software WebGL"):
 * a pixel at p (CSS pixels from the plot's top left) is shown at
 * scale·p + offset. The navigator paints the last drawn frame through it
 * while the gesture lasts, then hands the camera the matching view matrix
 * (`viewAfter`), so that the picture it previews is the one drawn next.
 */

export interface IScreenTransform {
  readonly scale: number;
  readonly x: number;
  readonly y: number;
}

export const IDENTITY: IScreenTransform = { scale: 1, x: 0, y: 0 };

export function isIdentity(t: IScreenTransform): boolean {
  return t.scale === 1 && t.x === 0 && t.y === 0;
}

/** `t`, then a move by (dx, dy) pixels. */
export function panBy(
  t: IScreenTransform,
  dx: number,
  dy: number
): IScreenTransform {
  return { scale: t.scale, x: t.x + dx, y: t.y + dy };
}

/** `t`, then a zoom by `factor` that keeps the pixel at (ox, oy) in place. */
export function zoomAbout(
  t: IScreenTransform,
  factor: number,
  ox: number,
  oy: number
): IScreenTransform {
  return {
    scale: t.scale * factor,
    x: factor * (t.x - ox) + ox,
    y: factor * (t.y - oy) + oy
  };
}

/** Where `t` shows the pixel at (px, py). */
export function apply(
  t: IScreenTransform,
  px: number,
  py: number
): [number, number] {
  return [t.scale * px + t.x, t.scale * py + t.y];
}

/**
 * The camera's view matrix (4 × 4, column-major, as regl-scatterplot keeps
 * it) that draws what `view` drew, moved by `t` on a square plot of `side`
 * CSS pixels. Clip x is 2·px/side − 1 and clip y is 1 − 2·py/side, so the
 * screen transform is, in clip space, the same scale with the offset
 * (s − 1 + 2·x/side, 1 − s − 2·y/side); it is applied after the view.
 * The projection of a square plot is the identity, so it commutes.
 */
export function viewAfter(
  view: ArrayLike<number>,
  t: IScreenTransform,
  side: number
): Float32Array {
  const s = t.scale;
  const ax = s - 1 + (2 * t.x) / side;
  const ay = 1 - s - (2 * t.y) / side;
  const out = new Float32Array(16);
  for (let column = 0; column < 4; column++) {
    const c = column * 4;
    const w = view[c + 3];
    out[c] = s * view[c] + ax * w;
    out[c + 1] = s * view[c + 1] + ay * w;
    out[c + 2] = view[c + 2];
    out[c + 3] = w;
  }
  return out;
}

/**
 * The data values at the plot's edges once `t` is applied, from those
 * shown now: x runs left to right across `side` pixels, y bottom to top.
 * The axes show these while the gesture is previewed.
 */
export function domainsAfter(
  x: readonly [number, number],
  y: readonly [number, number],
  t: IScreenTransform,
  side: number
): [[number, number], [number, number]] {
  // The pixel now at q was at (q − offset) / scale before the gesture.
  const before = (q: number, offset: number) => (q - offset) / t.scale;
  const xAt = (px: number) => x[0] + (px / side) * (x[1] - x[0]);
  const yAt = (py: number) => y[1] - (py / side) * (y[1] - y[0]);
  return [
    [xAt(before(0, t.x)), xAt(before(side, t.x))],
    [yAt(before(side, t.y)), yAt(before(0, t.y))]
  ];
}
