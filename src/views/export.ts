/**
 * Saving what a view shows: the current image as PNG, the animation as an
 * animated GIF (gifenc, MIT), and a download that needs no server.
 */
import { GIFEncoder, applyPalette, quantize } from 'gifenc';
import { type IImage, paint } from './frames';

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
