import { StepWatchdog, WATCHDOG_DEFAULTS, stepDeadline } from '../watchdog';

describe('stepDeadline', () => {
  const options = { firstMs: 60000, minMs: 1000, maxMs: 30000, factor: 10 };

  it('gives the first step the first deadline', () => {
    expect(stepDeadline(null, options)).toBe(60000);
    expect(stepDeadline(null)).toBe(WATCHDOG_DEFAULTS.firstMs);
  });

  it('is factor × the longest gap, within its bounds', () => {
    expect(stepDeadline(500, options)).toBe(5000);
    expect(stepDeadline(20, options)).toBe(1000);
    expect(stepDeadline(9000, options)).toBe(30000);
  });
});

describe('StepWatchdog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const options = { firstMs: 5000, minMs: 300, maxMs: 3000, factor: 4 };

  it('misses once when no event comes within the deadline measured from the gaps', () => {
    let now = 0;
    const misses: unknown[] = [];
    const dog = new StepWatchdog(
      m => misses.push(m),
      options,
      () => now
    );
    dog.start();
    // Gaps of 50, 200 and 120 ms (each within its deadline, at least 300):
    // the longest is 200, so the next deadline is 4 × 200 = 800.
    for (const gap of [50, 200, 120]) {
      now += gap;
      jest.advanceTimersByTime(gap);
      dog.beat();
    }
    expect(dog.deadlineMs).toBe(800);
    jest.advanceTimersByTime(799);
    expect(misses).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(misses).toEqual([{ deadlineMs: 800, longestGapMs: 200, beats: 3 }]);
    jest.advanceTimersByTime(10000);
    dog.beat();
    jest.advanceTimersByTime(10000);
    expect(misses).toHaveLength(1);
  });

  it('gives the first event its own deadline, and none after stop', () => {
    const misses: unknown[] = [];
    const dog = new StepWatchdog(
      m => misses.push(m),
      options,
      () => 0
    );
    dog.start();
    jest.advanceTimersByTime(4999);
    expect(misses).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(misses).toEqual([
      { deadlineMs: 5000, longestGapMs: null, beats: 0 }
    ]);
    const quiet = new StepWatchdog(
      m => misses.push(m),
      options,
      () => 0
    );
    quiet.start();
    quiet.stop();
    jest.advanceTimersByTime(60000);
    expect(misses).toHaveLength(1);
  });
});
