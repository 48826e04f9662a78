/**
 * The run bar every view shows under its images: the backend badge, the
 * status line (with the ETA) and progress; Cancel, Re-run and the view's save
 * buttons (PNG, GIF…); the error of a failed run. A view gives it the run's
 * state on every change and draws the rest itself (the player's timeline).
 */
import { button, h } from './dom';
import {
  type IRunState,
  canCancel,
  canStart,
  describeState
} from './run-state';
import type { ISaveAction } from './save';

export interface IRunBarProps {
  readonly onCancel?: () => void;
  readonly onRerun?: () => void;
  /** The view's save buttons, in order. */
  readonly saves: readonly ISaveAction[];
  /** The end of the status row (the player's sparkline). */
  readonly extras?: readonly Node[];
  /**
   * False for a view inside another view that shows the run (the atlas's
   * channel player): no badge, status, progress, Cancel, Re-run or error line
   * of its own, only its saves and extras.
   */
  readonly controls?: boolean;
}

export interface IRunBar {
  readonly node: HTMLElement;
  /** Draws the run's state and which saves are ready. */
  update(run: IRunState): void;
}

/** Mounts a run bar at the end of `host`; `signal` removes its listeners. */
export function mountRunBar(
  host: HTMLElement,
  props: IRunBarProps,
  signal: AbortSignal
): IRunBar {
  const controls = props.controls ?? true;
  const saves = props.saves.map(action => ({
    action,
    node: button(action.label(), action.text, () => void action.save(), signal)
  }));
  const status = h('div', {
    className: 'jp-FeatureViz-status',
    attrs: { role: 'status', 'aria-live': 'polite' }
  });
  const badge = h('span', {
    className: 'jp-FeatureViz-badge',
    attrs: { 'aria-label': 'Compute backend' }
  });
  const progress = h('progress', {
    className: 'jp-FeatureViz-progress',
    attrs: { max: '1', value: '0', 'aria-label': 'Progress' }
  });
  const cancel = button(
    'Cancel the run',
    'Cancel',
    () => props.onCancel?.(),
    signal
  );
  const rerun = button('Run again', 'Re-run', () => props.onRerun?.(), signal);
  // What the run button says: "Run" before anything ran, "Re-run" after.
  let firstRun: boolean | null = null;
  const error = h('div', {
    className: 'jp-FeatureViz-run-error',
    attrs: { role: 'alert' }
  });
  const extras = props.extras ?? [];
  const node = h('div', {
    className: 'jp-FeatureViz-run',
    children: [
      (controls || extras.length > 0) &&
        h('div', {
          className: 'jp-FeatureViz-runbar',
          children: controls
            ? [badge, status, progress, ...extras]
            : [...extras]
        }),
      h('div', {
        className: 'jp-FeatureViz-actions',
        children: [
          ...(controls ? [cancel, rerun] : []),
          ...saves.map(s => s.node)
        ]
      }),
      controls && error
    ]
  });
  host.appendChild(node);

  return {
    node,
    update(run: IRunState) {
      status.textContent =
        describeState(run) + (run.fallback ? ` (${run.fallback})` : '');
      badge.textContent = run.backend ? run.backend.toUpperCase() : '';
      badge.hidden = !run.backend;
      progress.value = run.progress;
      progress.hidden = !canCancel(run.state);
      cancel.disabled = !canCancel(run.state);
      rerun.disabled = !canStart(run.state);
      const idle = run.state === 'idle';
      if (idle !== firstRun) {
        firstRun = idle;
        rerun.textContent = idle ? 'Run' : 'Re-run';
        setLabel(rerun, idle ? 'Run the visualization' : 'Run again');
      }
      error.textContent = run.error ?? '';
      error.hidden = !run.error;
      for (const save of saves) {
        save.node.disabled = !save.action.ready();
        setLabel(save.node, save.action.label());
      }
    }
  };
}

/** Sets a button's accessible name and tooltip, when it changed. */
function setLabel(node: HTMLElement, label: string): void {
  if (node.getAttribute('aria-label') !== label) {
    node.setAttribute('aria-label', label);
    node.title = label;
  }
}
