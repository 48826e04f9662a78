/**
 * What a finished run says about its pictures (docs/architecture.md,
 * "Recipes"): units that barely respond are labelled rather than shown as a
 * silent black square, and a channel mean whose picture saturates gets a
 * hint. Read from the last frame: its values and its pixels.
 */
import type { IFocus } from './objective';
import type { IFrame } from './render';

/** A unit is weak below this share of the median unit's best value. */
const WEAK_SHARE = 0.25;
/** Weak is judged against a batch of at least this many units. */
const WEAK_BATCH = 4;
/** Bytes this close to 0 or 255 count as saturated. */
const SATURATED_BYTES = 8;
/** A picture saturates when this share of its pixels does. */
const SATURATED_SHARE = 0.9;

export const NEVER_FIRES = 'never fires';
export const WEAK = 'weak';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A note per image: NEVER_FIRES where a unit read before its ReLU stays ≤ 0
 * at its best image; WEAK (when the images are units of one layer to
 * compare, `compare`) where it reaches under a quarter of the median unit.
 * Undefined when no image needs one.
 */
export function imageNotes(
  frame: IFrame,
  focus: IFocus,
  compare: boolean
): (string | null)[] | undefined {
  const values = Array.from(frame.perImage);
  const beforeRelu =
    focus.sites.length > 0 && focus.sites.every(site => site.ref.pre === true);
  const typical = median(values);
  const notes = values.map(value => {
    if (beforeRelu && value <= 0) {
      return NEVER_FIRES;
    }
    if (
      compare &&
      values.length >= WEAK_BATCH &&
      typical > 0 &&
      value < WEAK_SHARE * typical
    ) {
      return WEAK;
    }
    return null;
  });
  return notes.some(note => note !== null) ? notes : undefined;
}

/** What the notes mean, for the caption. */
export function explainNotes(notes: readonly (string | null)[]): string {
  const parts: string[] = [];
  if (notes.includes(NEVER_FIRES)) {
    parts.push(
      `"${NEVER_FIRES}": even its best image leaves the unit at or below 0 before its ReLU`
    );
  }
  if (notes.includes(WEAK)) {
    parts.push(
      `"${WEAK}": its best value is under a quarter of the median channel's`
    );
  }
  return parts.join('; ');
}

/** Whether some image of the frame is almost all black or white. */
export function saturates(frame: IFrame): boolean {
  const pixels = frame.height * frame.width;
  for (let i = 0; i < frame.batch; i++) {
    let extreme = 0;
    for (let p = 0; p < pixels; p++) {
      const red = frame.rgba[(i * pixels + p) * 4];
      if (red <= SATURATED_BYTES || red >= 255 - SATURATED_BYTES) {
        extreme++;
      }
    }
    if (extreme >= SATURATED_SHARE * pixels) {
      return true;
    }
  }
  return false;
}

/** The hint for a channel mean whose picture saturates; null otherwise. */
export function saturationHint(frame: IFrame, focus: IFocus): string | null {
  if (!focus.means || !saturates(frame)) {
    return null;
  }
  return "The picture saturates: a channel's mean over positions is nearly linear in the pixels, so its best image is flat white or black. reduce='centre' shows what one unit at the centre looks for.";
}

/** The last frame with its notes, and hints added to its caption. */
export function labelLastFrame(
  frame: IFrame,
  focus: IFocus,
  compare: boolean
): IFrame {
  const notes = imageNotes(frame, focus, compare);
  const caption = [
    frame.caption,
    notes && explainNotes(notes),
    saturationHint(frame, focus)
  ]
    .filter(Boolean)
    .join('. ');
  return { ...frame, caption, notes };
}
