/**
 * The page's side of an output renderer: the engine, settings and bridges
 * its plugin passes in (src/plugins/renderer.ts), kept apart from the widget
 * so that hosts and tests can build one without the widget's code.
 */
import type { IFeatureVizEngine, ISettingValues } from '../tokens';
import type { FigureEncoder } from '../views/figure';
import type { KernelLookup } from './kernel-link';
import type { FeatureVizOutput } from './renderer';
import type { IServerFiles } from './resolve-data';
import type { Validate } from './worker-client';

/** What an output renderer needs from the page, passed in by its plugin. */
export interface IRendererContext {
  readonly engine: IFeatureVizEngine;
  readonly settings: () => ISettingValues;
  /** The URL of one of the extension's static assets. */
  readonly assetUrl: (path: string) => string;
  /** Where the Jupyter server serves its files (`<base URL>files/`). */
  readonly filesUrl: string;
  /**
   * Whether the kernel has just displayed an output with this spec hash in
   * this page (fresh.ts), claimed once per display. An output for which it
   * is false was read from a saved notebook: it starts nothing by itself.
   * Without it, nothing starts by itself.
   */
  readonly freshOutput?: (hash: string) => boolean;
  /** Validates a spec; on this thread when omitted. */
  readonly validate?: Validate;
  /** Draws and encodes figures (the outputs' worker); here when omitted. */
  readonly encodeFigure?: FigureEncoder;
  /** Tells the host about live renderers (it cancels them on kernel restarts). */
  readonly track?: (output: FeatureVizOutput, live: boolean) => void;
  /** The bridge to the kernel of the notebook that shows a node, if any. */
  readonly kernelFor?: KernelLookup;
  /**
   * Makes sure the engine holds the kernel arrays under `key`, fetched from
   * the kernel of the notebook that shows `node` once per page.
   */
  readonly kernelArrays?: (
    node: HTMLElement,
    key: string,
    signal?: AbortSignal
  ) => Promise<void>;
  /** The Jupyter server's files (listings and sizes of data paths). */
  readonly files?: IServerFiles;
}
