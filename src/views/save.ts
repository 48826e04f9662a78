/**
 * Saving what a view shows: the current image as PNG, the animation as an
 * animated GIF (gifenc, MIT), a download that needs no server, and the save
 * buttons' actions that the run bar shows.
 */
import { GIFEncoder, applyPalette, quantize } from 'gifenc';
import { type IImage, paint } from './frames';

/** A file a view offers to save: one button of its run bar. */
export interface ISaveAction {
  /** The button's text, e.g. "PNG". */
  readonly text: string;
  /** Its accessible name, e.g. "Save the image as PNG". */
  readonly label: string;
  /** Whether there is something to save now (cheap: called on every update). */
  readonly ready: () => boolean;
  readonly save: () => void | Promise<void>;
}

/** Saves the image shown now, or else the saved result's PNG. */
export function pngAction(source: {
  readonly filename: string;
  readonly ready: () => boolean;
  readonly image: () => IImage | null;
  /** The saved result's PNG (base64), when one is shown. */
  readonly stored: () => string | null;
}): ISaveAction {
  return {
    text: 'PNG',
    label: 'Save the image as PNG',
    ready: source.ready,
    save: async () => {
      const image = source.image();
      const stored = source.stored();
      const blob = image
        ? await pngBlob(image)
        : stored
          ? new Blob([fromBase64(stored)], { type: 'image/png' })
          : null;
      if (blob) {
        download(blob, `${source.filename}.png`);
      }
    }
  };
}

/** Saves the frames as an animated GIF. */
export function gifAction(source: {
  readonly filename: string;
  /** How many frames there are (cheap; an animation needs two). */
  readonly count: () => number;
  readonly frames: () => readonly IImage[];
}): ISaveAction {
  return {
    text: 'GIF',
    label: 'Save the animation as GIF',
    ready: () => source.count() > 1,
    save: () => {
      const images = source.frames();
      if (images.length > 1) {
        download(
          new Blob([gifBytes(images)], { type: 'image/gif' }),
          `${source.filename}.gif`
        );
      }
    }
  };
}

/** A PNG of an image, as a Blob. */
export function pngBlob(image: IImage): Promise<Blob> {
  const canvas = document.createElement('canvas');
  paint(canvas, image);
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

/** A PNG of an image, base64 (what notebooks store under image/png). */
export function pngBase64(image: IImage): string {
  const canvas = document.createElement('canvas');
  paint(canvas, image);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

/**
 * An animated GIF of images of one size: a palette per frame (digits and
 * feature visualizations differ a lot from start to end), the last frame held.
 */
export function gifBytes(
  images: readonly IImage[],
  delayMs = 80,
  holdLastMs = 1200
): Uint8Array {
  const encoder = GIFEncoder();
  images.forEach((image, i) => {
    const palette = quantize(image.data, 256);
    const index = applyPalette(image.data, palette);
    encoder.writeFrame(index, image.width, image.height, {
      palette,
      delay: i === images.length - 1 ? holdLastMs : delayMs
    });
  });
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

/** Base64 of bytes (for storing a GIF in a notebook). */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of base64 text. */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), c => c.charCodeAt(0));
}
