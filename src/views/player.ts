/**
 * The gradient-ascent player: the live image while the engine optimizes,
 * then play / pause / scrub through the frames, with the step and a sparkline
 * of the objective; the shared run bar below with PNG and GIF saves. Frames
 * are painted once per display frame, the newest one (scheduler.ts), each
 * image into a canvas of its own with its caption under it. A saved result
 * is shown at the live view's size; before any run, a line says that nothing
 * runs until asked. This module holds the view's state and composes its
 * parts: the layout (player-layout.ts), the row of images (player-cells.ts)
 * and Play / Pause (player-playback.ts).
 */
import type { IFrame } from '../engine/runtime/protocol';
import { button, h, storedImage } from './dom';
import type { IImage } from './frames';
import { type ICell, createCells, paintCells } from './player-cells';
import {
  animationOf,
  captionText,
  captioned,
  figureSpecOf,
  scaleFor,
  shownIndices
} from './player-layout';
import { createPlayback } from './player-playback';
import { mountRunBar } from './run-bar';
import { type IRunState, INITIAL, canCancel, startsNewRun } from './run-state';
import {
  type IFigure,
  encodeFigureHere,
  figureOf,
  gifAction,
  pngAction
} from './save';
import { paintScheduler } from './scheduler';
import { createSparkline } from './sparkline';
import {
  type IStoredImage,
  type IViewProps,
  type MountView,
  Lifetime
} from './view';

export interface IPlayerProps extends IViewProps {
  /** Draw this image of each frame's batch; all of them in a row when omitted. */
  readonly select?: number;
  /** A caption under each image of a row (e.g. the digit of each logit). */
  readonly labels?: readonly string[];
  /** False inside another view that shows the run (see IRunBarProps). */
  readonly controls?: boolean;
}

