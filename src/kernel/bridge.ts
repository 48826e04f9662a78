/**
 * The page's end of the `featureviz` comm with one kernel
 * (docs/architecture.md, "The kernel bridge"). The page opens the comm (the
 * Python package registers the target when it is imported), so a reloaded
 * page or a restarted kernel just opens a new one. Over it the page fetches
 * arrays by content key (binary buffers) and sends finished results back,
 * which `await out.result()` receives in the kernel.
 */
import { FeatureVizError } from '../engine/errors';
import type { ICommLike, ICommMessage, IKernelLike, JsonObject } from './comm';
import {
  COMM_TARGET,
  type INamedArray,
  WIRE_VERSION,
  decodeArrays,
  encodeArrays,
  readKernelMessage
} from './wire';

/** A finished job's result as the kernel receives it. */
export interface IKernelResult {
  /** The job's kind (e.g. "top-examples"). */
  readonly kind: string;
  /** The job's summary, plain JSON. */
  readonly summary: JsonObject;
  /** Its arrays, sent as binary buffers. */
  readonly arrays: readonly INamedArray[];
}

/** What the output asks of its kernel. */
export interface IKernelBridge {
  /**
   * Opens the comm if it is not open, so that the kernel knows a page with
   * the extension is attached (`.result()` refuses to wait otherwise).
   */
  attach(): void;
  /** The arrays the kernel holds under `key` (a content hash). */
  fetchArrays(key: string, signal?: AbortSignal): Promise<INamedArray[]>;
  /** Sends a finished run's result for the displayed output `id`. */
  sendResult(id: string, result: IKernelResult): void;
  /** Tells the kernel that the run of output `id` failed or was cancelled. */
  sendFailure(id: string, message: string): void;
}

export interface IBridgeOptions {
  /** How long to wait for the kernel's answer (it may be running a cell). */
  readonly timeoutMs?: number;
}

interface IPending {
  readonly resolve: (arrays: INamedArray[]) => void;
  readonly reject: (reason: Error) => void;
}

const CLOSED =
  'The kernel closed the featureviz comm: run `import featureviz` in this notebook (after a restart, run the cells again).';

export class KernelBridge implements IKernelBridge {
  private _comm: ICommLike | null = null;
  private _next = 1;
  private readonly _pending = new Map<number, IPending>();
  private _disposed = false;
  /** Messages sent and received (tests count them). */
  readonly counts = { sent: 0, received: 0 };

  constructor(
    private readonly _kernel: IKernelLike,
    private readonly _options: IBridgeOptions = {}
  ) {}

  get kernelId(): string {
    return this._kernel.id;
  }

  attach(): void {
    this._open();
  }

  fetchArrays(key: string, signal?: AbortSignal): Promise<INamedArray[]> {
    if (signal?.aborted) {
      return Promise.reject(new DOMException('Cancelled', 'AbortError'));
    }
    const request = this._next++;
    const timeoutMs = this._options.timeoutMs ?? 120000;
    return new Promise<INamedArray[]>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this._pending.delete(request);
      };
      const onAbort = () => {
        finish();
        reject(new DOMException('Cancelled', 'AbortError'));
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new FeatureVizError(
            `The kernel did not send the data in ${Math.round(timeoutMs / 1000)} s: is it busy running a cell?`
          )
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this._pending.set(request, {
        resolve: arrays => {
          finish();
          resolve(arrays);
        },
        reject: reason => {
          finish();
          reject(reason);
        }
      });
      try {
        this._send({ type: 'fetch', request, key });
      } catch (reason) {
        this._pending.get(request)?.reject(reason as Error);
      }
    });
  }

  sendResult(id: string, result: IKernelResult): void {
    const { arrays, buffers } = encodeArrays(result.arrays);
    this._send(
      {
        type: 'result',
        id,
        kind: result.kind,
        summary: result.summary,
        arrays: arrays.map(a => ({ ...a }))
      },
      buffers
    );
  }

  sendFailure(id: string, message: string): void {
    this._send({ type: 'failed', id, message });
  }

  /** Closes the comm and fails what waits on it (the kernel went away). */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._comm?.close();
    this._closed();
  }

  private _send(data: JsonObject, buffers?: readonly ArrayBuffer[]): void {
    this._open().send(data, buffers);
    this.counts.sent++;
  }

  private _open(): ICommLike {
    if (this._disposed) {
      throw new FeatureVizError(
        'This kernel is gone (restarted or shut down): run the cell again.'
      );
    }
    this._comm ??= this._kernel.openComm(
      COMM_TARGET,
      { version: WIRE_VERSION },
      {
        onMessage: message => this._onMessage(message),
        onClose: () => this._closed()
      }
    );
    return this._comm;
  }

  /** The comm is gone: the next use opens a new one. */
  private _closed(): void {
    this._comm = null;
    for (const pending of [...this._pending.values()]) {
      pending.reject(new FeatureVizError(CLOSED));
    }
  }

  private _onMessage(message: ICommMessage): void {
    this.counts.received++;
    const read = readKernelMessage(message.data);
    const pending = read && this._pending.get(read.request);
    if (!read || !pending) {
      return;
    }
    if (read.type === 'error') {
      pending.reject(new FeatureVizError(read.message));
      return;
    }
    try {
      pending.resolve(decodeArrays(read.arrays, message.buffers));
    } catch (reason) {
      pending.reject(reason as Error);
    }
  }
}
