/**
 * The neuron card's options from the settings: the dataset, steps and image
 * size the explorer's cards run with (docs/architecture.md, "The explorer").
 */
import { SPEC_DEFAULTS } from '../spec/defaults.generated';
import type { DataRef } from '../spec';
import type { ISettingValues } from '../tokens';
import type { ICardOptions } from './card-spec';

/**
 * The explorer's dataset setting as the spec's data reference. The setting
 * is a path from the server's root; the spec names it from the root ('/…')
 * so that the card and the code it inserts read the same file, whatever
 * folder the notebook is in (a bare path would be the notebook's).
 */
export function explorerData(setting: string | undefined): DataRef {
  const path = (setting ?? '').trim().replace(/^\/+/, '');
  return path === ''
    ? { builtin: 'mnist', split: SPEC_DEFAULTS.BuiltinDataRef.split }
    : { path: `/${path}` };
}

/** The card's options from the settings. */
export function cardOptions(settings: ISettingValues): ICardOptions {
  return {
    data: explorerData(settings.explorerDataset),
    steps: settings.explorerSteps ?? null,
    size: settings.explorerImageSize ?? null
  };
}
