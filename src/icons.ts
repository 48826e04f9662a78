/** The extension's icons (the Feature Viz eye in the sidebar and palette). */
import { LabIcon } from '@jupyterlab/ui-components';
import logoSvg from '../style/icons/featureviz.svg';

/** The extension's icon: the sidebar tab, the settings editor, the palette. */
export const featureVizIcon = new LabIcon({
  name: 'featureviz:logo',
  svgstr: logoSvg
});
