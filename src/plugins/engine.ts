/**
 * The engine plugin: starts the page's one engine in a Web Worker (or on the
 * main thread where a worker cannot start) and provides it as
 * IFeatureVizEngine. The engine client supervises it: after a hang, a dead
 * worker or a lost GPU context it starts a replacement here, with the same
 * options and without a lost backend (docs/architecture.md, "One engine per
 * page").
 *
 * Test hooks (faults injected on demand: a lost context, a hung step) are
 * on only when the page config says `featurevizTestHooks` (the UI tests'
 * server sets it); the engine refuses them otherwise.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import {
  type ICoreConnection,
  type IRestart,
  EngineClient
} from '../engine/runtime/client';
import {
  localConnection,
  workerConnection
} from '../engine/runtime/connection';
import { EngineCore, type IEngineCoreOptions } from '../engine/runtime/core';
import { staticUrl } from '../config/assets';
import { readProbeCache, writeProbeCache } from '../config/probe-cache';
import { JobBoard } from '../sidebar/job-board';
import { IFeatureVizEngine, IFeatureVizSettings } from '../tokens';

const WORKER_START_TIMEOUT_MS = 15000;

type CoreOptions = Omit<IEngineCoreOptions, 'fetch' | 'scope'>;

/** Starts the engine in a Web Worker; rejects if the worker cannot start. */
async function startWorker(options: CoreOptions): Promise<ICoreConnection> {
  const worker = new Worker(
    new URL('../engine/runtime/worker.js', import.meta.url),
    {
      name: 'featureviz-engine'
    }
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener(
      'error',
      event => reject(new Error(event.message || 'the worker failed to load')),
      {
        once: true
      }
    );
    timer = setTimeout(
      () => reject(new Error('the worker did not answer')),
      WORKER_START_TIMEOUT_MS
    );
  });
  try {
    return await Promise.race([workerConnection(worker, options), failed]);
  } catch (reason) {
    worker.terminate();
    throw reason;
  } finally {
    clearTimeout(timer);
  }
}

/** Provides the page's one engine (docs/architecture.md, "One engine per page"). */
/**
 * The UI tests' stand-in for the machine's cores (`featurevizTestCores` on
 * the page, set before it loads); read only where test hooks are on.
 */
function testCores(): number | undefined {
  const cores = Number(
    (globalThis as { featurevizTestCores?: unknown }).featurevizTestCores
  );
  return Number.isInteger(cores) && cores > 0 ? cores : undefined;
}

const enginePlugin: JupyterFrontEndPlugin<IFeatureVizEngine> = {
  id: 'jupyterlab-featureviz:engine',
  description: 'Provides the page-wide Feature Viz engine.',
  autoStart: true,
  provides: IFeatureVizEngine,
  requires: [IFeatureVizSettings],
  activate: async (
    _app: JupyterFrontEnd,
    settings: IFeatureVizSettings
  ): Promise<IFeatureVizEngine> => {
    const testHooks = ['true', true].includes(
      PageConfig.getOption('featurevizTestHooks') as string | boolean
    );
    // A replacement gets the settings of now, the probes measured so far and
    // the backends lost since the page loaded.
    const options = (restart: IRestart | null): CoreOptions => ({
      choice: settings.current.backend,
      wasmPaths: `${staticUrl()}assets/wasm/`,
      cachedProbes: restart?.probes ? [...restart.probes] : readProbeCache(),
      lost: restart?.lost ?? [],
      testHooks,
      // Read at each start: a changed setting applies to the next engine.
      maxWorkers: settings.current.maxWorkers,
      testCores: testHooks ? testCores() : undefined
    });
    let inWorker = true;
    const engine = await EngineClient.supervised(async restart => {
      if (inWorker) {
        try {
          return await startWorker(options(restart));
        } catch (reason) {
          // Same engine on this thread; it yields between steps.
          console.warn(
            'Feature Viz: running the engine on the main thread.',
            reason
          );
          inWorker = false;
        }
      }
      return localConnection(
        new EngineCore({ ...options(restart), worker: false })
      );
    });
    engine.statusChanged.connect((_, status) => {
      // Not after a lost backend: the next page load measures it again.
      if (!status.lost?.length) {
        writeProbeCache(status.probes);
      }
    });
    settings.changed.connect((_, next) =>
      engine.setBackendChoice(next.backend)
    );
    // Every caller's jobs listed, with Cancel, for the sidebar's engine panel.
    return new JobBoard(engine);
  }
};

export default enginePlugin;
