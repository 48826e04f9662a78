/**
 * What an output says around its view: the spec's header, the note over a
 * saved result, and the messages shown instead of a view (an invalid spec, an
 * untrusted notebook, a view this version lacks). Text from the spec goes in
 * through textContent only (docs/architecture.md, "Trust and safety").
 */
import type { FeatureVizSpec, SpecError } from '../spec';
import { describeSpec } from '../spec/describe';
import {
  METHOD_NAMES,
  formatPercent,
  formatValue
} from '../views/attribution-words';
import { h } from '../views/dom';
import { mountMessage } from '../views/message';
import type { IStoredSummary } from './stored';

/** The title, the view's name, its subject and the model. */
export function specHeader(spec: FeatureVizSpec): HTMLElement {
  const { view, model, subject } = describeSpec(spec);
  return h('div', {
    className: 'jp-FeatureViz-header',
    children: [
      spec.title !== undefined &&
        h('div', { className: 'jp-FeatureViz-title', text: spec.title }),
      h('span', { className: 'jp-FeatureViz-view', text: view }),
      h('span', { className: 'jp-FeatureViz-subject', text: subject }),
      h('span', { className: 'jp-FeatureViz-model', text: model })
    ]
  });
}

/** "Saved result: 256 steps on wasm, objective 12.34. Re-run…" */
export function savedNote(summary: IStoredSummary): HTMLElement {
  return h('div', {
    className: 'jp-FeatureViz-saved',
    text: `Saved result: ${summaryWords(summary)}. Re-run to compute it again.`
  });
}

/** What a finished job did, in a few words, by kind. */
function summaryWords(summary: IStoredSummary): string {
  switch (summary.kind) {
    case 'gradient-ascent':
    case 'layer-atlas':
      return `${summary.steps} steps on ${summary.backend}${
        Number.isFinite(summary.value)
          ? `, objective ${summary.value.toPrecision(4)}`
          : ''
      }`;
    case 'top-examples':
      return `${summary.count.toLocaleString('en-US')} images on ${summary.backend}${
        summary.skipped ? ` (${summary.skipped} unreadable files skipped)` : ''
      }`;
    case 'occlusion':
      return `${summary.rows * summary.cols} positions of a ${summary.size}×${summary.size} square on ${summary.example}, ${summary.unit} ${formatValue(summary.value)}${
        summary.largestDrop
          ? `, largest drop ${formatPercent(summary.largestDrop.percent)}`
          : ''
      }`;
    case 'saliency':
      return `${summary.methods.map(m => METHOD_NAMES[m.method]).join(', ')} of ${summary.unit} on ${summary.example}`;
    case 'filters':
      return `the ${summary.kernelShape[3]} filters of ${summary.layer}`;
    case 'pca':
      return `${summary.count.toLocaleString('en-US')} images at ${summary.layer} on ${summary.backend}, ${summary.solver} solver${
        summary.selection.length
          ? `, ${summary.selection.length.toLocaleString('en-US')} selected`
          : ''
      }`;
  }
}

/** Over a saved result whose spec has changed since it was computed. */
export function staleNote(): HTMLElement {
  return h('div', {
    className: 'jp-FeatureViz-saved',
    text: 'Saved result of an earlier version of this output. Run it again to compute this one.'
  });
}

export function showInvalidSpec(host: HTMLElement, error: SpecError): void {
  mountMessage(host, {
    kind: 'error',
    title: 'This featureviz output has an invalid spec',
    detail: error.problem,
    code: error.field || undefined
  });
}

export function showUntrusted(host: HTMLElement): void {
  mountMessage(host, {
    kind: 'notice',
    title: 'Not run: this notebook is not trusted',
    detail:
      'Feature Viz computes nothing and loads no model for untrusted notebooks. Trust the notebook (command palette: "Trust Notebook") to get a Run button here, or run this cell again; trusting alone starts nothing.'
  });
}

export function showUnavailable(host: HTMLElement, spec: FeatureVizSpec): void {
  mountMessage(host, {
    kind: 'notice',
    title: `The ${describeSpec(spec).view} view is not available in this version`,
    detail:
      'Update jupyterlab-featureviz to compute it; a saved result, if any, is shown above.'
  });
}
