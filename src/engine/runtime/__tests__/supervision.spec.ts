/**
 * The client's supervision with real engine cores (WASM and CPU in Node):
 * each test wraps a real core in a connection that behaves as a faulty
 * engine does at the boundary the page sees (events that stop coming, a
 * cancel that is never answered, a lost-context fault), and checks that the
 * job ends with its reason, the engine is replaced, the queue goes on and
 * memory returns to its baseline.
 */
import {
  CancelledError,
  InterruptedError,
  JobTimeoutError
} from '../../errors';
import { fileFetch, fileUrl } from '../../testing/files';
import type { BackendName } from '../capabilities';
import { EngineClient } from '../client';
import type { ICoreApi, ICoreConnection, IRestart } from '../connection';
import { localConnection } from '../connection';
import { EngineCore, type JobListener } from '../core';
import type { IEngineFault, JobEvent, JobRequest } from '../protocol';
import { WASM_PATH } from '../../testing/backends';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };
const WATCHDOG = { firstMs: 20000, minMs: 1500, maxMs: 20000, factor: 10 };

const job = (channel: number, steps: number): JobRequest => ({
  kind: 'gradient-ascent',
  model: MODEL,
  objective: { type: 'channel', layer: 'conv2d_1', channel },
  optimization: { steps, frameEvery: 1, preset: 'plain' }
});

/** How a wrapped core misbehaves. */
interface IFaulty {
  /** Events stop reaching the page after this many frames (of any job). */
  silentAfterFrames?: number;
  /** The core never hears a cancel. */
  deafToCancel?: boolean;
  /**
   * A job's id reaches the page only after its `running` event (the order
   * the worker's messages may take); `cancels` records the ids cancelled.
   */
  lateId?: { cancels: string[] };
}

/** A real core whose boundary with the page misbehaves as `faulty` says. */
function faultyConnection(
  restart: IRestart | null,
  faulty: IFaulty,
  made: { core: EngineCore; fault: (f: IEngineFault) => void }[]
): ICoreConnection {
  const core = new EngineCore({
    candidates: ['wasm', 'cpu'],
    wasmPaths: WASM_PATH,
    fetch: fileFetch(),
    cachedProbes: restart?.probes ? [...restart.probes] : undefined,
    lost: restart?.lost ?? []
  });
  const faultListeners: ((f: IEngineFault) => void)[] = [];
  // Frames counted over every job: a hung engine says nothing more about
  // any job (counted per job, a fast machine finished the hung job silently
  // and started the queued one, which the replacement then failed too).
  let frames = 0;
  made.push({ core, fault: f => faultListeners.forEach(l => l(f)) });
  const api: ICoreApi = {
    start: () => core.start(),
    status: () => core.status(),
    setBackendChoice: c => core.setBackendChoice(c),
    describeModel: r => core.describeModel(r),
    describeDataset: r => core.describeDataset(r),
    examplePixels: r => core.examplePixels(r),
    putArrays: (k, a) => core.putArrays(k, a),
    hasArrays: k => core.hasArrays(k),
    testFault: f => core.testFault(f),
    onFault: l => {
      faultListeners.push(l);
      core.onFault(l);
    },
    cancel: id => {
      faulty.lateId?.cancels.push(id);
      return faulty.deafToCancel ? undefined : core.cancel(id);
    },
    submit: (request, listener: JobListener) => {
      let ran = () => {};
      const running = new Promise<void>(resolve => (ran = resolve));
      const id = core.submit(request, event => {
        if (event.type === 'running') {
          ran();
        }
        if (event.type === 'frame') {
          frames++;
        }
        if (
          faulty.silentAfterFrames === undefined ||
          frames <= faulty.silentAfterFrames
        ) {
          listener(event);
        }
      });
      return faulty.lateId ? running.then(() => id) : id;
    }
  };
  return { ...localConnection(core), core: api };
}

function recorder() {
  const events: JobEvent[] = [];
  return { events, onEvent: (e: JobEvent) => events.push(e) };
}

