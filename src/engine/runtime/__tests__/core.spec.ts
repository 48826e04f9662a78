import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { CancelledError } from '../../errors';
import { fileFetch, fileUrl } from '../../testing/files';
import { EngineClient } from '../client';
import { EngineCore } from '../core';
import type { IProbeResult, JobEvent, JobRequest } from '../protocol';
import { createWorkerApi } from '../worker-api';
import { WASM_PATH } from '../../testing/backends';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };
const options = {
  candidates: ['wasm', 'cpu'] as const,
  wasmPaths: WASM_PATH,
  fetch: fileFetch()
};

const channelJob = (channel: number, steps = 6): JobRequest => ({
  kind: 'gradient-ascent',
  model: MODEL,
  objective: { type: 'channel', layer: 'conv2d_1', channel },
  optimization: { steps, frameEvery: 2 }
});

function recorder(): { events: JobEvent[]; listener: (e: JobEvent) => void } {
  const events: JobEvent[] = [];
  return { events, listener: e => events.push(e) };
}

describe('EngineCore', () => {
  let core: EngineCore;
  let probes: readonly IProbeResult[];

  beforeAll(async () => {
    core = new EngineCore({ ...options, candidates: [...options.candidates] });
    const status = await core.start();
    probes = status.probes;
  });

  afterAll(() => core.cancelAll());

  it('measures the ladder and picks the fastest backend (WASM in Node)', () => {
    const status = core.status();
    expect(probes.map(p => p.backend).sort()).toEqual(['cpu', 'wasm']);
    expect(
      probes.every(p => p.ok && (p.msPerStep ?? 0) > 0 && (p.warmupMs ?? 0) > 0)
    ).toBe(true);
    // Ranked fastest first; in Node WASM (XNNPACK) beats plain JavaScript.
    expect(probes[0].backend).toBe('wasm');
    expect(probes[0].msPerStep).toBeLessThan(probes[1].msPerStep as number);
    expect(status.backend).toBe('wasm');
    expect(status.reason).toMatch(/measured fastest/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('reuses cached probe results instead of measuring again', async () => {
    const cached = new EngineCore({
      ...options,
      candidates: [...options.candidates],
      cachedProbes: [...probes].reverse()
    });
    const status = await cached.start();
    expect(status.probes.map(p => p.backend)).toEqual(
      [...probes].reverse().map(p => p.backend)
    );
    expect(status.backend).toBe([...probes].reverse()[0].backend);
    await core.setBackendChoice('auto');
  });

  it('honours a pinned backend and explains one that is missing', async () => {
    expect((await core.setBackendChoice('cpu')).backend).toBe('cpu');
    const missing = await core.setBackendChoice('webgpu');
    expect(missing.reason).toMatch(
      /pinned webgpu is not available here; using wasm/
    );
    expect((await core.setBackendChoice('auto')).backend).toBe('wasm');
  });

  it("lists a model's layers with shapes and parameter counts", async () => {
    const description = await core.describeModel(MODEL);
    expect(description.format).toBe('layers');
    expect(description.inputShape).toEqual([null, 28, 28, 1]);
    expect(
      description.layers.map(l => [l.name, l.className, l.params])
    ).toEqual([
      ['conv2d', 'Conv2D', 3 * 3 * 32 + 32],
      ['conv2d_1', 'Conv2D', 3 * 3 * 32 * 64 + 64],
      ['max_pooling2d', 'MaxPooling2D', 0],
      ['dropout', 'Dropout', 0],
      ['flatten', 'Flatten', 0],
      ['dense', 'Dense', 9216 * 128 + 128],
      ['logits', 'Dense', 128 * 10 + 10]
    ]);
    expect(description.layers[1].outputShape).toEqual([null, 24, 24, 64]);
  });

  it('summarizes the bundled digits', async () => {
    const description = await core.describeDataset({
      url: fileUrl('assets/datasets/mnist/mnist.json')
    });
    expect(description).toMatchObject({
      name: 'mnist',
      count: 10000,
      imageShape: [28, 28, 1]
    });
    expect(description.splits).toEqual({
      all: [0, 10000],
      train: [0, 8000],
      test: [8000, 10000]
    });
    expect(description.labelCounts).toEqual([
      1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978
    ]);
  });

  it('runs a job: running, frames with progress and ETA, then a summary', async () => {
    const { events, listener } = recorder();
    core.submit(channelJob(5), listener);
    await waitFor(events, 'done');
    const types = events.map(e => e.type);
    expect(types[0]).toBe('queued');
    expect(types).toContain('running');
    const frames = events.filter(
      (e): e is Extract<JobEvent, { type: 'frame' }> => e.type === 'frame'
    );
    expect(frames.map(f => f.frame.step)).toEqual([0, 2, 4, 6]);
    expect(frames[3].progress).toBe(1);
    expect(frames[2].etaMs).not.toBeNull();
    // A conv channel of the bundled model is shown on its 5×5 receptive field.
    expect(frames[3].frame.rgba.length).toBe(5 * 5 * 4);
    const done = events[events.length - 1] as Extract<
      JobEvent,
      { type: 'done' }
    >;
    expect(done.summary).toMatchObject({
      kind: 'gradient-ascent',
      backend: 'wasm',
      steps: 6,
      seed: 0,
      value: frames[3].frame.value
    });
    expect(done.summary.elapsedMs).toBeGreaterThan(0);
    // Frames are this kind's result: `done` carries none.
    expect(done.result).toBeUndefined();
  });

  it('runs jobs one at a time in order, cancels queued and running ones', async () => {
    const order: number[] = [];
    const runs = [0, 1, 2, 3].map(i => {
      const r = recorder();
      const id = core.submit(channelJob(i, 40), e => {
        r.listener(e);
        if (e.type === 'running') {
          order.push(i);
        }
      });
      return { ...r, id };
    });
    core.cancel(runs[2].id);
    await waitFor(runs[0].events, 'frame');
    core.cancel(runs[0].id);
    await waitFor(runs[3].events, 'done');
    expect(order).toEqual([0, 1, 3]);
    expect(runs[0].events[runs[0].events.length - 1].type).toBe('cancelled');
    expect(runs[2].events.map(e => e.type)).toEqual(
      expect.arrayContaining(['queued', 'cancelled'])
    );
    expect(runs[2].events.map(e => e.type)).not.toContain('running');
    // Cancelled within a step: far fewer frames than the 40 steps.
    const cancelledFrames = runs[0].events.filter(
      e => e.type === 'frame'
    ).length;
    expect(cancelledFrames).toBeLessThan(10);
  });

  it('reports a failed job with a typed error naming the real layers', async () => {
    const { events, listener } = recorder();
    core.submit(
      {
        ...channelJob(1),
        objective: { type: 'channel', layer: 'conv2d_2', channel: 1 }
      } as JobRequest,
      listener
    );
    await waitFor(events, 'failed');
    const failed = events.find(e => e.type === 'failed') as Extract<
      JobEvent,
      { type: 'failed' }
    >;
    expect(failed.error.name).toBe('UnknownLayerError');
    expect(failed.error.message).toMatch(
      /no layer "conv2d_2". Did you mean "conv2d_1"\?.*conv2d, conv2d_1, max_pooling2d/
    );
  });

  it('refuses a job over its caps before its first step, with the estimate', async () => {
    const { events, listener } = recorder();
    core.submit(
      {
        kind: 'layer-atlas',
        model: MODEL,
        layer: 'conv2d',
        optimization: { steps: 100000, size: [1024, 1024] },
        limits: { maxBytes: 1024e6, maxMs: 600000 }
      },
      listener
    );
    await waitFor(events, 'failed');
    expect(events.map(e => e.type)).toEqual(['queued', 'failed']);
    const failed = events[1] as Extract<JobEvent, { type: 'failed' }>;
    expect(failed.error.name).toBe('JobTooLargeError');
    expect(failed.error.message).toMatch(
      /^This job would need about [\d.]+ GB of memory \(32 images of 1024×1024×1 and the activations of 1 layer\), over the 1024 MB limit/
    );
    const slow = recorder();
    core.submit(
      { ...channelJob(1, 100000), limits: { maxMs: 1000 } },
      slow.listener
    );
    await waitFor(slow.events, 'failed');
    expect(
      (slow.events[1] as Extract<JobEvent, { type: 'failed' }>).error.message
    ).toMatch(
      /on this backend \(100000 steps of 1 image of 28×28×1, .*over the 1 second limit/
    );
  });

  it('falls back to the CPU when the backend lacks a kernel, and says so', async () => {
    const kernel = tf.getKernel('FusedConv2D', 'wasm');
    tf.unregisterKernel('FusedConv2D', 'wasm');
    try {
      const { events, listener } = recorder();
      core.submit(channelJob(3, 4), listener);
      await waitFor(events, 'done');
      const fallback = events.find(e => e.type === 'fallback') as Extract<
        JobEvent,
        { type: 'fallback' }
      >;
      expect(fallback).toMatchObject({ from: 'wasm', to: 'cpu' });
      expect(fallback.reason).toMatch(/FusedConv2D/);
      const done = events.find(e => e.type === 'done') as Extract<
        JobEvent,
        { type: 'done' }
      >;
      expect(done.summary.backend).toBe('cpu');
      expect(done.summary.fallback?.from).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
    } finally {
      tf.registerKernel(kernel as tf.KernelConfig);
    }
  });

  it('returns to its tensor baseline after jobs, with the model cached', async () => {
    const { events, listener } = recorder();
    core.submit(channelJob(2, 2), listener);
    await waitFor(events, 'done');
    const baseline = core.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const r = recorder();
      core.submit(channelJob(i, 3), r.listener);
      await waitFor(r.events, 'done');
    }
    expect(core.memory().numTensors).toBe(baseline);
  });
});

describe('EngineClient', () => {
  it('runs through a worker-style Comlink channel, frames transferred', async () => {
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(
      createWorkerApi({ fetch: fileFetch(), candidates: ['wasm', 'cpu'] }),
      port1 as unknown as Comlink.Endpoint
    );
    const client = await EngineClient.remote(
      port2 as unknown as Comlink.Endpoint,
      { wasmPaths: WASM_PATH }
    );
    const status = await client.status();
    expect(status.worker).toBe(true);
    expect(status.backend).toBe('wasm');
    const frames: number[] = [];
    const summary = await client.run(channelJob(4, 4), {
      onEvent: e => {
        if (e.type === 'frame') {
          frames.push(e.frame.rgba.length);
        }
      }
    });
    expect(summary).toMatchObject({ kind: 'gradient-ascent', steps: 4 });
    expect(frames).toEqual([100, 100, 100]);
    await expect(
      client.describeModel({ url: fileUrl('assets/models/none/model.json') })
    ).rejects.toThrow(/answered 404/);

    const controller = new AbortController();
    const cancelled = client.run(channelJob(1, 200), {
      signal: controller.signal,
      onEvent: e => {
        if (e.type === 'frame' && e.frame.step >= 2) {
          controller.abort();
        }
      }
    });
    await expect(cancelled).rejects.toThrow(CancelledError);
    await expect(
      client.run({
        ...channelJob(1),
        objective: { type: 'channel', layer: 'nope', channel: 0 }
      } as JobRequest)
    ).rejects.toMatchObject({
      name: 'UnknownLayerError'
    });
    port1.close();
    port2.close();
  });
});

function waitFor(events: JobEvent[], type: JobEvent['type']): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (events.some(e => e.type === type)) {
        resolve();
      } else if (Date.now() - started > 60000) {
        reject(
          new Error(`no ${type} event: ${events.map(e => e.type).join(', ')}`)
        );
      } else {
        setTimeout(check, 5);
      }
    };
    check();
  });
}
