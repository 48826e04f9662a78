/**
 * The engine plugin: starts the page's one engine in a Web Worker (or on the
 * main thread where a worker cannot start) and provides it as
 * IFeatureVizEngine.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { EngineClient } from '../engine/runtime/client';
import { EngineCore, type IEngineCoreOptions } from '../engine/runtime/core';
import { staticUrl } from '../config/assets';
import { readProbeCache, writeProbeCache } from '../config/probe-cache';
import { IFeatureVizEngine, IFeatureVizSettings } from '../tokens';

const WORKER_START_TIMEOUT_MS = 15000;

/** Starts the engine in a Web Worker; rejects if the worker cannot start. */
async function startWorker(
  options: Omit<IEngineCoreOptions, 'fetch' | 'scope'>
): Promise<EngineClient> {
  const worker = new Worker(
    new URL('../engine/runtime/worker.js', import.meta.url),
    {
      name: 'featureviz-engine'
    }
  );
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener(
      'error',
      event => reject(new Error(event.message || 'the worker failed to load')),
      {
        once: true
      }
    );
    setTimeout(
      () => reject(new Error('the worker did not answer')),
      WORKER_START_TIMEOUT_MS
    );
  });
  try {
    return await Promise.race([EngineClient.remote(worker, options), failed]);
  } catch (reason) {
    worker.terminate();
    throw reason;
  }
}

/** Provides the page's one engine (docs/architecture.md, "One engine per page"). */
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
    const options = {
      choice: settings.current.backend,
      wasmPaths: `${staticUrl()}assets/wasm/`,
      cachedProbes: readProbeCache()
    };
    let engine: EngineClient;
    try {
      engine = await startWorker(options);
    } catch (reason) {
      // Same engine on this thread; it yields between steps.
      console.warn(
        'Feature Viz: running the engine on the main thread.',
        reason
      );
      engine = EngineClient.local(
        new EngineCore({ ...options, worker: false })
      );
    }
    engine.statusChanged.connect((_, status) => writeProbeCache(status.probes));
    settings.changed.connect((_, next) =>
      engine.setBackendChoice(next.backend)
    );
    return engine;
  }
};

export default enginePlugin;
