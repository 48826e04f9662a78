/**
 * NumPy's .npy format (format versions 1–3) and the arrays of an .npz
 * archive (docs/architecture.md, "Datasets and top examples"): a magic
 * string, a header dict (dtype, order, shape), then the raw little-endian
 * data. Images come back as uint8 or float32 (float64 is narrowed), labels
 * as int32; other types and Fortran order are refused by name.
 */
import { DatasetError } from './dataset';
import { readZip } from './zip';

export type NpyData = Uint8Array | Float32Array | Int32Array;

export interface INpyArray {
  readonly shape: readonly number[];
  readonly data: NpyData;
  /** The dtype as the file states it (e.g. "<f8"). */
  readonly dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Element readers by dtype; integer labels of any width become int32. */
const DTYPES: Record<
  string,
  { bytes: number; read: (view: DataView, count: number) => NpyData }
> = {
  '|u1': {
    bytes: 1,
    read: (v, n) => new Uint8Array(v.buffer, v.byteOffset, n).slice()
  },
  '|b1': {
    bytes: 1,
    read: (v, n) => new Uint8Array(v.buffer, v.byteOffset, n).slice()
  },
  '<f4': {
    bytes: 4,
    read: (v, n) => each(new Float32Array(n), i => v.getFloat32(i * 4, true))
  },
  '<f8': {
    bytes: 8,
    read: (v, n) => each(new Float32Array(n), i => v.getFloat64(i * 8, true))
  },
  '|i1': {
    bytes: 1,
    read: (v, n) => each(new Int32Array(n), i => v.getInt8(i))
  },
  '<i2': {
    bytes: 2,
    read: (v, n) => each(new Int32Array(n), i => v.getInt16(i * 2, true))
  },
  '<u2': {
    bytes: 2,
    read: (v, n) => each(new Int32Array(n), i => v.getUint16(i * 2, true))
  },
  '<i4': {
    bytes: 4,
    read: (v, n) => each(new Int32Array(n), i => v.getInt32(i * 4, true))
  },
  '<i8': { bytes: 8, read: (v, n) => each(new Int32Array(n), i => int64(v, i)) }
};

function each<T extends NpyData>(out: T, value: (i: number) => number): T {
  for (let i = 0; i < out.length; i++) {
    out[i] = value(i);
  }
  return out;
}

/** An int64 label; one that does not fit in int32 is refused. */
function int64(view: DataView, i: number): number {
  const value = view.getBigInt64(i * 8, true);
  if (value > 2147483647n || value < -2147483648n) {
    throw new DatasetError(`A label (${value}) does not fit in 32 bits.`);
  }
  return Number(value);
}

/** Parses an .npy file; `name` names it in errors. */
export function parseNpy(bytes: Uint8Array, name: string): INpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DatasetError(`${name} is not a NumPy .npy file.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength =
    major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(start, start + headerLength)
  );
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) {
    throw new DatasetError(`${name} has an unreadable .npy header.`);
  }
  if (fortran === 'True') {
    throw new DatasetError(
      `${name} is stored in Fortran order: save it with np.save(path, np.ascontiguousarray(array)).`
    );
  }
  const shape = shapeText
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
    .map(Number);
  const type = DTYPES[descr.replace(/^=/, '<')];
  if (!type || shape.some(d => !Number.isInteger(d) || d < 0)) {
    throw new DatasetError(
      `${name} holds ${descr} values; Feature Viz reads uint8 or float images and integer labels.`
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  if (bytes.length - offset < count * type.bytes) {
    throw new DatasetError(
      `${name} is truncated: its header describes ${count} values of ${descr}.`
    );
  }
  const data = type.read(
    new DataView(bytes.buffer, bytes.byteOffset + offset, count * type.bytes),
    count
  );
  return { shape, data, dtype: descr };
}

/** The arrays of an .npz archive (np.savez, compressed or not), by key. */
export async function parseNpz(
  bytes: Uint8Array,
  name: string
): Promise<Map<string, () => Promise<INpyArray>>> {
  const entries = readZip(bytes, name);
  const arrays = new Map<string, () => Promise<INpyArray>>();
  for (const [file, read] of entries) {
    if (file.endsWith('.npy')) {
      const key = file.slice(0, -4);
      arrays.set(key, async () => parseNpy(await read(), `${name}[${key}]`));
    }
  }
  return arrays;
}
