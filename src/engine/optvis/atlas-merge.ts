/**
 * A pooled layer atlas's frames merged step by step (docs/architecture.md,
 * "Memory and speed"): each share streams its images at every frame step;
 * once every share has sent step s, their frames join in channel order into
 * the frame the single batched run would have made. A share re-run after
 * its worker died streams again from step 0: frames of a step already
 * merged, or already held from that share, are the same values (a run is
 * deterministic for its seed) and are dropped.
 */
import { FeatureVizError } from '../errors';
import type { IFrame } from './render';

/**
 * The shares' frames of one step, in share (channel) order, as one frame:
 * the images and per-image values end to end, the value their sum in the
 * single run's order.
 */
export function joinFrames(
  parts: readonly IFrame[],
  elapsedMs: number
): IFrame {
  const [first] = parts;
  for (const part of parts) {
    if (
      part.step !== first.step ||
      part.steps !== first.steps ||
      part.height !== first.height ||
      part.width !== first.width
    ) {
      throw new FeatureVizError(
        `The atlas's shares disagree: step ${part.step} of ${part.steps} at ${part.height}×${part.width} beside step ${first.step} of ${first.steps} at ${first.height}×${first.width}.`
      );
    }
  }
  const batch = parts.reduce((n, part) => n + part.batch, 0);
  const rgba = new Uint8ClampedArray(batch * first.height * first.width * 4);
  const perImage = new Float32Array(batch);
  let image = 0;
  for (const part of parts) {
    rgba.set(part.rgba, image * first.height * first.width * 4);
    perImage.set(part.perImage, image);
    image += part.batch;
  }
  return {
    step: first.step,
    steps: first.steps,
    // As render.ts sums it: in image order, in doubles.
    value: perImage.reduce((a, b) => a + b, 0),
    perImage,
    caption: first.caption,
    batch,
    height: first.height,
    width: first.width,
    rgba,
    elapsedMs
  };
}

export class StepMerge {
  /** Frames of steps not merged yet, by step, one slot per share. */
  private readonly _pending = new Map<number, (IFrame | undefined)[]>();
  private _merged = -1;
  private readonly _started = Date.now();

  constructor(private readonly _shares: number) {}

  /** The last step merged (-1 before the first). */
  get merged(): number {
    return this._merged;
  }

  /** Share i's frame; returns the frames this completes, in step order. */
  add(share: number, frame: IFrame): IFrame[] {
    if (frame.step <= this._merged) {
      return []; // a re-run share catching up
    }
    let slots = this._pending.get(frame.step);
    if (!slots) {
      slots = new Array<IFrame | undefined>(this._shares).fill(undefined);
      this._pending.set(frame.step, slots);
    }
    slots[share] ??= frame;
    const done: IFrame[] = [];
    // Shares send their steps in order, so steps complete in order.
    for (const step of [...this._pending.keys()].sort((a, b) => a - b)) {
      const parts = this._pending.get(step) as (IFrame | undefined)[];
      if (parts.some(part => part === undefined)) {
        break;
      }
      this._pending.delete(step);
      this._merged = step;
      done.push(joinFrames(parts as IFrame[], Date.now() - this._started));
    }
    return done;
  }
}
