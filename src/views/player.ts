/**
 * The gradient-ascent player: the live image while the engine optimizes,
 * then play / pause / scrub through the frames, with the step and a sparkline
 * of the objective; the shared run bar below with PNG and GIF saves. Frames
 * are painted once per display frame, the newest one (scheduler.ts), each
 * image into a canvas of its own with its caption under it. A saved result
 * is shown at the live view's size; before any run, a line says that nothing
 * runs until asked.
 */
import type { IFrame } from '../engine/runtime/protocol';
import { button, h, storedImage } from './dom';
import { type IFigureSpec, formatValue } from './figure';
import {
  type IImage,
  autoScale,
  composeGrid,
  imageOf,
  paintImage
} from './frames';
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

const PLAY_INTERVAL_MS = 80;
const MAX_EXPORT_SIDE = 512;

/** One image of the row: its canvas, and its caption and value under it. */
interface ICell {
  readonly node: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly label: HTMLElement;
  readonly value: HTMLElement;
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
  let timer: ReturnType<typeof setInterval> | null = null;
  let stored: { result: IStoredImage; node: HTMLImageElement } | null = null;
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
    () => togglePlay(),
    signal
  );
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
  life.add(() => stopPlaying());
  const painter = paintScheduler(paintNewest, signal);

  scrubber.addEventListener(
    'input',
    () => {
      stopPlaying();
      const index = Number(scrubber.value);
      follow = index === frames.length - 1;
      show(index);
    },
    { signal }
  );

  function indices(frame: IFrame): number[] {
    return props.select === undefined
      ? Array.from({ length: frame.batch }, (_, i) => i)
      : [props.select];
  }

  function scaleFor(frame: IFrame): number {
    return (
      props.scale ?? autoScale(frame.width, frame.height, indices(frame).length)
    );
  }

  /** Whether captions go under the images: a row with labels. */
  function captioned(frame: IFrame): boolean {
    return (
      props.labels !== undefined &&
      props.select === undefined &&
      frame.batch > 1
    );
  }

  /** One cell per image shown, made when their number changes. */
  function layOut(count: number, captions: boolean): void {
    if (cells.length === count) {
      return;
    }
    cells = Array.from({ length: count }, (_, i) => {
      const canvas = h('canvas', { className: 'jp-FeatureViz-canvas' });
      const label = h('span', {
        className: 'jp-FeatureViz-label',
        text: captions ? (props.labels?.[i] ?? '') : ''
      });
      const value = h('span', { className: 'jp-FeatureViz-label-value' });
      label.hidden = value.hidden = !captions;
      return {
        canvas,
        label,
        value,
        node: h('div', {
          className: 'jp-FeatureViz-row-cell',
          children: [canvas, label, value]
        })
      };
    });
    row.replaceChildren(...cells.map(c => c.node));
  }

  function show(index: number): void {
    const frame = frames[index];
    if (!frame) {
      return;
    }
    shown = index;
    const scale = scaleFor(frame);
    const shownImages = indices(frame);
    const captions = captioned(frame);
    layOut(shownImages.length, captions);
    row.style.columnGap = `${scale}px`;
    shownImages.forEach((image, i) => {
      const cell = cells[i];
      paintImage(cell.canvas, frame, image);
      cell.canvas.style.width = `${frame.width * scale}px`;
      cell.canvas.style.height = `${frame.height * scale}px`;
      if (captions) {
        cell.value.textContent = formatValue(frame.perImage[image] ?? NaN);
      }
    });
    scrubber.value = String(index);
    stepLabel.textContent = `step ${frame.step} / ${frame.steps}`;
    const note = frame.notes?.[props.select ?? 0];
    caption.textContent = [
      frame.batch === 1 || props.select !== undefined ? note : undefined,
      frame.caption
    ]
      .filter(Boolean)
      .join(' — ');
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
    row.hidden = !hasFrames;
    idle.hidden = hasFrames || stored !== null || run.state !== 'idle';
    // Controls only when there is something to play.
    timeline.hidden = frames.length < 2;
    play.disabled = frames.length < 2 || canCancel(run.state);
    scrubber.disabled = frames.length < 2;
  }

  function togglePlay(): void {
    if (timer) {
      stopPlaying();
      return;
    }
    if (frames.length < 2) {
      return;
    }
    let index = shown >= frames.length - 1 ? 0 : shown + 1;
    play.textContent = '❚❚ Pause';
    play.setAttribute('aria-label', 'Pause the animation');
    timer = setInterval(() => {
      show(index);
      index += 1;
      if (index >= frames.length) {
        stopPlaying();
      }
    }, PLAY_INTERVAL_MS);
  }

  function stopPlaying(): void {
    if (timer) {
      clearInterval(timer);
      timer = null;
    }
    play.textContent = '▶ Play';
    play.setAttribute('aria-label', 'Play the animation');
  }

  function imagesOf(frame: IFrame): IImage[] {
    return indices(frame).map(i => imageOf(frame, i));
  }

  function figureSpec(frame: IFrame): IFigureSpec {
    const scale = scaleFor(frame);
    const captions = captioned(frame);
    return {
      images: imagesOf(frame),
      columns: indices(frame).length,
      labels: captions ? props.labels?.slice(0, frame.batch) : undefined,
      values: captions ? Array.from(frame.perImage) : undefined,
      displayScale: scale,
      // Cells are apart by the row's gap and the canvases' 1-pixel borders.
      displayGap: scale + 2
    };
  }

  function figure(): IFigure | null {
    const frame = frames[shown >= 0 ? shown : frames.length - 1];
    if (!frame) {
      return null;
    }
    return figureOf(figureSpec(frame), node);
  }

  /** Each frame at display scale (at most MAX_EXPORT_SIDE), for the GIF. */
  function animation(): IImage[] {
    return frames.map(frame => {
      const count = indices(frame).length;
      const scale = Math.max(
        1,
        Math.min(
          scaleFor(frame),
          Math.floor(
            MAX_EXPORT_SIDE / Math.max(frame.width * count, frame.height)
          )
        )
      );
      return composeGrid(imagesOf(frame), count, scale, 2);
    });
  }

  render();
  return {
    node,
    setRun(next: IRunState) {
      if (startsNewRun(run, next)) {
        // A new run: forget the last one's frames.
        frames.length = 0;
        sparkPoints = [];
        shown = -1;
        follow = true;
        stored?.node.remove();
        stored = null;
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
