/**
 * The gradient-ascent player: the live image while the engine optimizes,
 * then play / pause / scrub through the frames; step counter, objective
 * sparkline, backend badge, state and ETA; Cancel, Re-run, PNG and GIF.
 *
 * A view draws what it is given and computes nothing (DESIGN.md §2). It is
 * mounted into a host and disposed with an AbortSignal or dispose(); either
 * removes every listener and timer it made.
 */
import type { IFrame } from '../engine/runtime/protocol';
import { h } from './dom';
import { download, gifBytes, pngBlob } from './export';
import { type IImage, autoScale, composeGrid, imageOf, paint } from './frames';
import {
  type IRunState,
  INITIAL,
  canCancel,
  canStart,
  describeState
} from './run-state';
import { createSparkline } from './sparkline';

export interface IPlayerProps {
  /** Draw this image of each frame's batch; all of them in a row when omitted. */
  readonly select?: number;
  /** A caption under each image of a row (e.g. the digit of each logit). */
  readonly labels?: readonly string[];
  /** Screen pixels per image pixel; chosen from the image size when omitted. */
  readonly scale?: number;
  /** Base of the names of exported files. */
  readonly filename: string;
  readonly onCancel?: () => void;
  readonly onRerun?: () => void;
}

export interface IPlayer {
  readonly node: HTMLElement;
  setRun(run: IRunState): void;
  pushFrame(frame: IFrame): void;
  /** Shows a saved PNG (base64) instead of frames. */
  showStored(png: string): void;
  /** The image shown now, at display scale (for saving in the notebook). */
  currentImage(): IImage | null;
  /** All frames as images at display scale (for a GIF). */
  animation(): IImage[];
  dispose(): void;
}

const PLAY_INTERVAL_MS = 80;
const MAX_EXPORT_SIDE = 512;

function button(
  label: string,
  text: string,
  onClick: () => void,
  signal: AbortSignal
): HTMLButtonElement {
  const node = h('button', {
    className: 'jp-FeatureViz-button jp-mod-styled',
    text,
    attrs: { type: 'button', 'aria-label': label, title: label }
  });
  node.addEventListener('click', onClick, { signal });
  return node;
}

export function mountPlayer(
  host: HTMLElement,
  props: IPlayerProps,
  options: { signal?: AbortSignal } = {}
): IPlayer {
  const controller = new AbortController();
  const { signal } = controller;
  options.signal?.addEventListener('abort', () => dispose(), {
    once: true,
    signal
  });

  const frames: IFrame[] = [];
  let run: IRunState = INITIAL;
  let shown = -1;
  let follow = true;
  let timer: ReturnType<typeof setInterval> | null = null;
  let stored: HTMLImageElement | null = null;

  const canvas = h('canvas', {
    className: 'jp-FeatureViz-canvas',
    attrs: { role: 'img', 'aria-label': 'Visualization' }
  });
  const labels = h('div', { className: 'jp-FeatureViz-labels' });
  const stage = h('div', {
    className: 'jp-FeatureViz-stage',
    children: [canvas, labels]
  });
  const status = h('div', {
    className: 'jp-FeatureViz-status',
    attrs: { role: 'status', 'aria-live': 'polite' }
  });
  const badge = h('span', {
    className: 'jp-FeatureViz-badge',
    attrs: { 'aria-label': 'Compute backend' }
  });
  const progress = h('progress', {
    className: 'jp-FeatureViz-progress',
    attrs: { max: '1', value: '0', 'aria-label': 'Progress' }
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
  const cancel = button(
    'Cancel the run',
    'Cancel',
    () => props.onCancel?.(),
    signal
  );
  const rerun = button('Run again', 'Re-run', () => props.onRerun?.(), signal);
  const png = button(
    'Save the image as PNG',
    'PNG',
    () => void exportPng(),
    signal
  );
  const gif = button(
    'Save the animation as GIF',
    'GIF',
    () => exportGif(),
    signal
  );
  const error = h('div', {
    className: 'jp-FeatureViz-run-error',
    attrs: { role: 'alert' }
  });

  const node = h('div', {
    className: 'jp-FeatureViz-player',
    children: [
      stage,
      h('div', {
        className: 'jp-FeatureViz-timeline',
        children: [play, scrubber, stepLabel]
      }),
      h('div', {
        className: 'jp-FeatureViz-runbar',
        children: [badge, status, progress, sparkline.node]
      }),
      h('div', {
        className: 'jp-FeatureViz-actions',
        children: [cancel, rerun, png, gif]
      }),
      error
    ]
  });
  host.appendChild(node);

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
    status.textContent =
      describeState(run) + (run.fallback ? ` (${run.fallback})` : '');
    node.dataset.state = run.state;
    badge.textContent = run.backend ? run.backend.toUpperCase() : '';
    badge.hidden = !run.backend;
    progress.value = run.progress;
    progress.hidden = run.state !== 'running' && run.state !== 'queued';
    cancel.disabled = !canCancel(run.state);
    rerun.disabled = !canStart(run.state);
    const hasFrames = frames.length > 0;
    png.disabled = !hasFrames && !stored;
    gif.disabled = frames.length < 2;
    play.disabled =
      frames.length < 2 || run.state === 'running' || run.state === 'queued';
    scrubber.disabled = frames.length < 2;
    error.textContent = run.error ?? '';
    error.hidden = !run.error;
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

  async function exportPng(): Promise<void> {
    const image = currentImage();
    if (image) {
      download(await pngBlob(image), `${props.filename}.png`);
    } else if (stored) {
      const bytes = Uint8Array.from(
        atob(stored.src.replace(/^data:image\/png;base64,/, '')),
        c => c.charCodeAt(0)
      );
      download(
        new Blob([bytes], { type: 'image/png' }),
        `${props.filename}.png`
      );
    }
  }

  function exportGif(): void {
    const images = animation();
    if (images.length > 1) {
      download(
        new Blob([gifBytes(images)], { type: 'image/gif' }),
        `${props.filename}.gif`
      );
    }
  }

  function currentImage(): IImage | null {
    const frame = frames[shown >= 0 ? shown : frames.length - 1];
    return frame ? displayImage(frame) : null;
  }

  function animation(): IImage[] {
    return frames.map(displayImage);
  }

  function dispose(): void {
    if (signal.aborted) {
      return;
    }
    stopPlaying();
    controller.abort();
    node.remove();
  }

  render();
  return {
    node,
    setRun(next: IRunState) {
      if (
        next.state === 'queued' &&
        run.state !== 'queued' &&
        run.state !== 'running'
      ) {
        // A new run: forget the last one's frames.
        frames.length = 0;
        shown = -1;
        follow = true;
        stored?.remove();
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
    showStored(pngData: string) {
      stored?.remove();
      stored = h('img', {
        className: 'jp-FeatureViz-stored',
        attrs: {
          src: `data:image/png;base64,${pngData}`,
          alt: 'Saved result of this visualization'
        }
      });
      canvas.hidden = true;
      stage.prepend(stored);
      render();
    },
    currentImage,
    animation,
    dispose
  };
}
