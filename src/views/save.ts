/**
 * Saving what a view shows: its labelled figure as PNG, the animation as an
 * animated GIF (gifenc, MIT), a download that needs no server, and the save
 * buttons' actions that the run bar shows. Encoding never blocks the page
 * for long (docs/architecture.md, "Memory and speed"): PNGs are encoded by
 * the browser off the script's thread (toBlob), GIFs a frame at a time
 * between yields.
 */
import { GIFEncoder, applyPalette, quantize } from 'gifenc';
import {
  type FigureEncoder,
  type IFigureSpec,
  type IFigureStyle,
  drawFigure,
  figureLayout,
  themeStyle
} from './figure';
import { type IImage, paint } from './frames';

/** A file a view offers to save: one button of its run bar. */
export interface ISaveAction {
  /** The button's text, e.g. "PNG". */
  readonly text: string;
  /** Its accessible name now, e.g. "Save the image as PNG". */
  readonly label: () => string;
  /** Whether the button can be used now (cheap: called on every update). */
  readonly ready: () => boolean;
  readonly save: () => void | Promise<void>;
}

/** The labelled grid a view saves: what it shows, and its size on screen. */
export interface IGridFigure {
  readonly spec: IFigureSpec;
  /** The theme's colours where the view is shown. */
  readonly style: IFigureStyle;
  /** Screen pixels the live view showed it at. */
  readonly width: number;
  readonly height: number;
}

/** The figure of `spec`, in the theme of `themed`, at its display size. */
export function figureOf(spec: IFigureSpec, themed: Element): IFigure {
  const layout = figureLayout(spec);
  return {
    spec,
    style: themeStyle(themed),
    width: layout.displayWidth,
    height: layout.displayHeight
  };
}

/**
 * A figure a result view drew itself (its own layout: panels with legends,
 * a sheet of examples), labels included, on a canvas of its own.
 */
export interface IDrawnFigure {
  readonly canvas: HTMLCanvasElement;
  /** Screen pixels the live view showed it at. */
  readonly width: number;
  readonly height: number;
}

/** An image a result view composed (at its live size), as its saved figure. */
export function imageFigure(image: IImage): IDrawnFigure {
  const canvas = document.createElement('canvas');
  paint(canvas, image);
  return { canvas, width: image.width, height: image.height };
}

/** What a view saves and writes back: a grid to draw, or a drawn figure. */
export type IFigure = IGridFigure | IDrawnFigure;

/** A figure as PNG: a grid drawn by `encode` (in a worker), or as drawn. */
export function encodeViewFigure(
  figure: IFigure,
  encode: FigureEncoder
): Promise<Blob> {
  return 'canvas' in figure
    ? canvasBlob(figure.canvas)
    : encode(figure.spec, figure.style);
}

/**
 * Draws and encodes a figure on this page's thread (where no worker can do
 * it: a sandboxed page, the tests).
 */
export const encodeFigureHere: FigureEncoder = (spec, style) =>
  canvasBlob(drawFigureHere(spec, style));

/** A figure drawn on a canvas of this document. */
export function drawFigureHere(
  spec: IFigureSpec,
  style: IFigureStyle
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  drawFigure(canvas, spec, figureLayout(spec), style, (width, height) => {
    const scratch = document.createElement('canvas');
    [scratch.width, scratch.height] = [width, height];
    return scratch;
  });
  return canvas;
}

/** Saves the figure shown now, or else the saved result's PNG. */
export function pngAction(source: {
  readonly filename: string;
  /** Draws and encodes the figure (in a worker, where there is one). */
  readonly encode: FigureEncoder;
  /** Whether there is a figure to save now (cheap: asked on every update). */
  readonly ready: () => boolean;
  /** Draws the figure (on demand: only when saving). */
  readonly figure: () => IFigure | null;
  /** The saved result's PNG (base64), when one is shown. */
  readonly stored: () => string | null;
}): ISaveAction {
  return {
    text: 'PNG',
    label: () => 'Save the image as PNG',
    ready: () => source.ready() || source.stored() !== null,
    save: async () => {
      const figure = source.figure();
      const stored = source.stored();
      const blob = figure
        ? await encodeViewFigure(figure, source.encode)
        : stored
          ? new Blob([fromBase64(stored)], { type: 'image/png' })
          : null;
      if (blob) {
        download(blob, `${source.filename}.png`);
      }
    }
  };
}

