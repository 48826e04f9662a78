/**
 * The extension's entry point: the list of its plugins, and the public
 * interfaces and tokens other extensions import (src/tokens.ts).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import enginePlugin from './plugins/engine';
import kernelPlugin from './plugins/kernel';
import rendererPlugin from './plugins/renderer';
import settingsPlugin from './plugins/settings';
import sidebarPlugin from './plugins/sidebar';

export {
  IFeatureVizEngine,
  IFeatureVizKernels,
  IFeatureVizSettings
} from './tokens';
export type { FeatureViz, IRunOptions, ISettingValues } from './tokens';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  settingsPlugin,
  enginePlugin,
  kernelPlugin,
  rendererPlugin,
  sidebarPlugin
];

export default plugins;