describe('EngineClient supervision', () => {
  it('fails a job whose steps stop answering within its deadline, replaces the engine, and runs the queue', async () => {
    const made: { core: EngineCore; fault: (f: IEngineFault) => void }[] = [];
    let faulty: IFaulty = { silentAfterFrames: 3 };
    const client = await EngineClient.supervised(
      async restart => faultyConnection(restart, faulty, made),
      WATCHDOG
    );
    await client.status();
    faulty = {};
    const hung = recorder();
    const next = recorder();
    const started = performance.now();
    const first = client.run(job(1, 400), { onEvent: hung.onEvent });
    const second = client.run(job(2, 4), { onEvent: next.onEvent });
    await expect(first).rejects.toThrow(JobTimeoutError);
    const failedAfter = performance.now() - started;
    await expect(first).rejects.toThrow(
      /The job stopped answering: a step took over \d+\.\d s .*The engine was restarted/
    );
    const summary = await second;
    expect(summary.kind).toBe('gradient-ascent');
    expect(next.events.some(e => e.type === 'done')).toBe(true);
    expect(hung.events.at(-1)?.type).toBe('failed');
    // A deadline of at most 10 × the longest gap (bounded), plus loading.
    expect(failedAfter).toBeLessThan(WATCHDOG.maxMs + 5000);
    const status = await client.status();
    expect(made).toHaveLength(2);
    expect(status.restarts).toBe(1);
    // Cores of one Node thread share tfjs (in the page each worker has its
    // own): jobs on the replacement leave no tensors behind.
    await client.run(job(6, 3));
    expect((await client.status()).memory?.numTensors).toBe(
      status.memory?.numTensors
    );
    made.forEach(m => m.core.cancelAll());
  }, 60000);

  it('ends a cancelled job within a second even when the engine never hears the cancel', async () => {
    const made: { core: EngineCore; fault: (f: IEngineFault) => void }[] = [];
    const client = await EngineClient.supervised(
      async restart => faultyConnection(restart, { deafToCancel: true }, made),
      WATCHDOG
    );
    await client.status();
    const abort = new AbortController();
    const events = recorder();
    let cancelledAt = 0;
    const run = client.run(job(3, 2000), {
      signal: abort.signal,
      onEvent: e => {
        events.onEvent(e);
        if (e.type === 'frame' && e.frame.step === 2) {
          cancelledAt = performance.now();
          abort.abort();
        }
      }
    });
    await expect(run).rejects.toThrow(CancelledError);
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    expect(events.events.at(-1)?.type).toBe('cancelled');
    made.forEach(m => m.core.cancelAll());
  }, 60000);

  it('remembers a Cancel that comes before the job has its id, and cancels it in the engine', async () => {
    const made: { core: EngineCore; fault: (f: IEngineFault) => void }[] = [];
    const cancels: string[] = [];
    const client = await EngineClient.supervised(
      async restart => faultyConnection(restart, { lateId: { cancels } }, made),
      WATCHDOG
    );
    // The model loaded and cached first: the baseline holds its weights.
    await client.run(job(6, 2));
    const before = await client.status();
    const abort = new AbortController();
    const events = recorder();
    const run = client.run(job(5, 2000), {
      signal: abort.signal,
      onEvent: e => {
        events.onEvent(e);
        if (e.type === 'running') {
          // Shown as running; the page has no id for it yet.
          expect(cancels).toEqual([]);
          abort.abort();
        }
      }
    });
    await expect(run).rejects.toThrow(CancelledError);
    // The engine was told, once the id came, and let go of the job: a job
    // after it runs, and nothing is left queued, running or allocated.
    expect(cancels).toHaveLength(1);
    expect(events.events.at(-1)?.type).toBe('cancelled');
    await client.run(job(6, 2));
    // The core says `done` before its job loop lets go of that job.
    let after = await client.status();
    for (let i = 0; i < 100 && after.running; i++) {
      await new Promise(resolve => setTimeout(resolve, 10));
      after = await client.status();
    }
    expect([after.queued, after.running, after.restarts]).toEqual([
      0,
      false,
      0
    ]);
    expect(after.memory?.numTensors).toBe(before.memory?.numTensors);
    made.forEach(m => m.core.cancelAll());
  }, 60000);

  it('interrupts the running job on a lost context, drops that backend, and runs the queue and a re-run on the next', async () => {
    const made: { core: EngineCore; fault: (f: IEngineFault) => void }[] = [];
    const client = await EngineClient.supervised(
      async restart => faultyConnection(restart, {}, made),
      WATCHDOG
    );
    const first = await client.status();
    const lostBackend = first.backend as BackendName;
    const running = recorder();
    const queued = recorder();
    const interrupted = client.run(job(4, 400), {
      onEvent: e => {
        running.onEvent(e);
        if (e.type === 'frame' && e.frame.step === 5) {
          made[0].fault({
            type: 'context-lost',
            backend: lostBackend,
            reason: 'the context was lost (injected)'
          });
        }
      }
    });
    const waiting = client.run(job(5, 3), { onEvent: queued.onEvent });
    await expect(interrupted).rejects.toThrow(InterruptedError);
    const last = running.events.at(-1);
    expect(last).toEqual({
      type: 'interrupted',
      backend: lostBackend,
      reason: expect.stringMatching(
        new RegExp(
          `the context was lost \\(injected\\)\\. Feature Viz stopped using ${lostBackend.toUpperCase()}; Re-run computes this on the next backend`
        )
      )
    });
    const queuedSummary = await waiting;
    expect(queuedSummary.backend).not.toBe(lostBackend);
    const rerun = await client.run(job(4, 3));
    expect(rerun.backend).toBe(queuedSummary.backend);
    const status = await client.status();
    expect(status.lost).toEqual([
      { backend: lostBackend, reason: 'the context was lost (injected)' }
    ]);
    expect(status.backend).not.toBe(lostBackend);
    expect(status.available).not.toContain(lostBackend);
    made.forEach(m => m.core.cancelAll());
  }, 60000);
});
