/**
 * A run's figure as the notebook keeps it: the labelled PNG and, when
 * frames are kept, the GIF (encoded off the page's thread where the host
 * gives an encoder), written into the output's data and metadata
 * (stored.ts).
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { IJobSummary } from '../engine/runtime/protocol';
import type { FigureEncoder } from '../views/figure';
import { base64, blobBase64, encodeViewFigure, gifBytes } from '../views/save';
import type { IView } from '../views/view';
import { storedSummary, writeStored, writeStoredSize } from './stored';

export interface ISaveFigureOptions {
  /** Keep the frames as a GIF too. */
  readonly keepFrames: boolean;
  readonly encode: FigureEncoder;
  /**
   * The model to write into once encoded, or null when it must not be
   * written (a run started meanwhile, the output re-rendered): encoding is
   * asynchronous, and what started later wins.
   */
  readonly target: () => IRenderMime.IMimeModel | null;
}

/**
 * Encodes the figure of `view` and writes it, with `summary`, into the
 * output's model; whether it was written (false without a figure, a spec
 * hash, or a target).
 */
export async function saveFigure(
  view: IView | null,
  hash: string | null,
  summary: IJobSummary,
  options: ISaveFigureOptions
): Promise<boolean> {
  const figure = view?.figure();
  if (!view || !figure || !hash) {
    return false;
  }
  const frames = options.keepFrames ? view.animation() : null;
  const png = await blobBase64(await encodeViewFigure(figure, options.encode));
  const gif =
    frames && frames.length > 1 ? await base64(await gifBytes(frames)) : null;
  const model = options.target();
  if (!model) {
    return false;
  }
  model.setData({
    data: writeStored(model.data, {
      png,
      summary: storedSummary(summary, hash),
      gif
    }),
    metadata: writeStoredSize(model.metadata, figure)
  });
  return true;
}
