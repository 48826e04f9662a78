/**
 * What the top-examples view shows and writes back, as data
 * (docs/architecture.md, "Views"): its sections (the top k, and the bottom
 * k when asked) and the sheet of their grids with captions, receptive-field
 * boxes and, when asked, the unit's histogram, drawn by `examples-image.ts`.
 */
import type { ITopExamplesResult } from '../engine/runtime/protocol';
import { type Ranked, captions, exampleImage } from './examples-grid';
import { type ISheetSection, examplesSheet } from './examples-image';

/** The grids' sections, titled for `unit` ("channel 5 of conv2d_1"). */
export function rankedSections(
  result: ITopExamplesResult,
  unit: string
): { title: string; ranked: Ranked }[] {
  const k = result.top.indices.length;
  return [
    { title: `Top ${k}: most exciting for ${unit}`, ranked: result.top },
    ...(result.bottom
      ? [
          {
            title: `Bottom ${result.bottom.indices.length}: least exciting`,
            ranked: result.bottom
          }
        ]
      : [])
  ];
}

/**
 * The sheet of the grids as shown (whole examples or their patches), at
 * `scale` or, by default, tiles of about 72 pixels.
 */
export function topExamplesSheet(
  result: ITopExamplesResult,
  unit: string,
  patches: boolean,
  scale?: number
): ReturnType<typeof examplesSheet> {
  const shown: ISheetSection[] = rankedSections(result, unit).map(
    ({ title, ranked }) => ({
      title,
      images: Array.from(ranked.indices, (_, n) =>
        exampleImage(result, ranked, n, patches)
      ),
      captions: captions(
        {
          indices: Array.from(ranked.indices),
          values: Array.from(ranked.values),
          labels: Array.from(ranked.labels),
          predictions: Array.from(ranked.predictions)
        },
        result.labelNames ?? null
      ),
      boxes: patches || ranked.boxes.length === 0 ? null : ranked.boxes
    })
  );
  // Tiles of about 72 pixels: a 28×28 digit ×3, a 5×5 patch ×15.
  const side = patches
    ? Math.max(result.patchWidth, result.patchHeight)
    : Math.max(result.width, result.height);
  return examplesSheet(
    shown,
    scale ?? Math.min(16, Math.max(1, Math.ceil(72 / side))),
    result.histogram
      ? {
          histogram: result.histogram,
          unit,
          k: result.top.indices.length
        }
      : null
  );
}
