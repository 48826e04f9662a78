/**
 * The renderer plugin: registers the featureviz MIME renderer with the
 * engine and settings it needs, a spec validator in a Web Worker, the
 * notebook's kernel bridge and the server's files, and what tells an output
 * its cell just ran; cancels a notebook's runs when its kernel restarts.
 *
 * "Its cell just ran" (docs/architecture.md, "Trust and safety"): JupyterLab
 * renders an output the same way whether a kernel just sent it or a saved
 * notebook holds it, and re-renders every output when a notebook becomes
 * trusted (OutputAreaModel's `trusted` setter replaces each output model).
 * What tells them apart is the kernel's message: a kernel connection emits
 * `anyMessage` as soon as a message arrives, before it hands the message to
 * the output area that adds the output (KernelConnection._onWSMessage
 * chains _handleMessage after emitting). So this plugin notes each
 * featureviz display message of the notebooks' kernels (fresh.ts), and an
 * output computes by itself only if it claims one. (Outputs elsewhere, in a
 * console say, show a Run button.)
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import type { ISessionContext } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type * as Comlink from 'comlink';
import { FreshOutputs } from '../output/fresh';
import type { FeatureVizOutput } from '../output/renderer';
import { createRendererFactory } from '../output/renderer-factory';
import { outputWorker } from '../output/worker-client';
import { assetUrl } from '../config/assets';
import { MIME_TYPE } from '../spec';
import type { IServerEntry, IServerFiles } from '../output/resolve-data';
import {
  IFeatureVizEngine,
  IFeatureVizKernels,
  IFeatureVizSettings
} from '../tokens';

type KernelConnection = NonNullable<
  NonNullable<ISessionContext['session']>['kernel']
>;

/** Kernel messages that display an output. */
const DISPLAYS = new Set([
  'display_data',
  'execute_result',
  'update_display_data'
]);

/** The server's files through the contents API: sizes and folder listings. */
function serverFiles(app: JupyterFrontEnd): IServerFiles {
  const contents = app.serviceManager.contents;
  const entry = (model: {
    name: string;
    path: string;
    type: string;
    size?: number | null;
  }): IServerEntry => ({
    name: model.name,
    path: model.path,
    type: model.type,
    size: typeof model.size === 'number' ? model.size : null
  });
  return {
    get: async path => {
      // A file's model without its content (never download it here).
      const model = await contents.get(path, { content: false });
      if (model.type !== 'directory') {
        return { ...entry(model), entries: null };
      }
      const listing = await contents.get(path, { content: true });
      const children = Array.isArray(listing.content) ? listing.content : [];
      return { ...entry(model), entries: children.map(entry) };
    }
  };
}

/**
 * Registers the featureviz MIME renderer. A normal plugin rather than a
 * declarative mimeExtension, so that the renderer can use the engine token.
 */
const rendererPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-featureviz:renderer',
  description: 'Renders application/vnd.featureviz.v1+json outputs.',
  autoStart: true,
  requires: [IRenderMimeRegistry, IFeatureVizEngine, IFeatureVizSettings],
  optional: [INotebookTracker, IFeatureVizKernels],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    engine: IFeatureVizEngine,
    settings: IFeatureVizSettings,
    notebooks: INotebookTracker | null,
    kernels: IFeatureVizKernels | null
  ): void => {
    const live = new Set<FeatureVizOutput>();
    const fresh = new FreshOutputs();
    // Validates specs and draws the figures written back, off this thread.
    const worker = outputWorker(
      () =>
        new Worker(new URL('../output/output-worker.js', import.meta.url), {
          name: 'featureviz-outputs'
        }) as Comlink.Endpoint & { terminate(): void }
    );
    rendermime.addFactory(
      createRendererFactory({
        engine,
        settings: () => settings.current,
        assetUrl,
        filesUrl: URLExt.join(PageConfig.getBaseUrl(), 'files/'),
        freshOutput: hash => fresh.claim(hash),
        validate: worker.validate,
        encodeFigure: worker.encodeFigure,
        track: (output, isLive) =>
          isLive ? live.add(output) : live.delete(output),
        kernelFor: kernels ? node => kernels.bridgeFor(node) : undefined,
        kernelArrays: kernels
          ? (node, key, signal) => kernels.ensureArrays(node, key, signal)
          : undefined,
        files: serverFiles(app)
      })
    );

    const watched = new WeakSet<KernelConnection>();
    const watchKernel = (kernel: KernelConnection | null | undefined) => {
      if (!kernel || watched.has(kernel)) {
        return;
      }
      watched.add(kernel);
      kernel.anyMessage.connect((_, { msg, direction }) => {
        if (
          direction === 'recv' &&
          msg.channel === 'iopub' &&
          DISPLAYS.has(msg.header.msg_type)
        ) {
          const { data } = msg.content as { data?: Record<string, unknown> };
          if (data && MIME_TYPE in data) {
            fresh.note(data[MIME_TYPE]);
          }
        }
      });
    };
    const watchSession = (context: ISessionContext) => {
      watchKernel(context.session?.kernel);
      context.kernelChanged.connect((_, change) =>
        watchKernel(change.newValue)
      );
    };

    // Restarting a kernel or closing the notebook cancels the runs of that
    // notebook's outputs, saying why (the output and the kernel are told).
    const cancelIn = (panel: NotebookPanel, reason: string) => {
      for (const output of live) {
        if (panel.node.contains(output.node)) {
          output.cancel(reason);
        }
      }
    };
    const watch = (panel: NotebookPanel) => {
      watchSession(panel.sessionContext);
      panel.sessionContext.statusChanged.connect((_, status) => {
        if (status === 'restarting' || status === 'autorestarting') {
          cancelIn(panel, 'the kernel restarted');
        }
      });
      // Emitted before the panel's outputs are disposed.
      panel.disposed.connect(() => cancelIn(panel, 'the notebook was closed'));
    };
    notebooks?.forEach(watch);
    notebooks?.widgetAdded.connect((_, panel) => watch(panel));
  }
};

export default rendererPlugin;
