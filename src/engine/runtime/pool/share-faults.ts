/**
 * What the pool says when a share fails (docs/architecture.md, "Memory and
 * speed"): a worker that stopped under a share, whether a reason is a
 * cancel (also one that crossed a worker's port, its class lost), and what
 * a share computes, for messages.
 */
import { CancelledError, FeatureVizError } from '../../errors';
import type { ShareRequest } from './share-protocol';

/** A pool worker stopped under a share. */
export class WorkerDiedError extends FeatureVizError {}

export function isCancel(reason: unknown): boolean {
  return (
    reason instanceof CancelledError ||
    (reason as Error | undefined)?.name === 'CancelledError'
  );
}

const ITEMS: { readonly [K in ShareRequest['kind']]: string } = {
  'activation-pass': 'examples',
  'pca-pass': 'examples',
  occlusion: 'positions',
  'gradient-samples': 'samples',
  'layer-atlas': "the atlas's images"
};

/** What a share computes, for messages. */
export function describeShare(share: ShareRequest): string {
  const [start, end] = share.range;
  return `${ITEMS[share.kind]} ${start} to ${end - 1}`;
}
