import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { FeatureVizEngine } from '../engine/runtime/engine';
import { IFeatureVizEngine, IFeatureVizSettings } from './tokens';

/** Provides the page's one engine (DESIGN.md §3). */
const enginePlugin: JupyterFrontEndPlugin<IFeatureVizEngine> = {
  id: 'jupyterlab-featureviz:engine',
  description: 'Provides the page-wide Feature Viz engine.',
  autoStart: true,
  provides: IFeatureVizEngine,
  requires: [IFeatureVizSettings],
  activate: (
    _app: JupyterFrontEnd,
    settings: IFeatureVizSettings
  ): IFeatureVizEngine => {
    const engine = new FeatureVizEngine(settings.current.backend);
    settings.changed.connect((_, next) =>
      engine.setBackendChoice(next.backend)
    );
    return engine;
  }
};

export default enginePlugin;
