import { type ISignal, Signal } from '@lumino/signaling';
import {
  type BackendChoice,
  type BackendName,
  type ICapabilities,
  type IProbeScope,
  availableBackends,
  detectCapabilities
} from './capabilities';

/** What the engine runs on, as shown on every output's badge. */
export interface IEngineStatus {
  /** The backend jobs run on; null until the capabilities are known. */
  readonly backend: BackendName | null;
  /** The backends that can start here, in ladder order. */
  readonly available: readonly BackendName[];
  /** The user's setting. */
  readonly choice: BackendChoice;
  /** Why this backend: pinned, measured fastest, or first on the ladder. */
  readonly reason: string;
  readonly capabilities: ICapabilities | null;
}

/**
 * The page's one engine (DESIGN.md §3). Views, the sidebar and the renderer
 * reach it through the `IFeatureVizEngine` token.
 */
export interface IFeatureVizEngine {
  /** The current status, probing the environment on first call. */
  status(): Promise<IEngineStatus>;
  /** Emits whenever the backend or its reason changes. */
  readonly statusChanged: ISignal<IFeatureVizEngine, IEngineStatus>;
  /** Applies the user's backend setting. */
  setBackendChoice(choice: BackendChoice): void;
}

/** Picks the backend for a choice among the available ones. */
export function chooseBackend(
  choice: BackendChoice,
  available: readonly BackendName[]
): { backend: BackendName; reason: string } {
  if (choice !== 'auto') {
    if (available.includes(choice)) {
      return { backend: choice, reason: 'pinned in settings' };
    }
    const fallback = available[0] ?? 'cpu';
    return {
      backend: fallback,
      reason: `pinned ${choice} is not available here; using ${fallback}`
    };
  }
  return {
    backend: available[0] ?? 'cpu',
    reason: 'first available on the ladder (not yet measured)'
  };
}

export class FeatureVizEngine implements IFeatureVizEngine {
  private _choice: BackendChoice;
  private _capabilities: Promise<ICapabilities> | null = null;
  private readonly _statusChanged = new Signal<
    IFeatureVizEngine,
    IEngineStatus
  >(this);

  constructor(
    choice: BackendChoice = 'auto',
    private readonly _scope?: IProbeScope
  ) {
    this._choice = choice;
  }

  get statusChanged(): ISignal<IFeatureVizEngine, IEngineStatus> {
    return this._statusChanged;
  }

  async status(): Promise<IEngineStatus> {
    this._capabilities ??= detectCapabilities(this._scope);
    const capabilities = await this._capabilities;
    const available = availableBackends(capabilities);
    const { backend, reason } = chooseBackend(this._choice, available);
    return { backend, available, choice: this._choice, reason, capabilities };
  }

  setBackendChoice(choice: BackendChoice): void {
    if (choice === this._choice) {
      return;
    }
    this._choice = choice;
    void this.status().then(status => this._statusChanged.emit(status));
  }
}
