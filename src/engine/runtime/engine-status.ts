/**
 * What the engine reports about itself rather than about a job: its backend
 * and why, its probes, memory and restarts, the faults it noticed, and the
 * faults a test may inject.
 */
import type { BackendChoice, BackendName } from './capabilities';

/** A backend's measured speed (the ladder is ranked by these). */
export interface IProbeResult {
  readonly backend: BackendName;
  readonly ok: boolean;
  /** Median milliseconds of the probe's gradient step, after warm-up. */
  readonly msPerStep?: number;
  /** Milliseconds of the first step (shader compilation, WASM start). */
  readonly warmupMs?: number;
  /** WebGL through a software rasterizer (SwiftShader). */
  readonly software?: boolean;
  readonly error?: string;
}

export interface IEngineStatus {
  /** The backend jobs run on; null until the engine has started. */
  readonly backend: BackendName | null;
  /** The backends that can start here, fastest first once measured. */
  readonly available: readonly BackendName[];
  readonly choice: BackendChoice;
  /** Why this backend: pinned, measured fastest, or a fallback. */
  readonly reason: string;
  readonly probes: readonly IProbeResult[];
  /** Whether the engine runs in a Web Worker (the notebook never waits on it). */
  readonly worker: boolean;
  readonly queued: number;
  readonly running: boolean;
  /** The engine's tensor memory now (its leaks are visible from the page). */
  readonly memory?: IEngineMemory;
  /** Backends dropped after a fault (a lost context), with why. */
  readonly lost?: readonly {
    readonly backend: BackendName;
    readonly reason: string;
  }[];
  /** How many times the page replaced the engine's worker (hangs, faults). */
  readonly restarts?: number;
  /**
   * Engine workers batched jobs use, this one included (1: no pool; see
   * docs/architecture.md, "Memory and speed").
   */
  readonly workers?: number;
}

/** TensorFlow.js's memory figures, as the engine's status reports them. */
export interface IEngineMemory {
  readonly numTensors: number;
  readonly numBytes: number;
  /** WebGL texture bytes, where the backend reports them; else null. */
  readonly gpuBytes: number | null;
}

/**
 * A fault the engine noticed outside any one job's code path (a lost GPU
 * context): the page replaces the engine without that backend.
 */
export interface IEngineFault {
  readonly type: 'context-lost';
  readonly backend: BackendName;
  readonly reason: string;
}

/** Faults a test can inject, when the engine was started with test hooks. */
export type TestFault =
  | {
      readonly type: 'lose-context';
      /** Lose it as the running job's frame of this step is sent; now when omitted. */
      readonly atStep?: number;
    }
  | {
      /** A frame or progress event blocks the engine's thread this long. */
      readonly type: 'hang';
      readonly ms: number;
      /** At the frame of this step; at the next event when omitted. */
      readonly atStep?: number;
    };
