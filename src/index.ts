/**
 * The extension's entry point: the list of its plugins, and the public
 * interfaces and tokens other extensions import (src/tokens.ts).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import enginePlugin from './plugins/engine';
import rendererPlugin from './plugins/renderer';
import settingsPlugin from './plugins/settings';
import sidebarPlugin from './plugins/sidebar';

export { IFeatureVizEngine, IFeatureVizSettings } from './tokens';
export type { FeatureViz, IRunOptions, ISettingValues } from './tokens';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  settingsPlugin,
  enginePlugin,
  rendererPlugin,
  sidebarPlugin
];

export default plugins;
