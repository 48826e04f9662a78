/**
 * The benchmark page's script (bundled by bench/run.mjs): the engine bench,
 * plus a run through the real worker engine while the main thread draws
 * frames and a PerformanceObserver watches for long tasks.
 */
import type * as Comlink from 'comlink';
import { EngineClient } from '../src/engine/runtime/client';
import type { JobRequest } from '../src/engine/runtime/protocol';
import { coldFirstFrame, probeBackends, runBench, tf } from './engine-bench';

interface ILongTaskResult {
  backend: string | null;
  longTasks: number[];
  frames: number;
  stepsPerSecond: number;
  firstFrameMs: number;
}

async function workerRun(
  workerUrl: string,
  wasmPaths: string,
  request: JobRequest,
  steps: number
): Promise<ILongTaskResult> {
  const worker = new Worker(workerUrl);
  const client = await EngineClient.remote(
    worker as unknown as Comlink.Endpoint,
    { wasmPaths }
  );
  const status = await client.status();
  const canvas = document.createElement('canvas');
  document.body.appendChild(canvas);
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  const longTasks: number[] = [];
  const observer = new PerformanceObserver(list =>
    list.getEntries().forEach(e => longTasks.push(e.duration))
  );
  observer.observe({ type: 'longtask' });
  let frames = 0;
  let firstFrameMs = 0;
  const start = performance.now();
  await client.run(request, {
    onEvent: event => {
      if (event.type === 'frame') {
        const { frame } = event;
        if (!firstFrameMs && frame.step > 0) {
          firstFrameMs = performance.now() - start;
        }
        // Draw as the view does: one ImageData per frame.
        canvas.width = frame.width;
        canvas.height = frame.height * frame.batch;
        context.putImageData(
          new ImageData(
            new Uint8ClampedArray(frame.rgba),
            frame.width,
            frame.height * frame.batch
          ),
          0,
          0
        );
        frames++;
      }
    }
  });
  const elapsed = performance.now() - start;
  await new Promise(resolve => setTimeout(resolve, 100));
  observer.disconnect();
  worker.terminate();
  return {
    backend: status.backend,
    longTasks,
    frames,
    stepsPerSecond: steps / (elapsed / 1000),
    firstFrameMs
  };
}

(window as unknown as Record<string, unknown>).featurevizBench = {
  runBench,
  coldFirstFrame,
  probeBackends,
  workerRun,
  hasWebGpu: async () => {
    const gpu = (
      navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }
    ).gpu;
    return !!gpu && (await gpu.requestAdapter()) !== null;
  },
  memory: () => tf.memory().numTensors
};
