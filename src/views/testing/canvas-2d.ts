/**
 * Test support: a 2D canvas for jsdom (which has none) that records what a
 * view draws: the images put into canvases (their pixels), where they are
 * drawn, and every text with its position. Views that draw a figure of
 * panels (panel-figure.ts) are tested against these records.
 */

export interface IDrawnText {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly font: string;
}

export interface IDrawnImage {
  /** The pixels of the canvas drawn (as put into it). */
  readonly pixels: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  /** Where it went, in the target's CSS pixels. */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

interface IRecord {
  pixels: Uint8ClampedArray;
  texts: IDrawnText[];
  images: IDrawnImage[];
}

const records = new WeakMap<HTMLCanvasElement, IRecord>();

function recordOf(canvas: HTMLCanvasElement): IRecord {
  let record = records.get(canvas);
  if (!record) {
    record = { pixels: new Uint8ClampedArray(0), texts: [], images: [] };
    records.set(canvas, record);
  }
  return record;
}

/** Installs the recording context on every canvas of this jsdom. */
export function installRecordingCanvas(): void {
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement) {
    const record = recordOf(this);
    return {
      font: '10px sans-serif',
      fillStyle: '#000',
      strokeStyle: '#000',
      lineWidth: 1,
      lineJoin: 'miter',
      textAlign: 'start',
      textBaseline: 'alphabetic',
      imageSmoothingEnabled: true,
      setTransform() {},
      fillRect(x: number, y: number) {
        // A fill from the corner is a figure's background: it hides what
        // was drawn before.
        if (x === 0 && y === 0) {
          record.texts = [];
          record.images = [];
        }
      },
      createImageData: (width: number, height: number) => ({
        width,
        height,
        data: new Uint8ClampedArray(width * height * 4)
      }),
      putImageData(image: { data: Uint8ClampedArray }) {
        record.pixels = Uint8ClampedArray.from(image.data);
      },
      getImageData: (
        _x: number,
        _y: number,
        width: number,
        height: number
      ) => ({
        width,
        height,
        data: new Uint8ClampedArray(width * height * 4)
      }),
      drawImage(
        source: HTMLCanvasElement,
        x: number,
        y: number,
        w: number,
        h: number
      ) {
        record.images.push({
          pixels: recordOf(source).pixels,
          width: source.width,
          height: source.height,
          x,
          y,
          w,
          h
        });
      },
      measureText(text: string) {
        const size = Number(/(\d+)px/.exec(this.font)?.[1] ?? 10);
        return { width: text.length * size * 0.6 };
      },
      fillText(text: string, x: number, y: number) {
        record.texts.push({ text, x, y, font: this.font });
      },
      strokeText() {}
    };
  } as unknown as HTMLCanvasElement['getContext'];
}

/** The texts drawn on a canvas since its background was last filled. */
export function drawnTexts(canvas: HTMLCanvasElement): IDrawnText[] {
  return recordOf(canvas).texts;
}

/** The images drawn on a canvas since its background was last filled. */
export function drawnImages(canvas: HTMLCanvasElement): IDrawnImage[] {
  return recordOf(canvas).images;
}
