/**
 * The page's end of the featureviz comm against a scripted kernel that
 * speaks the wire protocol as featureviz/_comm.py does (the Python side and
 * the real round trip are tested in pytest and Galata).
 */
import { KernelBridge } from '../bridge';
import type {
  ICommHandlers,
  ICommLike,
  IKernelLike,
  Json,
  JsonObject
} from '../comm';
import { decodeArrays, encodeArrays } from '../wire';

interface IScript {
  /** Whether the kernel has the target (featureviz imported). */
  target: boolean;
  /** Arrays by key, as the kernel holds them. */
  arrays: Record<
    string,
    {
      name: string;
      data: Uint8Array | Float32Array | Int32Array;
      shape: number[];
    }[]
  >;
  /** Answer fetches (false: a busy kernel that never answers). */
  answer: boolean;
}

function scriptedKernel(script: IScript) {
  const opened: JsonObject[] = [];
  const received: { data: JsonObject; buffers: readonly ArrayBuffer[] }[] = [];
  let handlers: ICommHandlers | null = null;
  const kernel: IKernelLike = {
    id: 'k1',
    openComm(target, data, h): ICommLike {
      expect(target).toBe('featureviz');
      opened.push(data);
      handlers = h;
      if (!script.target) {
        // ipykernel closes a comm to a target nobody registered.
        setTimeout(() => h.onClose(), 0);
      }
      return {
        send(message, buffers = []) {
          received.push({ data: message, buffers });
          if (message.type !== 'fetch' || !script.answer) {
            return;
          }
          const held = script.arrays[message.key as string];
          setTimeout(() => {
            if (!held) {
              h.onMessage({
                data: {
                  type: 'error',
                  request: message.request as number,
                  message: 'The kernel no longer holds this dataset.'
                },
                buffers: []
              });
              return;
            }
            const { arrays, buffers: out } = encodeArrays(held);
            h.onMessage({
              data: {
                type: 'arrays',
                request: message.request as number,
                key: message.key as string,
                arrays: arrays as unknown as Json
              },
              // As a kernel sends them: views at any offset of a bigger buffer.
              buffers: out.map(b => {
                const padded = new Uint8Array(b.byteLength + 3);
                padded.set(new Uint8Array(b), 3);
                return new DataView(padded.buffer, 3, b.byteLength);
              })
            });
          }, 0);
        },
        close() {
          handlers?.onClose();
        }
      };
    }
  };
  return { kernel, opened, received };
}

const images = Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => i * 10);
const labels = Int32Array.from([7, 3]);

describe('KernelBridge', () => {
  const script = (): IScript => ({
    target: true,
    answer: true,
    arrays: {
      abc: [
        { name: 'images', data: images, shape: [2, 2, 3] },
        { name: 'labels', data: labels, shape: [2] }
      ]
    }
  });

  it('opens one comm and fetches arrays as binary buffers', async () => {
    const { kernel, opened, received } = scriptedKernel(script());
    const bridge = new KernelBridge(kernel);
    bridge.attach();
    const arrays = await bridge.fetchArrays('abc');
    expect(opened).toEqual([{ version: 1 }]);
    expect(received[0].data).toEqual({ type: 'fetch', request: 1, key: 'abc' });
    expect(arrays.map(a => [a.name, a.shape])).toEqual([
      ['images', [2, 2, 3]],
      ['labels', [2]]
    ]);
    expect(Array.from(arrays[0].data)).toEqual(Array.from(images));
    expect(arrays[1].data).toBeInstanceOf(Int32Array);
    expect(Array.from(arrays[1].data)).toEqual([7, 3]);
    expect(bridge.counts).toEqual({ sent: 1, received: 1 });
  });

  it("passes on the kernel's error for a key it does not hold", async () => {
    const { kernel } = scriptedKernel(script());
    await expect(new KernelBridge(kernel).fetchArrays('nope')).rejects.toThrow(
      /no longer holds this dataset/
    );
  });

  it('says to import featureviz when the kernel has no featureviz target', async () => {
    const { kernel, opened } = scriptedKernel({ ...script(), target: false });
    const bridge = new KernelBridge(kernel);
    await expect(bridge.fetchArrays('abc')).rejects.toThrow(
      /run `import featureviz` in this notebook/
    );
    // The next use opens a new comm (the user may have imported it since).
    await expect(bridge.fetchArrays('abc')).rejects.toThrow(
      /import featureviz/
    );
    expect(opened).toHaveLength(2);
  });

  it('gives up on a kernel that does not answer, and on Cancel', async () => {
    const { kernel } = scriptedKernel({ ...script(), answer: false });
    const bridge = new KernelBridge(kernel, { timeoutMs: 20 });
    await expect(bridge.fetchArrays('abc')).rejects.toThrow(
      /did not send the data in 0 s: is it busy/
    );
    const abort = new AbortController();
    const waiting = bridge.fetchArrays('abc', abort.signal);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('sends results with their arrays as buffers, and failures', () => {
    const { kernel, received } = scriptedKernel(script());
    const bridge = new KernelBridge(kernel);
    const indices = Int32Array.from([4, 1]);
    bridge.sendResult('f'.repeat(32), {
      kind: 'top-examples',
      summary: { count: 2 },
      arrays: [{ name: 'indices', data: indices, shape: [2] }]
    });
    bridge.sendFailure('e'.repeat(32), 'The run was cancelled.');
    expect(received[0].data).toEqual({
      type: 'result',
      id: 'f'.repeat(32),
      kind: 'top-examples',
      summary: { count: 2 },
      arrays: [{ name: 'indices', dtype: 'int32', shape: [2] }]
    });
    expect(Array.from(new Int32Array(received[0].buffers[0]))).toEqual([4, 1]);
    expect(received[1].data).toEqual({
      type: 'failed',
      id: 'e'.repeat(32),
      message: 'The run was cancelled.'
    });
  });

  it('fails what waits when disposed, and refuses new work', async () => {
    const { kernel } = scriptedKernel({ ...script(), answer: false });
    const bridge = new KernelBridge(kernel);
    const waiting = bridge.fetchArrays('abc');
    bridge.dispose();
    await expect(waiting).rejects.toThrow(/closed the featureviz comm/);
    expect(() => bridge.attach()).toThrow(/kernel is gone/);
  });
});

describe('wire arrays', () => {
  it('refuses buffers that do not match their shape or dtype', () => {
    const buffer = new Uint8Array(5);
    expect(() =>
      decodeArrays([{ name: 'x', dtype: 'float32', shape: [2] }], [buffer])
    ).toThrow(/"x" has 5 bytes, not the 8 its shape \[2\] of float32 needs/);
    expect(() =>
      decodeArrays([{ name: 'x', dtype: 'float64', shape: [1] }], [buffer])
    ).toThrow(/uint8, int32 or float32/);
    expect(() => decodeArrays([], [buffer])).toThrow(
      /1 buffers for 0 array descriptions/
    );
  });
});
