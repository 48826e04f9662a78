/**
 * The protocol: what the worker transfers instead of copying, for every kind
 * of event; errors as they cross to the page (no tokens, no query strings,
 * never empty).
 */
import { ModelLoadError } from '../../errors';
import { ProgressClock } from '../progress';
import {
  scrubMessage,
  serializeError,
  transferables,
  type JobEvent
} from '../protocol';

describe('transferables', () => {
  it("lists a frame's pixel and value buffers", () => {
    const rgba = new Uint8ClampedArray(16);
    const perImage = new Float32Array(1);
    const event: JobEvent = {
      type: 'frame',
      frame: {
        step: 1,
        steps: 2,
        value: 0,
        perImage,
        batch: 1,
        height: 2,
        width: 2,
        rgba,
        elapsedMs: 1
      },
      progress: 0.5,
      etaMs: null
    };
    expect(transferables(event)).toEqual([rgba.buffer, perImage.buffer]);
  });

  it("lists a result's buffers once each, however deep, and nothing else", () => {
    const shared = new Int32Array(4);
    const values = new Float32Array(2);
    const result = {
      kind: 'top-examples',
      top: { indices: shared, values, nested: { again: shared } },
      list: [new Uint8Array(3)],
      label: 'text'
    };
    const event = {
      type: 'done',
      summary: { kind: 'gradient-ascent' },
      result
    } as unknown as JobEvent;
    const buffers = transferables(event);
    expect(buffers).toHaveLength(3);
    expect(buffers).toContain(shared.buffer);
    expect(buffers).toContain(values.buffer);
    expect(buffers).toContain(result.list[0].buffer);
    expect(transferables({ type: 'cancelled' })).toEqual([]);
  });
});

describe('ProgressClock', () => {
  it('estimates the time left from the pace after the first batch', () => {
    let now = 0;
    const clock = new ProgressClock(1000, 'images', () => now);
    now = 5000; // the first batch of 100 paid 5 s of warm-up
    expect(clock.tick(100)).toEqual({
      type: 'progress',
      done: 100,
      total: 1000,
      unit: 'images',
      etaMs: null
    });
    now = 6000; // then 100 images per second
    expect(clock.tick(200).etaMs).toBe(8000);
    now = 7000;
    expect(clock.tick(300).etaMs).toBe(7000);
    now = 14000;
    expect(clock.tick(1000).etaMs).toBe(0);
    expect(clock.elapsedMs).toBe(14000);
  });
});

describe('serializeError', () => {
  it("removes a download URL's query and token, keeping the sentence", () => {
    const error = new ModelLoadError(
      'http://127.0.0.1:8888/files/etc/passwd?_xsrf=2%7C9f8e7d6c%7Cabc123%7C1700000000',
      404,
      'the server answered 404 Not Found'
    );
    expect(serializeError(error)).toEqual({
      name: 'ModelLoadError',
      message:
        "Could not load http://127.0.0.1:8888/files/etc/passwd: the server answered 404 Not Found. Check that the path is right (relative paths start at the notebook's folder)."
    });
  });

  it.each([
    [
      'Refused /api/contents/secret.txt?content=1.',
      'Refused /api/contents/secret.txt.'
    ],
    [
      'at ../../api/contents/secret.txt?content=1#top, then',
      'at ../../api/contents/secret.txt, then'
    ],
    [
      'fetch(https://h.example/m.json?token=abcdef&x=1) failed',
      'fetch(https://h.example/m.json) failed'
    ],
    [
      'login with token=abcdef and _xsrf=123',
      'login with token=(removed) and _xsrf=(removed)'
    ],
    ['What? Nothing to see here?', 'What? Nothing to see here?'],
    ['Layer "conv2d/kernel" is fine', 'Layer "conv2d/kernel" is fine']
  ])('scrubs %j', (text, expected) => {
    expect(scrubMessage(text)).toBe(expected);
  });

  it('never gives an empty message', () => {
    expect(serializeError(new RangeError(''))).toEqual({
      name: 'RangeError',
      message:
        'RangeError, without a message from the browser or TensorFlow.js.'
    });
    expect(
      serializeError({ message: 'Array buffer allocation failed' })
    ).toEqual({
      name: 'Error',
      message: 'Array buffer allocation failed'
    });
    expect(serializeError('out of memory')).toEqual({
      name: 'Error',
      message: 'out of memory'
    });
  });
});
