/**
 * The player's Play / Pause: steps through the frames on a timer from the
 * one after the shown one (from the first at the end), and stops at the
 * last; the button says which it will do.
 */

const PLAY_INTERVAL_MS = 80;

/** What playback steps through; read at every tick, as frames keep coming. */
export interface IPlaybackFrames {
  count(): number;
  shown(): number;
  show(index: number): void;
}

export interface IPlayback {
  /** Plays, or pauses when playing. */
  toggle(): void;
  stop(): void;
}

export function createPlayback(
  play: HTMLButtonElement,
  frames: IPlaybackFrames
): IPlayback {
  let timer: ReturnType<typeof setInterval> | null = null;

  function stop(): void {
    if (timer) {
      clearInterval(timer);
      timer = null;
    }
    play.textContent = '▶ Play';
    play.setAttribute('aria-label', 'Play the animation');
  }

  function toggle(): void {
    if (timer) {
      stop();
      return;
    }
    if (frames.count() < 2) {
      return;
    }
    const shown = frames.shown();
    let index = shown >= frames.count() - 1 ? 0 : shown + 1;
    play.textContent = '❚❚ Pause';
    play.setAttribute('aria-label', 'Pause the animation');
    timer = setInterval(() => {
      frames.show(index);
      index += 1;
      if (index >= frames.count()) {
        stop();
      }
    }, PLAY_INTERVAL_MS);
  }

  return { toggle, stop };
}
