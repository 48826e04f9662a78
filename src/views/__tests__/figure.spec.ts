/** The figure written back: its scale, size on screen, caps and captions. */
import { figureLayout } from '../figure';
import type { IImage } from '../frames';

const image = (side: number): IImage => ({
  width: side,
  height: side,
  data: new Uint8ClampedArray(side * side * 4)
});

describe('figureLayout', () => {
  it('draws ten 28-pixel digits 224 pixels wide, shown as wide as the live row', () => {
    const layout = figureLayout({
      images: Array.from({ length: 10 }, () => image(28)),
      columns: 10,
      labels: Array.from({ length: 10 }, (_, i) => String(i)),
      values: Array.from({ length: 10 }, () => 1),
      displayScale: 3,
      displayGap: 3
    });
    expect(layout.scale).toBe(8);
    expect(layout.cellWidth).toBe(224);
    // Live: ten 84-pixel digits, 3 pixels apart.
    expect(layout.displayWidth).toBe(10 * 84 + 9 * 3);
    expect(layout.width).toBe(10 * 224 + 9 * 8);
    expect(layout.lines).toBe(2);
    // Captions as the live view's 11-pixel text, at this scale.
    expect(layout.fontPx).toBe(Math.round((11 * 8) / 3));
    expect(layout.position(3)).toEqual({ x: 3 * (224 + 8), y: 0 });
  });

  it('keeps an image that is already large at one pixel per pixel', () => {
    const layout = figureLayout({
      images: [image(512)],
      columns: 1,
      displayScale: 1,
      displayGap: 0
    });
    expect([layout.scale, layout.width, layout.height, layout.lines]).toEqual([
      1, 512, 512, 0
    ]);
    expect(layout.displayWidth).toBe(512);
  });

  it('draws a big grid smaller, and a huge one with more columns, within the caps', () => {
    const big = figureLayout({
      images: Array.from({ length: 512 }, () => image(28)),
      columns: 8,
      labels: Array.from({ length: 512 }, (_, i) => `ch ${i}`),
      displayScale: 3,
      displayGap: 10
    });
    expect(big.scale).toBeLessThan(8);
    expect(big.width * big.height).toBeLessThanOrEqual(12e6);
    expect(Math.max(big.width, big.height)).toBeLessThanOrEqual(8192);
    const huge = figureLayout({
      images: Array.from({ length: 4096 }, () => image(28)),
      columns: 8,
      displayScale: 1,
      displayGap: 4
    });
    expect(huge.scale).toBe(1);
    expect(huge.columns).toBeGreaterThan(8);
    expect(Math.max(huge.width, huge.height)).toBeLessThanOrEqual(8192);
  });
});
