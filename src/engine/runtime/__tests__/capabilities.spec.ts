import {
  type IProbeScope,
  availableBackends,
  detectCapabilities
} from '../capabilities';
import { FeatureVizEngine, chooseBackend } from '../engine';

describe('detectCapabilities', () => {
  it('finds WASM with SIMD and no GPU in Node', async () => {
    const caps = await detectCapabilities();
    expect(caps).toMatchObject({
      webgpu: false,
      webgl2: false,
      wasm: true,
      // Node 16+ validates SIMD modules; a closed form of what V8 supports.
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
    const empty = await detectCapabilities({});
    expect(availableBackends(empty)).toEqual(['cpu']);
  });
});

describe('chooseBackend', () => {
  it('honours a pinned backend that is available', () => {
    expect(chooseBackend('cpu', ['wasm', 'cpu']).backend).toBe('cpu');
  });

  it('explains when a pinned backend is missing', () => {
    const { backend, reason } = chooseBackend('webgpu', ['wasm', 'cpu']);
    expect(backend).toBe('wasm');
    expect(reason).toMatch(/webgpu is not available/);
  });
});

describe('FeatureVizEngine', () => {
  it('reports status and signals a changed choice', async () => {
    const engine = new FeatureVizEngine('auto');
    expect((await engine.status()).backend).toBe('wasm');
    const changed = new Promise(resolve =>
      engine.statusChanged.connect((_, s) => resolve(s.backend))
    );
    engine.setBackendChoice('cpu');
    await expect(changed).resolves.toBe('cpu');
  });
});
