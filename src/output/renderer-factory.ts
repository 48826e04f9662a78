/**
 * What the renderer plugin registers with the rendermime registry: a
 * factory of featureviz outputs (renderer.ts) for the featureviz MIME type.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MIME_TYPE } from '../spec';
import { FeatureVizOutput } from './renderer';
import type { IRendererContext } from './renderer-context';

/** The factory the renderer plugin registers with the rendermime registry. */
export function createRendererFactory(
  context: IRendererContext
): IRenderMime.IRendererFactory {
  return {
    // Safe: it renders untrusted specs itself, as text and stored images only.
    safe: true,
    mimeTypes: [MIME_TYPE],
    defaultRank: 40,
    createRenderer: options => new FeatureVizOutput(options, context)
  };
}
