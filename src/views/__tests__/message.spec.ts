/** Messages and the backend badge: untrusted text stays text. */
import { mountMessage } from '../message';
import { backendBadge } from '../badge';

describe('mountMessage', () => {
  it('puts untrusted strings in as text, never markup', () => {
    const host = document.createElement('div');
    const hostile = '<img src=x onerror="alert(1)">';
    const cleanup = mountMessage(host, {
      kind: 'error',
      title: hostile,
      detail: hostile,
      code: hostile
    });
    expect(host.querySelector('img')).toBeNull();
    expect(host.textContent).toContain(hostile);
    expect(host.querySelector('[role=alert]')).not.toBeNull();
    cleanup();
    expect(host.childNodes).toHaveLength(0);
  });

  it('announces notices politely', () => {
    const host = document.createElement('div');
    mountMessage(host, { kind: 'notice', title: 't', detail: 'd' });
    expect(host.querySelector('[role=status]')).not.toBeNull();
    expect(host.querySelector('code')).toBeNull();
  });
});

describe('backendBadge', () => {
  it('names the backend and why', () => {
    const badge = backendBadge({
      backend: 'wasm',
      available: ['wasm', 'cpu'],
      choice: 'auto',
      reason: 'measured fastest',
      probes: [],
      worker: true,
      queued: 0,
      running: false
    });
    expect(badge.textContent).toBe('WASM');
    expect(badge.title).toContain('measured fastest');
    expect(backendBadge(null).textContent).toBe('…');
  });
});
