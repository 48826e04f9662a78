/**
 * An output's link to the kernel that displayed it (docs/architecture.md,
 * "The kernel bridge"): Python gives each output that sends a result an id in
 * the output's metadata; when a run ends, the link sends the result (or the
 * failure) for that id, and `await out.result()` returns it in the kernel.
 * The bridge is looked up when needed: the output's node is in its notebook
 * by then, and a restarted kernel gets a new one.
 */
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type {
  IJobSummary,
  JobKind,
  JobResult
} from '../engine/runtime/protocol';
import type { IKernelBridge } from '../kernel/bridge';
import { kernelResult } from '../kernel/results';

/** Finds the bridge to the kernel of the notebook that shows a node. */
export type KernelLookup = (node: HTMLElement) => IKernelBridge | null;

/** The id Python put in an output's metadata, checked; null without one. */
export function readResultId(
  metadata: ReadonlyPartialJSONObject,
  mimeType: string
): string | null {
  const own = metadata[mimeType];
  const id =
    typeof own === 'object' && own !== null && !Array.isArray(own)
      ? (own as ReadonlyPartialJSONObject).resultId
      : undefined;
  return typeof id === 'string' && /^[0-9a-f]{32}$/.test(id) ? id : null;
}

export class KernelLink {
  constructor(
    private readonly _node: HTMLElement,
    private readonly _id: string,
    private readonly _lookup: KernelLookup
  ) {}

  /** Opens the comm, so the kernel knows a page will send the result. */
  attach(): void {
    this._bridge()?.attach();
  }

  /** Sends a finished run's result (kinds that have one). */
  done(kind: JobKind, result: JobResult | undefined, summary: IJobSummary) {
    const message = kernelResult(kind, result, summary);
    if (message) {
      this._try(bridge => bridge.sendResult(this._id, message));
    }
  }

  /** Tells the kernel the run failed or was cancelled: `.result()` raises it. */
  failed(message: string): void {
    this._try(bridge => bridge.sendFailure(this._id, message));
  }

  private _bridge(): IKernelBridge | null {
    try {
      return this._lookup(this._node);
    } catch {
      return null;
    }
  }

  /** A kernel that went away is no reason to fail the output's own run. */
  private _try(send: (bridge: IKernelBridge) => void): void {
    const bridge = this._bridge();
    if (!bridge) {
      return;
    }
    try {
      send(bridge);
    } catch (reason) {
      console.warn(
        'Feature Viz: could not send the result to the kernel.',
        reason
      );
    }
  }
}
