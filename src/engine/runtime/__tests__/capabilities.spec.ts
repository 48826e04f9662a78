import {
  type IProbeScope,
  availableBackends,
  detectCapabilities
} from '../capabilities';

describe('detectCapabilities', () => {
  it('finds WASM with SIMD and no GPU in Node', async () => {
    const caps = await detectCapabilities();
    expect(caps).toMatchObject({
      webgpu: false,
      webgl2: false,
      wasm: true,
      wasmSimd: true
    });
    expect(availableBackends(caps)).toEqual(['wasm', 'cpu']);
  });

  it('sees WebGPU only when an adapter is granted', async () => {
    const withAdapter: IProbeScope = {
      navigator: { gpu: { requestAdapter: async () => ({}) } }
    };
    const refused: IProbeScope = {
      navigator: { gpu: { requestAdapter: async () => null } }
    };
    const throws: IProbeScope = {
      navigator: {
        gpu: {
          requestAdapter: async () => {
            throw new Error('blocked');
          }
        }
      }
    };
    expect((await detectCapabilities(withAdapter)).webgpu).toBe(true);
    expect((await detectCapabilities(refused)).webgpu).toBe(false);
    expect((await detectCapabilities(throws)).webgpu).toBe(false);
  });

  it('sees WebGL2 only when a context is created', async () => {
    class Canvas {
      constructor(
        readonly w: number,
        readonly h: number
      ) {}
      getContext(kind: string): unknown {
        return kind === 'webgl2' ? {} : null;
      }
    }
    class NoGl extends Canvas {
      override getContext(): unknown {
        return null;
      }
    }
    expect((await detectCapabilities({ OffscreenCanvas: Canvas })).webgl2).toBe(
      true
    );
    expect((await detectCapabilities({ OffscreenCanvas: NoGl })).webgl2).toBe(
      false
    );
    expect(availableBackends(await detectCapabilities({}))).toEqual(['cpu']);
  });
});
