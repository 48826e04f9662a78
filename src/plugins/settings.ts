/**
 * The settings plugin: reads schema/settings.json through JupyterLab's
 * settings registry and provides the typed values as IFeatureVizSettings.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { SettingsModel } from '../config/settings';
import { IFeatureVizSettings } from '../tokens';

export const SETTINGS_PLUGIN_ID = 'jupyterlab-featureviz:settings';

/** Reads schema/settings.json through the settings registry. */
const settingsPlugin: JupyterFrontEndPlugin<IFeatureVizSettings> = {
  id: SETTINGS_PLUGIN_ID,
  description: 'Loads the Feature Viz settings and keeps them current.',
  autoStart: true,
  provides: IFeatureVizSettings,
  optional: [ISettingRegistry],
  activate: async (
    _app: JupyterFrontEnd,
    registry: ISettingRegistry | null
  ): Promise<IFeatureVizSettings> => {
    const model = new SettingsModel();
    if (!registry) {
      return model;
    }
    try {
      const settings = await registry.load(SETTINGS_PLUGIN_ID);
      model.update(settings.composite);
      settings.changed.connect(() => model.update(settings.composite));
    } catch (reason) {
      console.warn('Feature Viz: using default settings.', reason);
    }
    return model;
  }
};

export default settingsPlugin;
