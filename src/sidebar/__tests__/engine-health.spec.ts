import type { IEngineStatus } from '../../engine/runtime/protocol';
import { describeFaults, describeMemory, formatBytes } from '../engine-health';

const status = (extra: Partial<IEngineStatus>): IEngineStatus => ({
  backend: 'wasm',
  available: ['wasm', 'cpu'],
  choice: 'auto',
  reason: 'measured fastest here',
  probes: [],
  worker: true,
  queued: 0,
  running: false,
  ...extra
});

describe('engine health in words', () => {
  it('formats bytes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
    expect(formatBytes(48_000_000)).toBe('48 MB');
    expect(formatBytes(3.1e9)).toBe('3.1 GB');
  });

  it("says the engine's tensors and bytes, and GPU textures where known", () => {
    expect(
      describeMemory({ numTensors: 1, numBytes: 512, gpuBytes: null })
    ).toBe('1 tensor, 512 B');
    expect(
      describeMemory({
        numTensors: 1234,
        numBytes: 2_400_000,
        gpuBytes: 3_100_000
      })
    ).toBe('1,234 tensors, 2.4 MB (GPU textures 3.1 MB)');
  });

  it('lists dropped backends and restarts, nothing when all went well', () => {
    expect(describeFaults(status({}))).toEqual([]);
    expect(
      describeFaults(
        status({
          lost: [{ backend: 'webgl', reason: 'the WebGL context was lost' }],
          restarts: 2
        })
      )
    ).toEqual([
      'Stopped using WEBGL: the WebGL context was lost',
      'The engine was restarted 2 times after a fault.'
    ]);
  });
});
