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
import {
  IFeatureVizEngine,
  IFeatureVizKernels,
  IFeatureVizSettings
} from '../tokens';

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
    _app: JupyterFrontEnd,
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
        kernelFor: kernels ? node => kernels.bridgeFor(node) : undefined
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
