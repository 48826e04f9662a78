/**
 * The gradient-ascent player: the live image while the engine optimizes,
 * then play / pause / scrub through the frames, with the step and a sparkline
 * of the objective; the shared run bar below with PNG and GIF saves.
 */
import type { IFrame } from '../engine/runtime/protocol';
import { button, h, storedImage } from './dom';
import { type IImage, autoScale, composeGrid, imageOf, paint } from './frames';
import { mountRunBar } from './run-bar';
import { type IRunState, INITIAL, canCancel, startsNewRun } from './run-state';
import { gifAction, pngAction } from './save';
import { createSparkline } from './sparkline';
import { type IViewProps, type MountView, Lifetime } from './view';

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
  let stored: { png: string; node: HTMLImageElement } | null = null;

  const canvas = h('canvas', {
    className: 'jp-FeatureViz-canvas',
    attrs: { role: 'img', 'aria-label': 'Visualization' }
  });
  const labels = h('div', { className: 'jp-FeatureViz-labels' });
  const stage = h('div', {
    className: 'jp-FeatureViz-stage',
    children: [canvas, labels]
  });
  // What the engine's recipe did, and notes on the pictures.
  const caption = h('div', { className: 'jp-FeatureViz-caption' });
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
  const node = h('div', {
    className: 'jp-FeatureViz-player',
    children: [
      stage,
      h('div', {
        className: 'jp-FeatureViz-timeline',
        children: [play, scrubber, stepLabel]
      }),
      caption
    ]
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
          ready: () => frames.length > 0 || stored !== null,
          image: currentImage,
          stored: () => stored?.png ?? null
        }),
        gifAction({
          filename: props.filename,
          count: () => frames.length,
          frames: animation
        })
      ]
    },
    signal
  );
  host.appendChild(node);
  life.add(() => node.remove());
  life.add(() => stopPlaying());

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

  function count(frame: IFrame): number {
    return props.select === undefined ? frame.batch : 1;
  }

  function imagesOf(frame: IFrame): IImage[] {
    return props.select === undefined
      ? Array.from({ length: frame.batch }, (_, i) => imageOf(frame, i))
      : [imageOf(frame, props.select)];
  }

  function scaleFor(frame: IFrame): number {
    return props.scale ?? autoScale(frame.width, frame.height, count(frame));
  }

  function show(index: number): void {
    const frame = frames[index];
    if (!frame) {
      return;
    }
    shown = index;
    // Drawn at image resolution, scaled up by CSS (pixelated).
    const image = composeGrid(imagesOf(frame), count(frame), 1, 1);
    paint(canvas, image);
    const scale = scaleFor(frame);
    canvas.style.width = `${image.width * scale}px`;
    canvas.style.height = `${image.height * scale}px`;
    scrubber.value = String(index);
    stepLabel.textContent = `step ${frame.step} / ${frame.steps}`;
    const note = frame.notes?.[props.select ?? 0];
    caption.textContent = [
      frame.batch === 1 || props.select !== undefined ? note : undefined,
      frame.caption
    ]
      .filter(Boolean)
      .join(' — ');
    canvas.setAttribute(
      'aria-label',
      `Visualization at step ${frame.step} of ${frame.steps}`
    );
    if (
      props.labels &&
      props.select === undefined &&
      labels.childElementCount !== frame.batch
    ) {
      labels.replaceChildren(
        ...props.labels.slice(0, frame.batch).map(text => h('span', { text }))
      );
      labels.style.gridTemplateColumns = `repeat(${frame.batch}, ${frame.width * scale}px)`;
    }
  }

  function render(): void {
    node.dataset.state = run.state;
    bar.update(run);
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

  function displayImage(frame: IFrame): IImage {
    const scale = Math.max(
      1,
      Math.min(
        scaleFor(frame),
        Math.floor(
          MAX_EXPORT_SIDE / Math.max(frame.width * count(frame), frame.height)
        )
      )
    );
    return composeGrid(imagesOf(frame), count(frame), scale, 2);
  }

  function currentImage(): IImage | null {
    const frame = frames[shown >= 0 ? shown : frames.length - 1];
    return frame ? displayImage(frame) : null;
  }

  function animation(): IImage[] {
    return frames.map(displayImage);
  }

  render();
  return {
    node,
    setRun(next: IRunState) {
      if (startsNewRun(run, next)) {
        // A new run: forget the last one's frames.
        frames.length = 0;
        shown = -1;
        follow = true;
        stored?.node.remove();
        stored = null;
        canvas.hidden = false;
        sparkline.update([]);
      }
      run = next;
      render();
    },
    pushFrame(frame: IFrame) {
      frames.push(frame);
      scrubber.max = String(frames.length - 1);
      if (follow) {
        show(frames.length - 1);
      }
      sparkline.update(
        frames
          .filter(f => f.step > 0)
          .map(f => ({ step: f.step, value: f.value }))
      );
      render();
    },
    showStored(png: string) {
      stored?.node.remove();
      stored = { png, node: storedImage(png) };
      canvas.hidden = true;
      stage.prepend(stored.node);
      render();
    },
    currentImage,
    animation,
    dispose: () => life.dispose()
  };
};
