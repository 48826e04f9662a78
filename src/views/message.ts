/** Inline messages of an output: errors and notices, text only. */
import { h } from './dom';

/** An inline message in an output: an error, or a notice such as "untrusted". */
export interface IMessageProps {
  readonly kind: 'error' | 'notice';
  readonly title: string;
  readonly detail: string;
  /** A field or code to show in monospace under the detail. */
  readonly code?: string;
}

/**
 * Mounts a message into `host` and returns its cleanup. Errors are announced
 * to screen readers (role=alert); notices are polite status messages.
 */
export function mountMessage(
  host: HTMLElement,
  props: IMessageProps
): () => void {
  const node = h('div', {
    className: `jp-FeatureViz-message jp-FeatureViz-message-${props.kind}`,
    attrs: { role: props.kind === 'error' ? 'alert' : 'status' },
    children: [
      h('div', { className: 'jp-FeatureViz-message-title', text: props.title }),
      h('div', {
        className: 'jp-FeatureViz-message-detail',
        text: props.detail
      }),
      props.code !== undefined &&
        h('code', { className: 'jp-FeatureViz-message-code', text: props.code })
    ]
  });
  host.appendChild(node);
  return () => node.remove();
}
