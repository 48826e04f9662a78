/**
 * A 2D canvas for views and outputs in jsdom (jsdom has none) that keeps the
 * pixels and texts drawn into it, and whose "PNG" tests can read back.
 * fixtures.ts re-exports it, so tests import their support from one path.
 */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** What a fake canvas holds: its pixels and the text drawn into it. */
interface IFakeSurface {
  pixels: Uint8ClampedArray;
  width: number;
  height: number;
  readonly texts: { text: string; x: number; y: number; font: string }[];
}

const surfaces = new WeakMap<HTMLCanvasElement, IFakeSurface>();

function surface(canvas: HTMLCanvasElement): IFakeSurface {
  let s = surfaces.get(canvas);
  if (!s || s.width !== canvas.width || s.height !== canvas.height) {
    // Resizing a canvas clears it, as in browsers.
    s = {
      pixels: new Uint8ClampedArray(canvas.width * canvas.height * 4),
      width: canvas.width,
      height: canvas.height,
      texts: []
    };
    surfaces.set(canvas, s);
  }
  return s;
}

/** `#rrggbb`, `rgb(r, g, b)` or `rgba(r, g, b, a)`; black otherwise. */
function parseColour(style: string): [number, number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(style);
  if (hex) {
    return [
      parseInt(hex[1], 16),
      parseInt(hex[2], 16),
      parseInt(hex[3], 16),
      255
    ];
  }
  const rgb = /^rgba?\(([^)]*)\)$/.exec(style);
  if (rgb) {
    const [r, g, b, a = 1] = rgb[1].split(',').map(Number);
    return [r, g, b, Math.round(a * 255)];
  }
  return [0, 0, 0, 255];
}

class FakeImageData {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;

  /** new ImageData(width, height), or new ImageData(data, width, height?). */
  constructor(
    first: Uint8ClampedArray | number,
    second: number,
    third?: number
  ) {
    if (typeof first === 'number') {
      [this.width, this.height] = [first, second];
      this.data = new Uint8ClampedArray(first * second * 4);
      return;
    }
    this.width = second;
    this.height = third ?? first.length / 4 / second;
    if (first.length !== this.width * this.height * 4) {
      throw new RangeError('ImageData: the data does not fit the size');
    }
    this.data = first;
  }
}

/** An ImageBitmap: a copy of a region's pixels. */
interface IFakeBitmap {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
  close(): void;
}

/** createImageBitmap(imageData, sx, sy, sw, sh), resolved later as in browsers. */
async function fakeCreateImageBitmap(
  image: FakeImageData,
  sx = 0,
  sy = 0,
  sw = image.width,
  sh = image.height
): Promise<IFakeBitmap> {
  await Promise.resolve();
  const data = new Uint8ClampedArray(sw * sh * 4);
  for (let row = 0; row < sh; row++) {
    const at = ((sy + row) * image.width + sx) * 4;
    data.set(image.data.subarray(at, at + sw * 4), row * sw * 4);
  }
  return { width: sw, height: sh, data, close: () => undefined };
}

/** A bitmaprenderer context: the canvas shows the bitmap it is given. */
function fakeBitmapRenderer(canvas: HTMLCanvasElement) {
  return {
    transferFromImageBitmap(bitmap: IFakeBitmap) {
      surface(canvas).pixels = Uint8ClampedArray.from(bitmap.data);
    }
  };
}

