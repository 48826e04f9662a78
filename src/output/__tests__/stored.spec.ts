import { MIME_TYPE, SPEC_VERSION, SUMMARY_MIME_TYPE } from '../../spec';
import {
  jobSummary,
  topExamplesResult,
  topExamplesSummary
} from '../../views/testing/fixtures';
import {
  readBase64,
  readStored,
  readSummary,
  storedSummary,
  writeStored
} from '../stored';

// "\x89PNG\r\n\x1a\n" and "GIF89a", in base64.
const PNG = 'iVBORw0KGgo=';
const GIF = 'R0lGODlh';

/** As the notebook keeps it: JSON (NaN becomes null). */
const roundTrip = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value));

describe('stored summary', () => {
  const savedAt = new Date('2025-01-02T03:04:05.000Z');

  it('is the job summary with its version, spec hash and time', () => {
    const summary = storedSummary(
      jobSummary({ fallback: { from: 'webgl', reason: 'no kernel for Erf' } }),
      'abcdef0123456789',
      savedAt
    );
    expect(summary).toEqual({
      version: SPEC_VERSION,
      specHash: 'abcdef0123456789',
      kind: 'gradient-ascent',
      backend: 'wasm',
      steps: 8,
      seed: 0,
      value: 0.8,
      perImage: [0.8],
      elapsedMs: 1234,
      firstFrameMs: 57,
      fallback: { from: 'webgl', reason: 'no kernel for Erf' },
      savedAt: '2025-01-02T03:04:05.000Z'
    });
    expect(readSummary(roundTrip(summary))).toEqual(summary);
  });

  it("reads a top-examples summary's histogram back, and drops a malformed one", () => {
    const histogram = {
      count: 4,
      min: 0,
      max: 2,
      counts: [3, 1],
      mean: 0.5,
      zeros: 3,
      threshold: 2
    };
    const base = topExamplesSummary(topExamplesResult());
    const summary = storedSummary({ ...base, histogram }, 'h', savedAt);
    const read = readSummary(roundTrip(summary));
    expect(read?.kind === 'top-examples' && read.histogram).toEqual(histogram);
    const bad = storedSummary(
      { ...base, histogram: { ...histogram, counts: 'many' } as never },
      'h',
      savedAt
    );
    const readBad = readSummary(roundTrip(bad));
    expect(readBad?.kind).toBe('top-examples');
    expect(readBad).not.toHaveProperty('histogram');
  });

  it('reads a NaN objective back from its JSON null', () => {
    const summary = storedSummary(
      jobSummary({ value: NaN, perImage: [NaN, 2] }),
      'h',
      savedAt
    );
    const read = readSummary(roundTrip(summary));
    expect(read?.kind).toBe('gradient-ascent');
    if (read?.kind !== 'gradient-ascent') {
      throw new Error('not an ascent summary');
    }
    expect(read.value).toBeNaN();
    expect(read.perImage).toEqual([NaN, 2]);
    expect(read).not.toHaveProperty('fallback');
  });

  it("reads older notebooks, whose fallback is the backend's name", () => {
    const old = {
      version: 1,
      specHash: 'h',
      backend: 'cpu',
      steps: 8,
      seed: 3,
      value: 1,
      perImage: [1],
      elapsedMs: 10,
      firstFrameMs: 2,
      fallback: 'wasm',
      savedAt: '2024-12-01T00:00:00.000Z'
    };
    // Before jobs had kinds, every summary was gradient ascent's.
    expect(readSummary(old)).toMatchObject({
      kind: 'gradient-ascent',
      steps: 8,
      fallback: { from: 'wasm', reason: '' }
    });
    expect(readSummary({ ...old, fallback: 'tpu' })).not.toHaveProperty(
      'fallback'
    );
  });

  it.each([
    ['not an object', 'summary'],
    ['an array', []],
    ['null', null],
    ['no spec hash', { specHash: undefined }],
    ['an unknown backend', { backend: 'tpu' }],
    ['steps as text', { steps: '8' }],
    ['no perImage', { perImage: undefined }],
    ['no savedAt', { savedAt: 5 }],
    ['an unknown kind', { kind: 'telepathy' }],
    ['a kind from Object.prototype', { kind: 'toString' }]
  ])('refuses a summary with %s', (_, change) => {
    const good = roundTrip(storedSummary(jobSummary(), 'h', savedAt)) as object;
    const bad =
      change && typeof change === 'object' && !Array.isArray(change)
        ? { ...good, ...change }
        : change;
    expect(readSummary(bad)).toBeNull();
  });
});

describe('stored images', () => {
  it('accepts base64 of the right format only, without whitespace', () => {
    expect(
      readBase64(`${PNG.slice(0, 4)}\n${PNG.slice(4)}\n`, 'iVBORw0KGgo')
    ).toBe(PNG);
    expect(readBase64(GIF, 'iVBORw0KGgo')).toBeNull();
    expect(readBase64('iVBORw0KGgo="><script>', 'iVBORw0KGgo')).toBeNull();
    expect(readBase64('iVBORw0KGgo', 'iVBORw0KGgo')).toBeNull();
    expect(readBase64(42, 'iVBORw0KGgo')).toBeNull();
  });
});

describe('the MIME bundle', () => {
  const spec = { view: 'gradient-ascent' };

  it('writes the PNG, the summary and a GIF beside the spec', () => {
    const summary = storedSummary(jobSummary(), 'h');
    const data = writeStored(
      { [MIME_TYPE]: spec },
      { png: PNG, summary, gif: GIF }
    );
    expect(data).toEqual({
      [MIME_TYPE]: spec,
      'image/png': PNG,
      [SUMMARY_MIME_TYPE]: summary,
      'image/gif': GIF
    });
    expect(readStored(data)).toEqual({ png: PNG, summary, gif: GIF });
  });

  it('drops an old GIF when frames are no longer kept', () => {
    const summary = storedSummary(jobSummary(), 'h');
    const data = writeStored(
      { [MIME_TYPE]: spec, 'image/gif': GIF },
      { png: PNG, summary }
    );
    expect(data).not.toHaveProperty(['image/gif']);
    expect(readStored(data).gif).toBeNull();
  });

  it('reads nothing it cannot check', () => {
    expect(
      readStored({ 'image/png': 'javascript:alert(1)', 'image/gif': PNG })
    ).toEqual({ png: null, summary: null, gif: null });
  });
});
