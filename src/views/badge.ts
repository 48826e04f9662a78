/** The backend badge of the sidebar: which backend the engine runs on, and why. */
import type { IEngineStatus } from '../engine/runtime/protocol';
import { h } from './dom';

const BACKEND_LABELS: Record<string, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'CPU'
};

/** The small badge that names the backend a result was computed on. */
export function backendBadge(status: IEngineStatus | null): HTMLElement {
  const label = status?.backend
    ? (BACKEND_LABELS[status.backend] ?? status.backend)
    : '…';
  return h('span', {
    className: 'jp-FeatureViz-badge',
    text: label,
    attrs: {
      title: status
        ? `Backend: ${label} (${status.reason})`
        : 'Backend: probing',
      'aria-label': `Compute backend ${label}`
    }
  });
}
