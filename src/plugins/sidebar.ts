/**
 * The sidebar plugin: adds the Feature Viz panel (the model explorer and the
 * engine panel) to the left area, restores it and its last model and
 * selection on reload, and adds the commands that open it, the bundled
 * model, and a model.json from the file browser (docs/architecture.md,
 * "The explorer").
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { IStateDB } from '@jupyterlab/statedb';
import { featureVizIcon } from '../icons';
import { FeatureVizSidebar } from '../sidebar/panel';
import { IFeatureVizEngine, IFeatureVizSettings } from '../tokens';
import { addExplorerCommands } from './explorer-commands';
import { cardArea } from './explorer-card';
import { explorerHost } from './explorer-host';

export const OPEN_SIDEBAR_COMMAND = 'featureviz:open-sidebar';

/**
 * The Feature Viz sidebar. JupyterLab-only tokens are optional so that the
 * extension also loads in Jupyter Notebook 7.
 */
const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-featureviz:sidebar',
  description:
    'Adds the Feature Viz sidebar (model explorer, engine panel) and its commands.',
  autoStart: true,
  requires: [IFeatureVizEngine, IFeatureVizSettings, IRenderMimeRegistry],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    IStateDB,
    INotebookTracker,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    engine: IFeatureVizEngine,
    settings: IFeatureVizSettings,
    rendermime: IRenderMimeRegistry,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    state: IStateDB | null,
    notebooks: INotebookTracker | null,
    browser: IDefaultFileBrowser | null
  ): void => {
    const host = explorerHost(app, {
      engine,
      settings,
      rendermime,
      notebooks,
      state,
      // The card in the main area: the sidebar is too narrow for it.
      cards: cardArea(app, restorer)
    });
    const panel = new FeatureVizSidebar(host);
    panel.title.icon = featureVizIcon;
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(OPEN_SIDEBAR_COMMAND, {
      label: 'Open Feature Viz Sidebar',
      caption: 'Show the Feature Viz sidebar: model explorer and engine',
      icon: featureVizIcon,
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({
      command: OPEN_SIDEBAR_COMMAND,
      category: 'Feature Viz'
    });
    addExplorerCommands(app, panel, palette, browser, state);
  }
};

export default sidebarPlugin;
