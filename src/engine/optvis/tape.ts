/**
 * When a computation being recorded for gradients throws, TensorFlow.js
 * leaves the tensors its tape saved (kept clones) alive: tidy and scopes do
 * not free kept tensors. `TapeGuard` notes the active tape from inside the
 * recorded function, so that a failed step can free exactly those tensors.
 */
import * as tf from '@tensorflow/tfjs';

interface ITapeNode {
  saved?: tf.Tensor[];
}

export class TapeGuard {
  private _tape: ITapeNode[] | null = null;

  /** Call from inside the function whose gradient is being taken. */
  note(): void {
    // EngineState.activeTape is public in tfjs-core's typings of Engine.state.
    const state = tf.engine().state as unknown as {
      activeTape: ITapeNode[] | null;
    };
    this._tape = state.activeTape;
  }

  /** Frees what the noted tape saved; call after the step threw. */
  release(): void {
    for (const node of this._tape ?? []) {
      for (const t of node.saved ?? []) {
        if (!t.isDisposed) {
          t.dispose();
        }
      }
    }
    this._tape = null;
  }

  /** Forgets the tape of a step that finished (tfjs freed it). */
  clear(): void {
    this._tape = null;
  }
}
