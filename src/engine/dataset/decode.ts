/**
 * Decodes PNG and JPEG files where the engine runs (a Web Worker, or the
 * page): createImageBitmap and an OffscreenCanvas, the browser's own
 * decoders. Node has neither; tests give the folder loader a decoder of
 * their own.
 */
import { DatasetError } from './dataset';
import type { IDecodedImage, ImageDecoder } from './folder';

export const decodeImage: ImageDecoder = async (
  bytes: Uint8Array
): Promise<IDecodedImage> => {
  if (
    typeof createImageBitmap !== 'function' ||
    typeof OffscreenCanvas !== 'function'
  ) {
    throw new DatasetError(
      'This browser cannot decode images where Feature Viz computes (no createImageBitmap or OffscreenCanvas).'
    );
  }
  const bitmap = await createImageBitmap(new Blob([bytes]));
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) {
      throw new DatasetError('No 2D canvas to decode images with.');
    }
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: bitmap.width, height: bitmap.height, rgba: data };
  } finally {
    bitmap.close();
  }
};
