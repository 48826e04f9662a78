/**
 * The engine's backend (docs/architecture.md, "One engine per page"): which
 * backends this browser has, their probes (measured once, or from the page's
 * cache), the one that is active, and why. The core asks it before every
 * job; the setting can pin one, and a backend whose context was lost in an
 * engine this one replaces is never used.
 */
import * as tf from '@tensorflow/tfjs';
import { PROBE_MACS, activateBackend, probeBackends } from './backends';
import {
  type BackendChoice,
  type BackendName,
  availableBackends,
  detectCapabilities
} from './capabilities';
import type { IEngineCoreOptions } from './core-options';
import type { IProbeResult } from './protocol';

export class BackendLadder {
  choice: BackendChoice;
  backend: BackendName | null = null;
  available: BackendName[] = [];
  probes: IProbeResult[] = [];
  reason = 'starting';

  constructor(
    private readonly _options: IEngineCoreOptions,
    private readonly _onActive: (backend: BackendName) => void
  ) {
    this.choice = _options.choice ?? 'auto';
  }

  /** Detects and measures the backends (or reads the cached probes). */
  async start(): Promise<void> {
    const capabilities = await detectCapabilities(this._options.scope);
    const candidates = availableBackends(capabilities).filter(
      b =>
        (!this._options.candidates || this._options.candidates.includes(b)) &&
        !this.isLost(b)
    );
    const cached = this._options.cachedProbes?.filter(
      p => !this.isLost(p.backend)
    );
    if (
      cached &&
      cached.length > 0 &&
      cached.every(p => candidates.includes(p.backend))
    ) {
      this.probes = [...cached];
    } else {
      this.probes = await probeBackends(candidates, {
        wasmPaths: this._options.wasmPaths
      });
    }
    this.available = this.probes.filter(p => p.ok).map(p => p.backend);
    await this.apply();
  }

  /** Activates the chosen backend, else the fastest measured, else CPU. */
  async apply(): Promise<void> {
    const measured = this.probes.filter(p => p.ok);
    const order = (
      this.choice === 'auto'
        ? measured.map(p => p.backend)
        : [this.choice, ...measured.map(p => p.backend)]
    ).filter(b => !this.isLost(b));
    for (const backend of order) {
      const probe = this.probes.find(p => p.backend === backend);
      if (probe?.software) {
        tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
      }
      if (await activateBackend(backend, this._options.wasmPaths)) {
        this.backend = backend;
        this._onActive(backend);
        const lost = this._options.lost?.find(l => l.backend === this.choice);
        if (this.choice !== 'auto' && backend === this.choice) {
          this.reason = 'pinned in settings';
        } else if (lost) {
          this.reason = `pinned ${lost.backend} stopped: ${lost.reason}; using ${backend}`;
        } else if (this.choice !== 'auto') {
          this.reason = `pinned ${this.choice} is not available here; using ${backend}`;
        } else {
          const ms = probe?.msPerStep;
          this.reason = `measured fastest here${ms !== undefined ? ` (${ms.toFixed(1)} ms per probe step)` : ''}`;
        }
        return;
      }
    }
    await activateBackend('cpu');
    this.backend = 'cpu';
    this.reason = 'no other backend started';
  }

  /** Whether `backend` was dropped after a fault. */
  isLost(backend: BackendName): boolean {
    return this._options.lost?.some(l => l.backend === backend) ?? false;
  }

  /** The probe's measured speed on `backend`, for time estimates. */
  probeSpeed(backend: BackendName): { macs: number; ms: number } | undefined {
    const ms = this.probes.find(p => p.backend === backend && p.ok)?.msPerStep;
    return ms === undefined ? undefined : { macs: PROBE_MACS, ms };
  }
}
