import { Scheduler } from '../scheduler';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>(r => (resolve = r));
  return { promise, resolve };
}

describe('Scheduler', () => {
  it('runs one job at a time, first in first out, reporting queue positions', async () => {
    const scheduler = new Scheduler();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const jobs = gates.map((gate, i) =>
      scheduler.enqueue(
        async () => {
          log.push(`start ${i}`);
          await gate.promise;
          log.push(`end ${i}`);
        },
        { onQueued: p => log.push(`queued ${i} at ${p}`) }
      )
    );
    await Promise.resolve();
    expect(scheduler.running).toBe(true);
    expect(scheduler.queued).toBe(2);
    gates[1].resolve();
    gates[0].resolve();
    gates[2].resolve();
    expect(await Promise.all(jobs.map(j => j.done))).toEqual([
      'done',
      'done',
      'done'
    ]);
    expect(log.filter(l => !l.startsWith('queued'))).toEqual([
      'start 0',
      'end 0',
      'start 1',
      'end 1',
      'start 2',
      'end 2'
    ]);
    expect(log).toContain('queued 2 at 1');
    expect(log).toContain('queued 2 at 0');
  });

  it('cancels a queued job without running it, and a running one through its signal', async () => {
    const scheduler = new Scheduler();
    const ran: number[] = [];
    let sawAbort = false;
    const first = scheduler.enqueue(
      signal =>
        new Promise<void>((resolve, reject) => {
          ran.push(0);
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new Error('aborted'));
          });
        })
    );
    const second = scheduler.enqueue(async () => {
      ran.push(1);
    });
    second.cancel();
    expect(await second.done).toBe('cancelled');
    await Promise.resolve();
    first.cancel();
    expect(await first.done).toBe('cancelled');
    expect(sawAbort).toBe(true);
    expect(ran).toEqual([0]);
    expect(scheduler.running).toBe(false);
  });

  it('marks a throwing job failed and goes on with the next', async () => {
    const scheduler = new Scheduler();
    const bad = scheduler.enqueue(async () => {
      throw new Error('boom');
    });
    const good = scheduler.enqueue(async () => undefined);
    expect(await bad.done).toBe('failed');
    expect(await good.done).toBe('done');
  });
});
