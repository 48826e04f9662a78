/**
 * An output shown without its view: in an untrusted notebook (only the
 * stored image and a notice: no fetch, no compute, no markup from the spec;
 * docs/architecture.md, "Trust and safety"), or for a view this version
 * lacks.
 */
import type { FeatureVizSpec } from '../spec';
import { storedImage } from '../views/dom';
import { showUnavailable, showUntrusted } from './messages';
import type { IStoredResult } from './stored';

export function showWithoutView(
  node: HTMLElement,
  spec: FeatureVizSpec,
  stored: IStoredResult,
  trusted: boolean
): void {
  if (stored.png) {
    node.appendChild(storedImage(stored.png, undefined, stored.width));
  }
  if (trusted) {
    showUnavailable(node, spec);
    node.dataset.state = 'unavailable';
  } else {
    showUntrusted(node);
    node.dataset.state = 'untrusted';
  }
}
