/**
 * Where the player's images go: which images of a frame's batch it shows,
 * at what scale, with which captions, and the same layout as a figure and
 * as GIF frames, so that a saved figure looks like the live view. Pure
 * functions of the props and a frame.
 */
import type { IFrame } from '../engine/runtime/protocol';
import type { IFigureSpec } from './figure';
import { type IImage, autoScale, composeGrid, imageOf } from './frames';

/** The props the layout depends on (IPlayerProps has them). */
export interface IPlayerLayoutProps {
  /** Draw this image of each frame's batch; all of them in a row when omitted. */
  readonly select?: number;
  /** A caption under each image of a row. */
  readonly labels?: readonly string[];
  /** Pixels per image pixel; fitted to the row when omitted. */
  readonly scale?: number;
}

/** The largest side of a GIF frame (the GIF is written into the notebook). */
const MAX_EXPORT_SIDE = 512;

/** The batch indices of the images shown, in order. */
export function shownIndices(
  props: IPlayerLayoutProps,
  frame: IFrame
): number[] {
  return props.select === undefined
    ? Array.from({ length: frame.batch }, (_, i) => i)
    : [props.select];
}

export function scaleFor(props: IPlayerLayoutProps, frame: IFrame): number {
  return (
    props.scale ??
    autoScale(frame.width, frame.height, shownIndices(props, frame).length)
  );
}

/** Whether captions go under the images: a row with labels. */
export function captioned(props: IPlayerLayoutProps, frame: IFrame): boolean {
  return (
    props.labels !== undefined && props.select === undefined && frame.batch > 1
  );
}

/** The line under the images: the image's note, then the frame's caption. */
export function captionText(props: IPlayerLayoutProps, frame: IFrame): string {
  const note = frame.notes?.[props.select ?? 0];
  return [
    frame.batch === 1 || props.select !== undefined ? note : undefined,
    frame.caption
  ]
    .filter(Boolean)
    .join(' — ');
}

function imagesOf(props: IPlayerLayoutProps, frame: IFrame): IImage[] {
  return shownIndices(props, frame).map(i => imageOf(frame, i));
}

/** The figure of one frame, laid out as the live row shows it. */
export function figureSpecOf(
  props: IPlayerLayoutProps,
  frame: IFrame
): IFigureSpec {
  const scale = scaleFor(props, frame);
  const captions = captioned(props, frame);
  return {
    images: imagesOf(props, frame),
    columns: shownIndices(props, frame).length,
    labels: captions ? props.labels?.slice(0, frame.batch) : undefined,
    values: captions ? Array.from(frame.perImage) : undefined,
    displayScale: scale,
    // Cells are apart by the row's gap and the canvases' 1-pixel borders.
    displayGap: scale + 2
  };
}

/** Each frame at display scale (at most MAX_EXPORT_SIDE), for the GIF. */
export function animationOf(
  props: IPlayerLayoutProps,
  frames: readonly IFrame[]
): IImage[] {
  return frames.map(frame => {
    const count = shownIndices(props, frame).length;
    const scale = Math.max(
      1,
      Math.min(
        scaleFor(props, frame),
        Math.floor(
          MAX_EXPORT_SIDE / Math.max(frame.width * count, frame.height)
        )
      )
    );
    return composeGrid(imagesOf(props, frame), count, scale, 2);
  });
}
