/**
 * The navigator's screen transforms against closed forms: the view matrix it
 * gives the camera draws every point where the preview showed it, and the
 * previewed edge values are those the new view shows (found here by
 * inverting the matrix, as regl-scatterplot's scales do).
 */
import {
  IDENTITY,
  apply,
  domainsAfter,
  panBy,
  viewAfter,
  zoomAbout
} from '../screen-transform';

const SIDE = 360;

/** A camera view: scale k, translation (tx, ty), column-major. */
function cameraView(k: number, tx: number, ty: number): Float32Array {
  const view = new Float32Array(16);
  view[0] = k;
  view[5] = k;
  view[10] = 1;
  view[12] = tx;
  view[13] = ty;
  view[15] = 1;
  return view;
}

/** Where `view` draws the normalized point (x, y), in CSS pixels. */
function screenOf(
  view: ArrayLike<number>,
  x: number,
  y: number
): [number, number] {
  const clipX = view[0] * x + view[4] * y + view[12];
  const clipY = view[1] * x + view[5] * y + view[13];
  const w = view[3] * x + view[7] * y + view[15];
  return [((clipX / w + 1) / 2) * SIDE, ((1 - clipY / w) / 2) * SIDE];
}

/** The normalized point `view` draws at clip (cx, cy) (a 2D affine view). */
function pointAt(
  view: ArrayLike<number>,
  cx: number,
  cy: number
): [number, number] {
  const [a, b, c, d] = [view[0], view[4], view[1], view[5]];
  const det = a * d - b * c;
  const rx = cx - view[12];
  const ry = cy - view[13];
  return [(d * rx - b * ry) / det, (a * ry - c * rx) / det];
}

describe('screen transforms', () => {
  const gestures = [
    panBy(IDENTITY, 37, -12),
    zoomAbout(IDENTITY, 1.7, 100, 250),
    zoomAbout(panBy(zoomAbout(IDENTITY, 0.6, 20, 30), -80, 44), 2.5, 300, 90)
  ];

  it.each(gestures)(
    'the new view draws each point where the preview showed it (%o)',
    t => {
      const view = cameraView(1.8, -0.3, 0.45);
      const next = viewAfter(view, t, SIDE);
      for (const [x, y] of [
        [0, 0],
        [0.7, -0.2],
        [-0.9, 0.95],
        [0.31, 0.62]
      ]) {
        const [px, py] = screenOf(view, x, y);
        const [ex, ey] = apply(t, px, py);
        const [ax, ay] = screenOf(next, x, y);
        expect(ax).toBeCloseTo(ex, 3);
        expect(ay).toBeCloseTo(ey, 3);
      }
    }
  );

  it('a zoom keeps the pixel under the pointer in place', () => {
    const t = zoomAbout(panBy(IDENTITY, 10, 5), 3, 120, 200);
    const [x, y] = apply(panBy(IDENTITY, 10, 5), 50, 80);
    // (50, 80) moved to (x, y) by the pan; the zoom about (120, 200) moves
    // it away from that pixel by 3 times its distance.
    const [zx, zy] = apply(t, 50, 80);
    expect(zx).toBeCloseTo(120 + 3 * (x - 120), 9);
    expect(zy).toBeCloseTo(200 + 3 * (y - 200), 9);
    expect(apply(zoomAbout(IDENTITY, 3, 120, 200), 120, 200)).toEqual([
      120, 200
    ]);
  });

  it.each(gestures)(
    'the previewed edge values are the ones the new view shows (%o)',
    t => {
      // Data x = 5·nx + 2 and y = 3·ny − 1 (regl-scatterplot's scales are
      // linear in the normalized coordinates).
      const toData = ([nx, ny]: [number, number]): [number, number] => [
        5 * nx + 2,
        3 * ny - 1
      ];
      const view = cameraView(1.3, 0.2, -0.1);
      const edges = (v: ArrayLike<number>) => {
        const [left, bottom] = toData(pointAt(v, -1, -1));
        const [right, top] = toData(pointAt(v, 1, 1));
        return { x: [left, right], y: [bottom, top] };
      };
      const now = edges(view);
      const expected = edges(viewAfter(view, t, SIDE));
      const [x, y] = domainsAfter(
        now.x as [number, number],
        now.y as [number, number],
        t,
        SIDE
      );
      x.forEach((value, i) => expect(value).toBeCloseTo(expected.x[i], 4));
      y.forEach((value, i) => expect(value).toBeCloseTo(expected.y[i], 4));
    }
  );

  it('the identity leaves the view and the edges as they are', () => {
    const view = cameraView(2, 0.1, 0.2);
    expect(Array.from(viewAfter(view, IDENTITY, SIDE))).toEqual(
      Array.from(view)
    );
    expect(domainsAfter([-3, 4], [1, 2], IDENTITY, SIDE)).toEqual([
      [-3, 4],
      [1, 2]
    ]);
  });
});
