/**
 * The API the engine's worker exposes: init, then the core's methods. Frames
 * and results are transferred (their buffers move to the page), never copied.
 */
import * as Comlink from 'comlink';
import type { IWorkerApi } from './client';
import { EngineCore, type IEngineCoreOptions, type JobListener } from './core';
import { transferables } from './protocol';

export function createWorkerApi(
  extra: Pick<IEngineCoreOptions, 'fetch' | 'candidates' | 'pool'> = {}
): IWorkerApi {
  let core: EngineCore | null = null;
  const ready = (): EngineCore => {
    if (!core) {
      throw new Error('The engine worker was not initialized.');
    }
    return core;
  };
  return {
    async init(options) {
      core = new EngineCore({ ...options, ...extra, worker: true });
    },
    start: () => ready().start(),
    status: () => ready().status(),
    setBackendChoice: choice => ready().setBackendChoice(choice),
    describeModel: request => ready().describeModel(request),
    describeDataset: request => ready().describeDataset(request),
    examplePixels: async request => {
      const examples = await ready().examplePixels(request);
      return Comlink.transfer(examples, [examples.pixels.buffer]);
    },
    submit: (request, listener: JobListener) =>
      ready().submit(request, event => {
        const buffers = transferables(event);
        const sent = Promise.resolve(
          listener(buffers.length ? Comlink.transfer(event, buffers) : event)
        );
        if (
          event.type === 'done' ||
          event.type === 'failed' ||
          event.type === 'cancelled' ||
          event.type === 'interrupted'
        ) {
          // The listener is a proxy holding a MessageChannel open: free it.
          const remote = listener as unknown as Partial<
            Comlink.Remote<JobListener>
          >;
          void sent.finally(() => remote[Comlink.releaseProxy]?.());
        }
      }),
    cancel: id => ready().cancel(id),
    onFault: listener => ready().onFault(listener),
    testFault: fault => ready().testFault(fault),
    putArrays: (key, arrays) => ready().putArrays(key, arrays),
    hasArrays: key => ready().hasArrays(key)
  };
}
