/**
 * The sidebar plugin: adds the Feature Viz panel to the left area, restores
 * it on reload, and adds the palette command that opens it.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { featureVizIcon } from '../icons';
import { FeatureVizSidebar } from '../sidebar/panel';
import { IFeatureVizEngine } from '../tokens';

export const OPEN_SIDEBAR_COMMAND = 'featureviz:open-sidebar';

/**
 * The Feature Viz sidebar. JupyterLab-only tokens are optional so that the
 * extension also loads in Jupyter Notebook 7.
 */
const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-featureviz:sidebar',
  description: 'Adds the Feature Viz sidebar and the command that opens it.',
  autoStart: true,
  requires: [IFeatureVizEngine],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    engine: IFeatureVizEngine,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): void => {
    const panel = new FeatureVizSidebar(engine);
    panel.title.icon = featureVizIcon;
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(OPEN_SIDEBAR_COMMAND, {
      label: 'Open Feature Viz Sidebar',
      caption: 'Show the Feature Viz sidebar: engine status and models',
      icon: featureVizIcon,
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({
      command: OPEN_SIDEBAR_COMMAND,
      category: 'Feature Viz'
    });
  }
};

export default sidebarPlugin;
