/** Which outputs just came from a kernel: each display claimed once, notes expire. */
import '../testing/jsdom';
import { specHash } from '../../spec/hash';
import { FreshOutputs } from '../fresh';

const SPEC = { version: 1, view: 'gradient-ascent', title: 'a' };

describe('FreshOutputs', () => {
  it('lets each display be claimed once, by the hash of its spec', () => {
    const fresh = new FreshOutputs();
    // Key order does not matter: the renderer hashes the model's copy.
    fresh.note({ title: 'a', view: 'gradient-ascent', version: 1 });
    fresh.note(SPEC);
    expect(fresh.claim(specHash({ ...SPEC, title: 'b' }))).toBe(false);
    expect(fresh.claim(specHash(SPEC))).toBe(true);
    expect(fresh.claim(specHash(SPEC))).toBe(true);
    expect(fresh.claim(specHash(SPEC))).toBe(false);
  });

  it('forgets a note no output claimed within ten minutes', () => {
    let now = 0;
    const fresh = new FreshOutputs(() => now);
    fresh.note(SPEC);
    now = 10 * 60 * 1000 + 1;
    expect(fresh.claim(specHash(SPEC))).toBe(false);
  });

  it('keeps at most a thousand unclaimed notes', () => {
    const fresh = new FreshOutputs(() => 0);
    for (let i = 0; i < 1001; i++) {
      fresh.note({ ...SPEC, title: String(i) });
    }
    expect(fresh.claim(specHash({ ...SPEC, title: '0' }))).toBe(false);
    expect(fresh.claim(specHash({ ...SPEC, title: '1000' }))).toBe(true);
  });
});
