/**
 * What the explorer needs from the page, handed in by its plugin (only
 * `src/plugins` knows JupyterLab's tokens): the engine, the settings, how a
 * model reference becomes a URL, the notebook's own output widget for the
 * card's lenses, the active notebook for "Insert code", and a place to keep
 * its state across reloads (docs/architecture.md, "The explorer").
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Widget } from '@lumino/widgets';
import type { IModelRequest } from '../engine/runtime/protocol';
import type { ModelRef } from '../spec';
import type { IFeatureVizEngine, ISettingValues } from '../tokens';

/**
 * A featureviz output, as the notebook renders it (src/output/renderer.ts):
 * the card shows its lenses through the very same widget.
 */
export interface ICardOutput extends Widget {
  renderModel(model: IRenderMime.IMimeModel): Promise<void>;
  /** Runs the output's job now (the user asked, by selecting a unit). */
  start(): Promise<void>;
}

/** What the explorer keeps across reloads. */
export interface IExplorerState {
  readonly model: ModelRef;
  readonly layer: string | null;
  readonly unit: number | null;
}

export interface IExplorerHost {
  readonly engine: IFeatureVizEngine;
  readonly settings: () => ISettingValues;
  /** A model reference as the engine loads it, held to the output's rules. */
  resolveModel(ref: ModelRef): Promise<IModelRequest>;
  /** A new featureviz output widget. */
  createOutput(): ICardOutput;
  /**
   * Puts `code` into a new cell below the active cell of the current
   * notebook; false when no notebook is open.
   */
  insertCode(code: string): Promise<boolean>;
  /** Saves the explorer's state (the state database); may be absent. */
  saveState?(state: IExplorerState | null): void;
  /**
   * Where cards go when the sidebar is too narrow for them: the main area
   * (a "Neuron card" tab). Absent: the card is shown in the sidebar.
   */
  readonly cards?: ICardArea;
}

/** A place outside the sidebar that shows one card at a time. */
export interface ICardArea {
  /**
   * Shows `node` (the card of unit `id`) in place of the card shown, and
   * brings it to the front; `onClosed` runs when the user closes it.
   */
  show(id: string, node: HTMLElement, onClosed: () => void): void;
  /** Brings the card shown to the front; false when none is open. */
  reveal(): boolean;
  /** Closes the card shown (its unit is no longer selected). */
  close(): void;
}
