/**
 * The navigator's preview (navigator.ts): a copy of the plot's last drawn
 * frame, painted moved and scaled on the plot's 2D canvas while a slow
 * redraw waits for the gesture to end.
 */
import type { IScreenTransform } from './screen-transform';

/** A copy of what `canvas` shows now. */
export function takeSnapshot(canvas: HTMLCanvasElement): HTMLCanvasElement {
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  copy.getContext('2d')?.drawImage(canvas, 0, 0);
  return copy;
}

/**
 * Paints `snapshot` on `canvas` under the screen transform `t` (CSS pixels
 * of a plot `side` wide), the uncovered edges in `background()`.
 */
export function paintPreview(
  canvas: HTMLCanvasElement,
  snapshot: HTMLCanvasElement,
  t: IScreenTransform,
  side: number,
  background: () => string
): void {
  const context = canvas.getContext('2d');
  if (!context) {
    return;
  }
  const ratio = canvas.width / side;
  context.save();
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.fillStyle = background();
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(
    snapshot,
    t.x * ratio,
    t.y * ratio,
    snapshot.width * t.scale,
    snapshot.height * t.scale
  );
  context.restore();
}