export const mountPlayer: MountView<IPlayerProps> = (
  host,
  props,
  options = {}
) => {
  const life = new Lifetime(options.signal);
  const { signal } = life;
  const frames: IFrame[] = [];
  let run: IRunState = INITIAL;
  let shown = -1;
  let follow = true;
  let stored: { result: IStoredImage; node: HTMLImageElement } | null = null;
  /**
   * A new run keeps the last one's pictures and timeline in place, dimmed,
   * until its own frames take their place: the run bar below them must not
   * move just as its Cancel is clicked (a click whose press and release land
   * on either side of the shift reaches no button, and the Cancel is lost).
   */
  let holding = false;
  let heldImage: HTMLImageElement | null = null;
  let sparkPoints: { step: number; value: number }[] = [];

  let cells: ICell[] = [];
  const row = h('div', {
    className: 'jp-FeatureViz-row',
    attrs: { role: 'img', 'aria-label': 'Visualization' }
  });
  row.hidden = true;
  const idle = h('div', {
    className: 'jp-FeatureViz-idle',
    text: 'Not run yet: opening or trusting a notebook starts nothing. Press Run to compute this visualization.'
  });
  const stage = h('div', {
    className: 'jp-FeatureViz-stage',
    children: [row]
  });
  const sparkline = createSparkline();
  const stepLabel = h('span', { className: 'jp-FeatureViz-step', text: '' });
  const scrubber = h('input', {
    className: 'jp-FeatureViz-scrubber',
    attrs: {
      type: 'range',
      min: '0',
      max: '0',
      value: '0',
      step: '1',
      'aria-label': 'Frame'
    }
  });
  const play = button(
    'Play the animation',
    '▶ Play',
    () => playback.toggle(),
    signal
  );
  const playback = createPlayback(play, {
    count: () => frames.length,
    shown: () => shown,
    show
  });
  const timeline = h('div', {
    className: 'jp-FeatureViz-timeline',
    children: [play, scrubber, stepLabel]
  });
  // What the engine's recipe did, and notes on the pictures.
  const caption = h('div', { className: 'jp-FeatureViz-caption' });
  const node = h('div', {
    className: 'jp-FeatureViz-player',
    children: [idle, stage, timeline, caption]
  });
  const gif = gifAction({
    filename: props.filename,
    count: () => frames.length,
    frames: animation,
    stored: () => stored?.result.gif ?? null,
    showsStored: () => stored !== null,
    rerun: props.onRerun
  });
  const bar = mountRunBar(
    node,
    {
      onCancel: props.onCancel,
      onRerun: props.onRerun,
      controls: props.controls,
      extras: [sparkline.node],
      saves: [
        pngAction({
          filename: props.filename,
          encode: props.encodeFigure ?? encodeFigureHere,
          ready: () => frames.length > 0,
          figure,
          stored: () => stored?.result.png ?? null
        }),
        gif
      ]
    },
    signal
  );
  host.appendChild(node);
  life.add(() => node.remove());
  life.add(() => playback.stop());
  const painter = paintScheduler(paintNewest, signal);

  scrubber.addEventListener(
    'input',
    () => {
      playback.stop();
      const index = Number(scrubber.value);
      follow = index === frames.length - 1;
      show(index);
    },
    { signal }
  );

  /** One cell per image shown, made when their number changes. */
  function layOut(count: number, captions: boolean): void {
    if (cells.length === count) {
      return;
    }
    cells = createCells(count, captions, props.labels);
    row.replaceChildren(...cells.map(c => c.node));
  }

  function show(index: number): void {
    const frame = frames[index];
    if (!frame) {
      return;
    }
    shown = index;
    node.classList.remove('jp-mod-stale');
    heldImage?.remove();
    heldImage = null;
    const scale = scaleFor(props, frame);
    const shownImages = shownIndices(props, frame);
    const captions = captioned(props, frame);
    layOut(shownImages.length, captions);
    row.style.columnGap = `${scale}px`;
    paintCells(cells, frame, shownImages, scale, captions);
    scrubber.value = String(index);
    stepLabel.textContent = `step ${frame.step} / ${frame.steps}`;
    caption.textContent = captionText(props, frame);
    row.setAttribute(
      'aria-label',
      `Visualization at step ${frame.step} of ${frame.steps}`
    );
  }

  /** The paint of one display frame: the newest frame, the sparkline. */
  function paintNewest(): void {
    if (follow) {
      show(frames.length - 1);
    }
    sparkline.update(sparkPoints);
    render();
  }

  function render(): void {
    node.dataset.state = run.state;
    bar.update(run);
    const hasFrames = frames.length > 0;
    holding &&= frames.length < 2;
    row.hidden = !hasFrames && !(holding && heldImage === null);
    idle.hidden = hasFrames || stored !== null || run.state !== 'idle';
    // Controls only when there is something to play.
    timeline.hidden = frames.length < 2 && !holding;
    play.disabled = frames.length < 2 || canCancel(run.state);
    scrubber.disabled = frames.length < 2;
  }

  function figure(): IFigure | null {
    const frame = frames[shown >= 0 ? shown : frames.length - 1];
    if (!frame) {
      return null;
    }
    return figureOf(figureSpecOf(props, frame), node);
  }

  /** Each frame at display scale, for the GIF. */
  function animation(): IImage[] {
    return animationOf(props, frames);
  }

  render();
  return {
    node,
    setRun(next: IRunState) {
      if (startsNewRun(run, next)) {
        // A new run: forget the last one's frames, but hold their place.
        holding = !row.hidden || stored !== null;
        node.classList.toggle('jp-mod-stale', holding);
        frames.length = 0;
        sparkPoints = [];
        shown = -1;
        follow = true;
        heldImage?.remove();
        heldImage = stored?.node ?? null;
        stored = null;
        stepLabel.textContent = '';
        sparkline.update([]);
      }
      const changed = next.state !== run.state;
      const finished = changed && next.state === 'done';
      run = next;
      if (changed) {
        render();
      } else {
        // Progress of a running job: drawn with its frame, once per display frame.
        painter.request();
      }
      if (finished) {
        void gif.whenDone();
      }
    },
    pushFrame(frame: IFrame) {
      frames.push(frame);
      if (frame.step > 0 && Number.isFinite(frame.value)) {
        sparkPoints.push({ step: frame.step, value: frame.value });
      }
      scrubber.max = String(frames.length - 1);
      painter.request();
    },
    showStored(result: IStoredImage) {
      stored?.node.remove();
      heldImage?.remove();
      heldImage = null;
      holding = false;
      node.classList.remove('jp-mod-stale');
      stored = {
        result,
        node: storedImage(result.png, undefined, result.width)
      };
      stage.prepend(stored.node);
      render();
    },
    figure,
    animation,
    dispose: () => life.dispose()
  };
};
