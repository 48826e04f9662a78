/** The outputs' worker gives validateSpec's answers, and the work falls back here. */
import * as Comlink from 'comlink';
import { MessageChannel, type MessagePort } from 'worker_threads';
import { SpecError } from '../../spec';
import { outputWorkerApi } from '../output-worker';
import { blobBase64 } from '../../views/save';
import { installCanvas } from '../../views/testing/fixtures';
import { outputWorker } from '../worker-client';

installCanvas();

const GOOD = {
  version: 1,
  view: 'gradient-ascent',
  model: { builtin: 'mnist-cnn' },
  objective: { type: 'channel', layer: 'conv2d_1', channel: 5 }
};
const BAD = { ...GOOD, objective: { ...GOOD.objective, channel: -1 } };

describe('outputWorker', () => {
  const ports: MessagePort[] = [];
  afterAll(() => ports.forEach(p => p.close()));

  /** A "worker" on a message port, running the worker's own code. */
  function worker(): Comlink.Endpoint {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    Comlink.expose(outputWorkerApi, port2 as unknown as Comlink.Endpoint);
    return port1 as unknown as Comlink.Endpoint;
  }

  it('answers as validateSpec does, across the worker boundary', async () => {
    const start = jest.fn(worker);
    const { validate } = outputWorker(start);
    await expect(validate(GOOD)).resolves.toEqual({ ok: true, spec: GOOD });
    const bad = await validate(BAD);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error).toBeInstanceOf(SpecError);
      expect([bad.error.field, bad.error.problem]).toEqual([
        'objective.channel',
        'must be >= 0'
      ]);
    }
    // One worker for every output.
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('validates and draws figures here where no worker can start', async () => {
    const { validate, encodeFigure } = outputWorker(() => {
      throw new DOMException('opaque origin', 'SecurityError');
    });
    await expect(validate(GOOD)).resolves.toEqual({ ok: true, spec: GOOD });
    expect((await validate(BAD)).ok).toBe(false);
    const blob = await encodeFigure(
      {
        images: [
          { width: 1, height: 1, data: Uint8ClampedArray.of(9, 9, 9, 255) }
        ],
        columns: 1,
        displayScale: 1,
        displayGap: 0
      },
      { background: '#ffffff', text: '#000000', muted: '#444', font: 'serif' }
    );
    // The fake canvas's "PNG": signature, 224×224, then the pixels.
    const bytes = Uint8Array.from(atob(await blobBase64(blob)), c =>
      c.charCodeAt(0)
    );
    expect([...bytes.subarray(8, 16)]).toEqual([0, 224, 0, 224, 9, 9, 9, 255]);
  });

  it('validates here once the worker has failed, calls in flight too', async () => {
    const target = new EventTarget();
    const endpoint = Object.assign(target, {
      // A worker that never answers, then fails.
      postMessage: () => undefined,
      terminate: jest.fn()
    }) as unknown as Comlink.Endpoint & { terminate: jest.Mock };
    const { validate } = outputWorker(() => endpoint);
    const pending = validate(GOOD);
    target.dispatchEvent(new Event('error'));
    await expect(pending).resolves.toEqual({ ok: true, spec: GOOD });
    expect(endpoint.terminate).toHaveBeenCalled();
    await expect(validate(BAD)).resolves.toMatchObject({ ok: false });
  });
});
