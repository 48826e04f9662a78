/**
 * The scatter's legend (docs/architecture.md, "PCA"): one toggle button per
 * class (or value band, where a unit colours the points), its colour swatch
 * and name; a hidden class is marked pressed=false and its button says it
 * shows it again. Value bands get a title naming the unit.
 */
import { button, h } from '../dom';
import type { IPlotData } from './plot-data';
import { pointColours } from './plot';

export function legendButtons(
  data: IPlotData,
  hidden: ReadonlySet<number>,
  toggle: (category: number) => void,
  signal: AbortSignal
): HTMLElement[] {
  const colours = pointColours(data);
  const title = data.colourTitle
    ? [
        h('div', {
          className: 'jp-FeatureViz-pca-legend-title',
          text: data.colourTitle
        })
      ]
    : [];
  return [
    ...title,
    ...data.classNames.map((name, c) => {
      const entry = button(
        `${hidden.has(c) ? 'Show' : 'Hide'} class ${name}`,
        name,
        () => toggle(c),
        signal
      );
      entry.classList.add('jp-FeatureViz-pca-class');
      entry.setAttribute('aria-pressed', String(!hidden.has(c)));
      entry.prepend(
        h('span', {
          className: 'jp-FeatureViz-pca-swatch',
          attrs: { style: `background: ${colours[c]}` }
        })
      );
      return entry;
    })
  ];
}
