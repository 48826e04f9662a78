/**
 * The engine's side of fault handling (docs/architecture.md, "One engine per
 * page"): it watches the active backend's GPU context, tells the running job
 * and the page when the context is lost (the page then replaces the engine
 * without that backend), and carries out the faults a UI test injects.
 */
import type { BackendName } from './capabilities';
import { loseContext, watchContext } from './context-loss';
import type { IEngineFault, JobEvent, TestFault } from './protocol';

type Listener = (event: JobEvent) => void;

export class EngineFaults {
  private _unwatch: () => void = () => undefined;
  private readonly _listeners = new Set<(fault: IEngineFault) => void>();
  /** The running job's listener: told at once when its context is lost. */
  private _running: Listener | null = null;
  /** Test hook: a frame or progress event blocks this long. */
  private _hangMs = 0;
  private _hangAtStep: number | null = null;
  /** Test hook: lose the context at the frame of this step. */
  private _loseAtStep: number | null = null;
  private _backend: BackendName | null = null;

  constructor(private readonly _testHooks: boolean) {}

  /** Watches `backend`'s GPU context from now on (context-loss.ts). */
  watch(backend: BackendName): void {
    this._backend = backend;
    this._unwatch();
    this._unwatch = watchContext(backend, reason => {
      // The running job may wait forever on a read from the lost context:
      // it is told now, and the page replaces this engine.
      this._running?.({ type: 'interrupted', backend, reason });
      this._running = null;
      for (const listener of this._listeners) {
        listener({ type: 'context-lost', backend, reason });
      }
    });
  }

  /** Listens for faults such as a lost context. */
  onFault(listener: (fault: IEngineFault) => void): void {
    this._listeners.add(listener);
  }

  /** The job now running (null: none). */
  running(listener: Listener | null): void {
    this._running = listener;
  }

  /** Forgets `listener` if it is still the running job's. */
  ended(listener: Listener): void {
    if (this._running === listener) {
      this._running = null;
    }
  }

  /**
   * Injects a fault on `backend` (UI tests only): loses its context, or
   * blocks the thread at the next frame or progress event. Refused unless
   * the engine was started with test hooks.
   */
  inject(fault: TestFault, backend: BackendName | null): boolean {
    if (!this._testHooks) {
      throw new Error('Feature Viz test hooks are off in this engine.');
    }
    if (fault.type === 'lose-context') {
      if (fault.atStep !== undefined) {
        this._loseAtStep = fault.atStep;
        return backend === 'webgl' || backend === 'webgpu';
      }
      return backend !== null && loseContext(backend);
    }
    this._hangMs = fault.ms;
    this._hangAtStep = fault.atStep ?? null;
    return true;
  }

  /**
   * Test hooks at a job's event: loses the context at the frame of the
   * armed step, or blocks the thread as a kernel that never returns would.
   */
  maybeHang(event: JobEvent): void {
    if (
      this._loseAtStep !== null &&
      event.type === 'frame' &&
      event.frame.step >= this._loseAtStep &&
      this._backend !== null
    ) {
      this._loseAtStep = null;
      loseContext(this._backend);
    }
    const due =
      this._hangAtStep === null
        ? event.type === 'frame' || event.type === 'progress'
        : event.type === 'frame' && event.frame.step >= this._hangAtStep;
    if (this._hangMs > 0 && due) {
      const until = Date.now() + this._hangMs;
      this._hangMs = 0;
      while (Date.now() < until) {
        // Busy on purpose: only the page's watchdog can end this.
      }
    }
  }
}
