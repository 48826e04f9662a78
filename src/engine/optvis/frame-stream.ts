/**
 * Frames as a job sends them (docs/architecture.md, "Jobs"): each frame
 * with its progress and an ETA from the steady pace, and the summary of
 * the last one. A single run's frames and a pooled atlas's merged frames
 * go out the same way.
 */
import type { IJobContext } from '../runtime/jobs';
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import type { IOptimizationConfig } from './recipe';
import type { IFrame } from './render';

/** The kind-specific part of a gradient-ascent or atlas job's summary. */
export interface IAscentSummary {
  readonly steps: number;
  readonly seed: number;
  /** The objective at the last step (NaN before the first step). */
  readonly value: number;
  /** Each image's share of the objective at the last step. */
  readonly perImage: readonly number[];
  /** Milliseconds to the first step's frame (shader compilation, warm-up). */
  readonly firstFrameMs: number;
}

export class FrameStream {
  private readonly _seed: number;
  // The recipe decides the steps from the model: frames say how many.
  private _steps: number;
  private readonly _started = performance.now();
  private _firstFrameMs = 0;
  // Read before a frame is sent: sending transfers its buffers away.
  private _value = NaN;
  private _perImage: number[] = [];

  constructor(
    config: IOptimizationConfig,
    private readonly _context: Pick<IJobContext, 'emit'>
  ) {
    this._seed = config.seed ?? SPEC_DEFAULTS.Optimization.seed;
    this._steps = config.steps ?? 0;
  }

  /** Sends a frame with its progress and ETA. */
  send(frame: IFrame): void {
    const now = performance.now();
    if (frame.step === 1 || (this._firstFrameMs === 0 && frame.step > 0)) {
      this._firstFrameMs = now - this._started;
    }
    // ETA from the steady-state pace, not the warm-up.
    const steady =
      frame.step > 1
        ? (now - this._started - this._firstFrameMs) / (frame.step - 1)
        : null;
    this._steps = frame.steps;
    this._value = frame.value;
    this._perImage = Array.from(frame.perImage);
    this._context.emit({
      type: 'frame',
      frame,
      progress: frame.step / this._steps,
      etaMs: steady === null ? null : steady * (this._steps - frame.step)
    });
  }

  /** The summary of the last frame sent. */
  summary(): IAscentSummary {
    return {
      steps: this._steps,
      seed: this._seed,
      value: this._value,
      perImage: this._perImage,
      firstFrameMs: this._firstFrameMs
    };
  }
}

/** Sends each frame with its progress and ETA; summarizes the last one. */
export async function streamFrames(
  frames: AsyncGenerator<IFrame, IFrame, undefined>,
  config: IOptimizationConfig,
  context: Pick<IJobContext, 'emit'>
): Promise<IAscentSummary> {
  const stream = new FrameStream(config, context);
  for await (const frame of frames) {
    stream.send(frame);
  }
  return stream.summary();
}
