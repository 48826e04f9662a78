/**
 * Reads the files of a ZIP archive (what np.savez writes): the central
 * directory at the end, ZIP64 sizes and offsets, stored or deflated entries
 * (inflated with the platform's DecompressionStream). No encryption, no
 * spanning: an .npz has neither.
 */
import { DatasetError } from './dataset';

const END = 0x06054b50;
const END64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The archive's files by name, each read (and inflated) on demand. */
export function readZip(
  bytes: Uint8Array,
  name: string
): Map<string, () => Promise<Uint8Array>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new DatasetError(
      `${name} is not a readable .npz (ZIP) file: ${why}.`
    );
  };
  // The end record is in the last 64 KiB (22 bytes plus a comment).
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === END) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    fail('no end of central directory');
  }
  let entries = view.getUint16(end + 10, true);
  let directory = view.getUint32(end + 16, true);
  if (end >= 20 && view.getUint32(end - 20, true) === END64_LOCATOR) {
    const end64 = Number(view.getBigUint64(end - 12, true));
    entries = Number(view.getBigUint64(end64 + 32, true));
    directory = Number(view.getBigUint64(end64 + 48, true));
  }
  const files = new Map<string, () => Promise<Uint8Array>>();
  let at = directory;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) {
      fail('a damaged central directory');
    }
    const method = view.getUint16(at + 10, true);
    let compressed = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let local = view.getUint32(at + 42, true);
    const file = new TextDecoder().decode(
      bytes.subarray(at + 46, at + 46 + nameLength)
    );
    // ZIP64: the sizes and offset that overflowed 32 bits, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 1) {
        let field = extra + 4;
        const next = () => {
          const value = Number(view.getBigUint64(field, true));
          field += 8;
          return value;
        };
        size = size === 0xffffffff ? next() : size;
        compressed = compressed === 0xffffffff ? next() : compressed;
        local = local === 0xffffffff ? next() : local;
      }
      extra += 4 + length;
    }
    at = extraEnd + commentLength;
    const entry = { method, compressed, size, local };
    files.set(file, async () => {
      if (view.getUint32(entry.local, true) !== LOCAL) {
        fail(`a damaged entry ${file}`);
      }
      const start =
        entry.local +
        30 +
        view.getUint16(entry.local + 26, true) +
        view.getUint16(entry.local + 28, true);
      const data = bytes.subarray(start, start + entry.compressed);
      if (entry.method === 0) {
        return data;
      }
      if (entry.method !== 8) {
        fail(`${file} uses compression method ${entry.method}`);
      }
      const stream = new Blob([data])
        .stream()
        .pipeThrough(new DecompressionStream('deflate-raw'));
      const out = new Uint8Array(await new Response(stream).arrayBuffer());
      if (out.length !== entry.size) {
        fail(`${file} inflates to ${out.length} bytes, not ${entry.size}`);
      }
      return out;
    });
  }
  return files;
}
