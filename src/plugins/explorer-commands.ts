/**
 * The explorer's commands: open the bundled model (palette), open a
 * model.json from the file browser's context menu ("Open in Feature Viz"),
 * and reopen the last model and selection after a reload
 * (docs/architecture.md, "The explorer").
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import type { IStateDB } from '@jupyterlab/statedb';
import { featureVizIcon } from '../icons';
import type { IExplorerState } from '../sidebar/host';
import { modelRefOf } from '../sidebar/model-opener';
import type { FeatureVizSidebar } from '../sidebar/panel';
import { EXPLORER_STATE_KEY } from './explorer-host';

export const OPEN_BUNDLED_COMMAND = 'featureviz:open-bundled-model';
export const OPEN_FILE_COMMAND = 'featureviz:open-model-file';

/** A saved state as the explorer's, or null when it is not one. */
export function readExplorerState(value: unknown): IExplorerState | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const { model, layer, unit } = value as Record<string, unknown>;
  const ref =
    typeof model === 'object' && model !== null
      ? (model as Record<string, unknown>)
      : null;
  const validModel =
    ref !== null &&
    ((ref.builtin === 'mnist-cnn' && Object.keys(ref).length === 1) ||
      (typeof ref.url === 'string' && ref.url !== ''));
  if (!validModel) {
    return null;
  }
  return {
    model:
      ref.builtin === 'mnist-cnn'
        ? { builtin: 'mnist-cnn' }
        : { url: ref.url as string },
    layer: typeof layer === 'string' ? layer : null,
    unit:
      typeof unit === 'number' && Number.isInteger(unit) && unit >= 0
        ? unit
        : null
  };
}

export function addExplorerCommands(
  app: JupyterFrontEnd,
  panel: FeatureVizSidebar,
  palette: ICommandPalette | null,
  browser: IDefaultFileBrowser | null,
  state: IStateDB | null
): void {
  app.commands.addCommand(OPEN_BUNDLED_COMMAND, {
    label: 'Feature Viz: Open the Bundled MNIST CNN',
    caption: 'Open the bundled MNIST CNN in the Feature Viz explorer',
    icon: featureVizIcon,
    execute: async () => {
      app.shell.activateById(panel.id);
      await panel.open({ builtin: 'mnist-cnn' });
    }
  });
  palette?.addItem({ command: OPEN_BUNDLED_COMMAND, category: 'Feature Viz' });

  if (browser) {
    const selectedPath = (): string | null => {
      const item = browser.selectedItems().next();
      return item.done ? null : item.value.path;
    };
    app.commands.addCommand(OPEN_FILE_COMMAND, {
      label: 'Open in Feature Viz',
      caption: 'Open this tfjs model.json in the Feature Viz explorer',
      icon: featureVizIcon,
      isVisible: () => selectedPath()?.endsWith('.json') ?? false,
      execute: async () => {
        const path = selectedPath();
        const ref = path ? modelRefOf(path) : null;
        if (ref) {
          app.shell.activateById(panel.id);
          await panel.open(ref);
        }
      }
    });
    app.contextMenu.addItem({
      command: OPEN_FILE_COMMAND,
      selector: '.jp-DirListing-item[data-file-type="json"]',
      rank: 10
    });
  }

  // The last model and selection, once the shell has restored its layout.
  void Promise.all([app.restored, state?.fetch(EXPLORER_STATE_KEY)]).then(
    ([, saved]) => {
      const restore = readExplorerState(saved);
      if (restore) {
        void panel.open(restore.model, restore);
      }
    }
  );
}
