import { Token } from '@lumino/coreutils';
import type { SettingsModel } from '../config/settings';
import type { IFeatureVizEngine as IEngine } from '../engine/runtime/engine';

/** The page's one Feature Viz engine: backend, scheduler, model cache. */
export type IFeatureVizEngine = IEngine;
export const IFeatureVizEngine = new Token<IFeatureVizEngine>(
  'jupyterlab-featureviz:IFeatureVizEngine',
  'The page-wide Feature Viz engine: it runs visualizations on one TensorFlow.js backend, one job at a time.'
);

/** The user's Feature Viz settings, typed, with a signal when they change. */
export type IFeatureVizSettings = SettingsModel;
export const IFeatureVizSettings = new Token<IFeatureVizSettings>(
  'jupyterlab-featureviz:IFeatureVizSettings',
  'The Feature Viz settings (backend, allowed model origins, size caps), read in one typed place.'
);
