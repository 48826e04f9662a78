/** Errors as they cross to the page: no tokens, no query strings, never empty. */
import { ModelLoadError } from '../../errors';
import { scrubMessage, serializeError } from '../protocol';

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
