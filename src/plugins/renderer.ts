/**
 * The renderer plugin: registers the featureviz MIME renderer with the
 * engine and settings it needs, and cancels a notebook's runs when its kernel
 * restarts.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import {
  type FeatureVizOutput,
  createRendererFactory
} from '../output/renderer';
import { assetUrl } from '../config/assets';
import type { IServerEntry, IServerFiles } from '../output/resolve-data';
import {
  IFeatureVizEngine,
  IFeatureVizKernels,
  IFeatureVizSettings
} from '../tokens';

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
    rendermime.addFactory(
      createRendererFactory({
        engine,
        settings: () => settings.current,
        assetUrl,
        track: (output, isLive) =>
          isLive ? live.add(output) : live.delete(output),
        kernelFor: kernels ? node => kernels.bridgeFor(node) : undefined,
        kernelArrays: kernels
          ? (node, key, signal) => kernels.ensureArrays(node, key, signal)
          : undefined,
        files: serverFiles(app)
      })
    );
    // Restarting a kernel cancels the runs of that notebook's outputs.
    const watch = (panel: NotebookPanel) => {
      panel.sessionContext.statusChanged.connect((_, status) => {
        if (status === 'restarting' || status === 'autorestarting') {
          for (const output of live) {
            if (panel.node.contains(output.node)) {
              output.cancel();
            }
          }
        }
      });
    };
    notebooks?.forEach(watch);
    notebooks?.widgetAdded.connect((_, panel) => watch(panel));
  }
};

export default rendererPlugin;
