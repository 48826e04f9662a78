/**
 * The live histogram of a unit's value over the dataset (docs/architecture.md,
 * "The explorer"): an SVG drawn from histogram-plot.ts's geometry, coloured
 * by the theme's CSS variables (style/base.css) so it reads in light and dark
 * themes and follows a theme switch, with its heading and caption as text and
 * the exact bin counts in a table under a disclosure. Draws only what the
 * engine computed.
 */
import type { IUnitHistogram } from '../engine/dataset/top-examples';
import { h } from './dom';
import { formatValue } from './figure';
import {
  HISTOGRAM_SIZE,
  histogramCaption,
  histogramPlot,
  histogramTitle
} from './histogram-plot';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, String(value));
  }
  return node;
}

/** The histogram's section: heading, plot, caption and the bins' table. */
export function histogramSection(
  histogram: IUnitHistogram,
  unit: string,
  k: number
): HTMLElement {
  const { width, height } = HISTOGRAM_SIZE;
  const plot = histogramPlot(histogram, k, width, height);
  const title = histogramTitle(unit, histogram);
  const caption = histogramCaption(histogram);
  const node = svg('svg', {
    class: 'jp-FeatureViz-histogram-plot',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': `${title}. ${caption}`
  });
  const [left, top, right, bottom] = plot.area;
  for (const bar of plot.bars) {
    const rect = svg('rect', {
      class: `jp-FeatureViz-histogram-${bar.kind}`,
      x: bar.x,
      y: bar.y,
      width: bar.width,
      height: bar.height
    });
    const tip = svg('title', {});
    tip.textContent = bar.words;
    rect.appendChild(tip);
    node.appendChild(rect);
  }
  node.appendChild(
    svg('polyline', {
      class: 'jp-FeatureViz-histogram-axis',
      points: `${left},${top} ${left},${bottom} ${right},${bottom}`
    })
  );
  if (plot.threshold) {
    node.appendChild(
      svg('line', {
        class: 'jp-FeatureViz-histogram-threshold',
        x1: plot.threshold.x,
        x2: plot.threshold.x,
        y1: top - 2,
        y2: bottom
      })
    );
  }
  const labels = [
    ...plot.labels,
    ...(plot.threshold ? [plot.threshold.label] : [])
  ];
  for (const label of labels) {
    const text = svg('text', {
      class: 'jp-FeatureViz-histogram-label',
      x: label.x,
      y: label.y,
      'text-anchor': label.align
    });
    text.textContent = label.text;
    node.appendChild(text);
  }
  return h('section', {
    className: 'jp-FeatureViz-histogram',
    attrs: { 'data-count': String(histogram.count) },
    children: [
      h('div', { className: 'jp-FeatureViz-example-title', text: title }),
      node,
      h('div', { className: 'jp-FeatureViz-step', text: caption }),
      binsTable(histogram)
    ]
  });
}

/** Every bin's range and count, for reading exact values (and for tests). */
function binsTable(histogram: IUnitHistogram): HTMLElement {
  const { min, max, counts } = histogram;
  const width = (max - min) / Math.max(1, counts.length);
  const rows = counts.map((count, i) =>
    h('tr', {
      children: [
        h('td', {
          text: `${formatValue(min + i * width)} to ${formatValue(
            i === counts.length - 1 ? max : min + (i + 1) * width
          )}`
        }),
        h('td', {
          className: 'jp-FeatureViz-histogram-count',
          text: String(count)
        })
      ]
    })
  );
  return h('details', {
    className: 'jp-FeatureViz-example-values',
    children: [
      h('summary', { text: 'Counts per bin' }),
      h('table', {
        children: [
          h('thead', {
            children: [
              h('tr', {
                children: [
                  h('th', { text: 'Value' }),
                  h('th', { text: 'Examples' })
                ]
              })
            ]
          }),
          h('tbody', { children: rows })
        ]
      })
    ]
  });
}
