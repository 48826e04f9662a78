/**
 * The settings service: schema/settings.json's values, typed and checked in
 * one place, with a signal when they change.
 */
import { type ISignal, Signal } from '@lumino/signaling';
import type { BackendChoice } from '../engine/runtime/capabilities';
import type { IFeatureVizSettings, ISettingValues } from '../tokens';

export type { BackendChoice };

export const DEFAULT_SETTINGS: ISettingValues = Object.freeze({
  backend: 'auto',
  allowedOrigins: Object.freeze([]) as readonly string[],
  maxWeightsMB: 200,
  maxDatasetMB: 500,
  maxJobMemoryMB: 1024,
  maxJobMinutes: 10,
  keepFrames: false,
  maxWorkers: 0,
  explorerDataset: '',
  explorerSteps: null,
  explorerImageSize: null
});

const BACKEND_CHOICES: readonly BackendChoice[] = [
  'auto',
  'webgpu',
  'webgl',
  'wasm',
  'cpu'
];

function isBackendChoice(value: unknown): value is BackendChoice {
  return BACKEND_CHOICES.includes(value as BackendChoice);
}

/** A whole number within [low, high], else null (the engine decides). */
function wholeOrNull(value: unknown, low: number, high: number): number | null {
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= low &&
    value <= high
    ? value
    : null;
}

/**
 * Reads the settings registry's composite value into typed settings. The
 * registry validates against the schema already; this is the one place that
 * turns that untyped JSON into types, falling back to defaults field by field.
 */
export function readSettings(composite: unknown): ISettingValues {
  const raw =
    typeof composite === 'object' && composite !== null
      ? (composite as Record<string, unknown>)
      : {};
  const origins = Array.isArray(raw.allowedOrigins)
    ? raw.allowedOrigins.filter(
        (o): o is string =>
          typeof o === 'string' && /^https?:\/\/[^/]+$/.test(o)
      )
    : DEFAULT_SETTINGS.allowedOrigins;
  const positive = <
    K extends
      'maxWeightsMB' | 'maxDatasetMB' | 'maxJobMemoryMB' | 'maxJobMinutes'
  >(
    key: K
  ): number => {
    const value = raw[key];
    return typeof value === 'number' && Number.isFinite(value) && value > 0
      ? value
      : DEFAULT_SETTINGS[key];
  };
  return Object.freeze({
    backend: isBackendChoice(raw.backend)
      ? raw.backend
      : DEFAULT_SETTINGS.backend,
    allowedOrigins: Object.freeze([...origins]),
    maxWeightsMB: positive('maxWeightsMB'),
    maxDatasetMB: positive('maxDatasetMB'),
    maxJobMemoryMB: positive('maxJobMemoryMB'),
    maxJobMinutes: positive('maxJobMinutes'),
    keepFrames:
      typeof raw.keepFrames === 'boolean'
        ? raw.keepFrames
        : DEFAULT_SETTINGS.keepFrames,
    maxWorkers:
      Number.isInteger(raw.maxWorkers) && (raw.maxWorkers as number) >= 0
        ? (raw.maxWorkers as number)
        : DEFAULT_SETTINGS.maxWorkers,
    explorerDataset:
      typeof raw.explorerDataset === 'string'
        ? raw.explorerDataset.trim()
        : DEFAULT_SETTINGS.explorerDataset,
    explorerSteps: wholeOrNull(raw.explorerSteps, 1, 4096),
    explorerImageSize: wholeOrNull(raw.explorerImageSize, 8, 512)
  });
}

/** The current settings and a signal when they change. */
export class SettingsModel implements IFeatureVizSettings {
  private _current: ISettingValues;
  private readonly _changed = new Signal<this, ISettingValues>(this);

  constructor(initial: ISettingValues = DEFAULT_SETTINGS) {
    this._current = initial;
  }

  get current(): ISettingValues {
    return this._current;
  }

  get changed(): ISignal<this, ISettingValues> {
    return this._changed;
  }

  /** Replaces the settings from the registry's composite value. */
  update(composite: unknown): void {
    const next = readSettings(composite);
    if (JSON.stringify(next) !== JSON.stringify(this._current)) {
      this._current = next;
      this._changed.emit(next);
    }
  }
}
