/**
 * The explorer's host (src/sidebar/host.ts) made of JupyterLab's services:
 * model references resolved by the outputs' own rules from the server's
 * root, the registered featureviz renderer for the card's lenses, the
 * active notebook for "Insert code", and the state database for reloads
 * (docs/architecture.md, "The explorer").
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { NotebookActions, type INotebookTracker } from '@jupyterlab/notebook';
import {
  type IRenderMimeRegistry,
  RenderMimeRegistry
} from '@jupyterlab/rendermime';
import type { IStateDB } from '@jupyterlab/statedb';
import type { ReadonlyPartialJSONValue } from '@lumino/coreutils';
import { assetUrl } from '../config/assets';
import { FeatureVizError } from '../engine/errors';
import { FeatureVizOutput } from '../output/renderer';
import { resolveModel } from '../output/resolve';
import { MIME_TYPE } from '../spec';
import type {
  ICardArea,
  ICardOutput,
  IExplorerHost,
  IExplorerState
} from '../sidebar/host';
import type { IFeatureVizEngine, IFeatureVizSettings } from '../tokens';

/** Where the explorer's state lives in the state database. */
export const EXPLORER_STATE_KEY = 'jupyterlab-featureviz:explorer';

export interface IExplorerServices {
  readonly engine: IFeatureVizEngine;
  readonly settings: IFeatureVizSettings;
  readonly rendermime: IRenderMimeRegistry;
  readonly notebooks: INotebookTracker | null;
  readonly state: IStateDB | null;
  /** Where the card is shown (the main area); null: in the sidebar. */
  readonly cards: ICardArea | null;
}

export function explorerHost(
  app: JupyterFrontEnd,
  services: IExplorerServices
): IExplorerHost {
  const { engine, settings, notebooks, state } = services;
  // Paths are read from the server's root, as the file browser shows them.
  const resolver = new RenderMimeRegistry.UrlResolver({
    path: 'featureviz-explorer',
    contents: app.serviceManager.contents
  });
  // Copied on first use: the renderer plugin may add its factory after
  // this plugin activates, and a copy keeps only the factories it had.
  let rendermime: IRenderMimeRegistry | null = null;
  return {
    engine,
    ...(services.cards ? { cards: services.cards } : {}),
    settings: () => settings.current,
    resolveModel: ref =>
      resolveModel(ref, {
        resolver,
        assetUrl,
        settings: settings.current,
        origin: window.location.origin,
        filesUrl: URLExt.join(PageConfig.getBaseUrl(), 'files/')
      }),
    createOutput: (): ICardOutput => {
      rendermime ??= services.rendermime.clone({ resolver });
      const output = rendermime.createRenderer(MIME_TYPE);
      if (!(output instanceof FeatureVizOutput)) {
        throw new FeatureVizError(
          'Another extension renders featureviz outputs here; the explorer needs its own.'
        );
      }
      return output;
    },
    insertCode: async code => {
      const panel = notebooks?.currentWidget;
      if (!panel) {
        return false;
      }
      const notebook = panel.content;
      NotebookActions.insertBelow(notebook);
      const cell = notebook.activeCell;
      if (!cell) {
        return false;
      }
      cell.model.sharedModel.setSource(code);
      app.shell.activateById(panel.id);
      // The keyboard goes to the notebook: Shift+Enter runs the new cell.
      notebook.mode = 'command';
      notebook.activate();
      return true;
    },
    saveState: (value: IExplorerState | null) => {
      void state?.save(
        EXPLORER_STATE_KEY,
        value as unknown as ReadonlyPartialJSONValue
      );
    }
  };
}
