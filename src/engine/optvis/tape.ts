/**
 * When a computation being recorded for gradients throws, TensorFlow.js
 * leaves the tensors its tape saved (kept clones) alive: tidy and scopes do
 * not free kept tensors. When the backward pass throws (an op without a
 * gradient), the function's result, which the caller would have freed, is
 * left too. `TapeGuard` notes the active tape and the result from inside the
 * recorded function, so that a failed step can free exactly those tensors.
 */
import * as tf from '@tensorflow/tfjs';

interface ITapeNode {
  saved?: tf.Tensor[];
}

export class TapeGuard {
  private _tape: ITapeNode[] | null = null;
  private _result: tf.Tensor | null = null;

  /** Call from inside the function whose gradient is being taken. */
  note(): void {
    // EngineState.activeTape is public in tfjs-core's typings of Engine.state.
    const state = tf.engine().state as unknown as {
      activeTape: ITapeNode[] | null;
    };
    this._tape = state.activeTape;
  }

  /** Call with what the recorded function returns; returns it. */
  result<T extends tf.Tensor>(t: T): T {
    this._result = t;
    return t;
  }

  /** Frees what the noted tape saved; call after the step threw. */
  release(): void {
    if (this._result && !this._result.isDisposed) {
      this._result.dispose();
    }
    this._result = null;
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
    this._result = null;
  }
}
