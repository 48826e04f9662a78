import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { createRendererFactory } from '../output/renderer';
import { IFeatureVizEngine } from './tokens';

/**
 * Registers the featureviz MIME renderer. A normal plugin rather than a
 * declarative mimeExtension, so that the renderer can use the engine token.
 */
const rendererPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-featureviz:renderer',
  description: 'Renders application/vnd.featureviz.v1+json outputs.',
  autoStart: true,
  requires: [IRenderMimeRegistry, IFeatureVizEngine],
  activate: (
    _app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    engine: IFeatureVizEngine
  ): void => {
    rendermime.addFactory(createRendererFactory({ engine }));
  }
};

export default rendererPlugin;
