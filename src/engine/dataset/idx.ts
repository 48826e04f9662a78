/**
 * IDX files (the MNIST distribution format): a big-endian header with a magic
 * number giving the element type and rank, the dimensions, then the data.
 */
import { FeatureVizError } from '../errors';

export interface IIdxArray {
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** Parses an IDX file of unsigned bytes (the only type MNIST uses). */
export function parseIdx(bytes: Uint8Array, name: string): IIdxArray {
  if (bytes.length < 4) {
    throw new FeatureVizError(`${name} is too short to be an IDX file.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || bytes[2] !== UNSIGNED_BYTE) {
    throw new FeatureVizError(`${name} is not an IDX file of unsigned bytes.`);
  }
  const rank = bytes[3];
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new FeatureVizError(`${name} has a truncated IDX header.`);
  }
  const shape = Array.from({ length: rank }, (_, i) =>
    view.getUint32(4 + 4 * i)
  );
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== size) {
    throw new FeatureVizError(
      `${name} holds ${bytes.length - header} bytes of data but its header describes ${size}.`
    );
  }
  return { shape, data: bytes.subarray(header) };
}

/** Gunzips with the platform's DecompressionStream (browsers, workers, Node 18+). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