/** A 2D context that draws into `canvas`'s fake surface. */
function fakeContext(canvas: HTMLCanvasElement) {
  const context = {
    fillStyle: '#000000',
    strokeStyle: '#000000',
    lineWidth: 1,
    font: '10px sans-serif',
    textAlign: 'start',
    textBaseline: 'alphabetic',
    imageSmoothingEnabled: true,
    globalAlpha: 1,
    // Transforms are not applied (figures here are drawn at ratio 1; a
    // rotated axis title is recorded as text where it starts).
    setTransform() {},
    save() {},
    restore() {},
    translate() {},
    rotate() {},
    createImageData: (width: number, height: number) =>
      new FakeImageData(width, height),
    putImageData(
      image: FakeImageData,
      dx: number,
      dy: number,
      dirtyX = 0,
      dirtyY = 0,
      dirtyWidth = image.width,
      dirtyHeight = image.height
    ) {
      const s = surface(canvas);
      for (let y = dirtyY; y < dirtyY + dirtyHeight; y++) {
        for (let x = dirtyX; x < dirtyX + dirtyWidth; x++) {
          const [tx, ty] = [dx + x, dy + y];
          if (tx < 0 || ty < 0 || tx >= s.width || ty >= s.height) {
            continue;
          }
          const from = (y * image.width + x) * 4;
          s.pixels.set(
            image.data.subarray(from, from + 4),
            (ty * s.width + tx) * 4
          );
        }
      }
    },
    fillRect(x: number, y: number, w: number, h: number) {
      const s = surface(canvas);
      const colour = parseColour(context.fillStyle);
      for (let ty = Math.max(0, y); ty < Math.min(s.height, y + h); ty++) {
        for (let tx = Math.max(0, x); tx < Math.min(s.width, x + w); tx++) {
          s.pixels.set(colour, (ty * s.width + tx) * 4);
        }
      }
    },
    strokeRect(x: number, y: number, w: number, h: number) {
      // A one-pixel outline in the stroke colour (tiles' frames).
      const s = surface(canvas);
      const colour = parseColour(context.strokeStyle);
      const [x0, y0] = [Math.round(x), Math.round(y)];
      const [x1, y1] = [Math.round(x + w), Math.round(y + h)];
      const put = (tx: number, ty: number) => {
        if (tx >= 0 && ty >= 0 && tx < s.width && ty < s.height) {
          s.pixels.set(colour, (ty * s.width + tx) * 4);
        }
      };
      for (let tx = x0; tx <= x1; tx++) {
        put(tx, y0);
        put(tx, y1);
      }
      for (let ty = y0; ty <= y1; ty++) {
        put(x0, ty);
        put(x1, ty);
      }
    },
    drawImage(
      source: HTMLCanvasElement,
      dx: number,
      dy: number,
      dw = source.width,
      dh = source.height
    ) {
      const from = surface(source);
      const s = surface(canvas);
      for (let y = 0; y < dh; y++) {
        for (let x = 0; x < dw; x++) {
          const [tx, ty] = [dx + x, dy + y];
          if (tx < 0 || ty < 0 || tx >= s.width || ty >= s.height) {
            continue;
          }
          const sx = Math.floor((x * from.width) / dw);
          const sy = Math.floor((y * from.height) / dh);
          const at = (sy * from.width + sx) * 4;
          s.pixels.set(
            from.pixels.subarray(at, at + 4),
            (ty * s.width + tx) * 4
          );
        }
      }
    },
    fillText(text: string, x: number, y: number) {
      surface(canvas).texts.push({ text, x, y, font: context.font });
    },
    measureText: (text: string) => ({ width: text.length * 6 }),
    getImageData(x: number, y: number, w: number, h: number) {
      const s = surface(canvas);
      const out = new FakeImageData(w, h);
      for (let row = 0; row < h; row++) {
        const at = ((y + row) * s.width + x) * 4;
        out.data.set(s.pixels.subarray(at, at + w * 4), row * w * 4);
      }
      return out;
    }
  };
  return context;
}

/**
 * Gives jsdom's canvas a 2D context that keeps what is drawn: pixels from
 * putImageData, fillRect and drawImage (nearest-neighbour, as with
 * smoothing off), and the texts of fillText; and a toDataURL / toBlob whose
 * "PNG" is the signature, width and height (16 bits each) and the RGBA
 * bytes: not a real PNG, but one that tests can decode. Installs ImageData.
 */
export function installCanvas(): void {
  (globalThis as { ImageData?: unknown }).ImageData = FakeImageData;
  (globalThis as { createImageBitmap?: unknown }).createImageBitmap =
    fakeCreateImageBitmap;
  HTMLCanvasElement.prototype.getContext = function (
    this: HTMLCanvasElement,
    kind: string
  ) {
    return kind === 'bitmaprenderer'
      ? fakeBitmapRenderer(this)
      : fakeContext(this);
  } as unknown as HTMLCanvasElement['getContext'];
  const encode = (canvas: HTMLCanvasElement): number[] => {
    const { pixels } = surface(canvas);
    const size = [canvas.width >> 8, canvas.width & 255];
    size.push(canvas.height >> 8, canvas.height & 255);
    return [...PNG_SIGNATURE, ...size, ...pixels];
  };
  HTMLCanvasElement.prototype.toDataURL = function (this: HTMLCanvasElement) {
    return `data:image/png;base64,${btoa(String.fromCharCode(...encode(this)))}`;
  };
  HTMLCanvasElement.prototype.toBlob = function (
    this: HTMLCanvasElement,
    callback: BlobCallback
  ) {
    const bytes = Uint8Array.from(encode(this));
    setTimeout(() => callback(new Blob([bytes], { type: 'image/png' })), 0);
  };
}

/** The texts drawn into a canvas with fillText, in order. */
export function drawnTexts(canvas: HTMLCanvasElement): string[] {
  return surfaces.get(canvas)?.texts.map(t => t.text) ?? [];
}

/** One pixel of a canvas, RGBA. */
export function pixelAt(
  canvas: HTMLCanvasElement,
  x: number,
  y: number
): number[] {
  const s = surface(canvas);
  const at = (y * s.width + x) * 4;
  return Array.from(s.pixels.subarray(at, at + 4));
}

/** Reads back what installCanvas's toDataURL wrote. */
export function decodePng(base64: string): {
  width: number;
  height: number;
  rgba: Uint8Array;
} {
  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  if (PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new Error('not a PNG');
  }
  return {
    width: (bytes[8] << 8) | bytes[9],
    height: (bytes[10] << 8) | bytes[11],
    rgba: bytes.subarray(12)
  };
}