/**
 * Saves the animation as a GIF: from the frames of this session's run, or
 * the GIF saved with the result; after a reload without one, the button
 * re-runs and saves the GIF when that run is done.
 */
export function gifAction(source: {
  readonly filename: string;
  /** How many frames there are (cheap; an animation needs two). */
  readonly count: () => number;
  readonly frames: () => readonly IImage[];
  /** The saved GIF (base64), if the result has one. */
  readonly stored: () => string | null;
  /** Whether a saved result is shown (then a re-run can make the GIF). */
  readonly showsStored: () => boolean;
  /** Starts a run; the view calls `whenDone` once it has frames. */
  readonly rerun?: () => void;
}): ISaveAction & {
  /** Call when a run is done: saves the GIF a re-run was started for. */
  whenDone(): Promise<void>;
} {
  let pending = false;
  const recorded = () => source.count() > 1;
  const saveFrames = async () => {
    const images = source.frames();
    if (images.length > 1) {
      download(
        new Blob([await gifBytes(images)], { type: 'image/gif' }),
        `${source.filename}.gif`
      );
    }
  };
  return {
    text: 'GIF',
    label: () =>
      recorded() || source.stored()
        ? 'Save the animation as GIF'
        : 'Save the animation as GIF after running it again',
    ready: () =>
      recorded() ||
      source.stored() !== null ||
      (source.showsStored() && source.rerun !== undefined),
    save: async () => {
      const stored = source.stored();
      if (recorded()) {
        await saveFrames();
      } else if (stored) {
        download(
          new Blob([fromBase64(stored)], { type: 'image/gif' }),
          `${source.filename}.gif`
        );
      } else if (source.rerun) {
        pending = true;
        source.rerun();
      }
    },
    whenDone: async () => {
      if (pending && recorded()) {
        pending = false;
        await saveFrames();
      }
    }
  };
}

/** A canvas as a PNG Blob, encoded by the browser off the script's thread. */
export function canvasBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      blob =>
        blob
          ? resolve(blob)
          : reject(new Error('The browser could not encode a PNG.')),
      'image/png'
    )
  );
}

/** Base64 of a Blob's bytes, read by the browser. */
export function blobBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () =>
      resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () =>
      reject(reader.error ?? new Error('The browser could not read a file.'));
    reader.readAsDataURL(blob);
  });
}

/** Lets the page paint and handle input between two chunks of work. */
export function yieldToPage(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 0));
}

/**
 * An animated GIF of images of one size: a palette per frame (digits and
 * feature visualizations differ a lot from start to end), the last frame
 * held; one frame per task, so that long animations never freeze the page.
 */
export async function gifBytes(
  images: readonly IImage[],
  delayMs = 80,
  holdLastMs = 1200
): Promise<Uint8Array> {
  const encoder = GIFEncoder();
  for (let i = 0; i < images.length; i++) {
    const image = images[i];
    const palette = quantize(image.data, 256);
    const index = applyPalette(image.data, palette);
    encoder.writeFrame(index, image.width, image.height, {
      palette,
      delay: i === images.length - 1 ? holdLastMs : delayMs
    });
    await yieldToPage();
  }
  encoder.finish();
  return encoder.bytes();
}

/** Offers a Blob as a download with this file name. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before freeing it.
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Base64 of bytes, read by the browser off the script's thread. */
export function base64(bytes: Uint8Array): Promise<string> {
  return blobBase64(new Blob([bytes]));
}

/** The bytes of base64 text. */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), c => c.charCodeAt(0));
}
