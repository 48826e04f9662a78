/**
 * The engine panel: the backend in use and why, the engine's memory and
 * faults, and its job queue with Cancel per job and Cancel all
 * (docs/architecture.md, "The explorer").
 */
import type { IEngineStatus } from '../engine/runtime/protocol';
import type { IEngineJob, IFeatureVizEngine } from '../tokens';
import { backendBadge } from '../views/badge';
import { h } from '../views/dom';
import { describeFaults, describeMemory } from './engine-health';

/** "running, 40%" / "queued". */
export function describeJobState(job: IEngineJob): string {
  return job.state === 'running' && job.progress !== null
    ? `running, ${Math.round(job.progress * 100)}%`
    : job.state;
}

export class EnginePanel {
  readonly node: HTMLElement;
  private readonly _status = h('div', {
    className: 'jp-FeatureViz-sidebar-status'
  });
  private readonly _jobs = h('ul', {
    className: 'jp-FeatureViz-explorer-jobs',
    attrs: { 'aria-label': 'Engine jobs' }
  });
  private readonly _cancelAll: HTMLButtonElement;

  constructor(engine: IFeatureVizEngine, signal: AbortSignal) {
    this._cancelAll = h('button', {
      className:
        'jp-FeatureViz-button jp-mod-styled jp-FeatureViz-explorer-cancelall',
      text: 'Cancel all',
      attrs: { type: 'button', 'aria-label': 'Cancel all engine jobs' }
    });
    this._cancelAll.addEventListener('click', () => engine.queue?.cancelAll(), {
      signal
    });
    this._jobs.addEventListener(
      'click',
      event => {
        const id = (event.target as HTMLElement).closest('button')?.dataset.job;
        if (id !== undefined) {
          engine.queue?.cancel(Number(id));
        }
      },
      { signal }
    );
    this.node = h('div', {
      className: 'jp-FeatureViz-explorer-engine',
      children: [
        this._status,
        ...(engine.queue
          ? [
              h('div', {
                className: 'jp-FeatureViz-explorer-jobshead',
                children: [h('span', { text: 'Jobs' }), this._cancelAll]
              }),
              this._jobs
            ]
          : [])
      ]
    });
    engine.statusChanged.connect(this._onStatus, this);
    engine.queue?.changed.connect(this._onJobs, this);
    this._onJobs(null, engine.queue?.list() ?? []);
    void engine.status().then(status => {
      if (!signal.aborted) {
        this._onStatus(engine, status);
      }
    });
    signal.addEventListener(
      'abort',
      () => {
        engine.statusChanged.disconnect(this._onStatus, this);
        engine.queue?.changed.disconnect(this._onJobs, this);
      },
      { once: true }
    );
  }

  private _onJobs(_: unknown, jobs: readonly IEngineJob[]): void {
    this._jobs.dataset.count = String(jobs.length);
    this._cancelAll.disabled = jobs.length === 0;
    this._jobs.replaceChildren(
      ...(jobs.length === 0
        ? [
            h('li', {
              className: 'jp-FeatureViz-sidebar-detail',
              text: 'No jobs queued.'
            })
          ]
        : jobs.map(job =>
            h('li', {
              className: 'jp-FeatureViz-explorer-job',
              attrs: { 'data-state': job.state },
              children: [
                h('span', { text: `${job.label} — ${describeJobState(job)}` }),
                h('button', {
                  className: 'jp-FeatureViz-button jp-mod-styled',
                  text: 'Cancel',
                  attrs: {
                    type: 'button',
                    'data-job': String(job.id),
                    'aria-label': `Cancel ${job.label}`
                  }
                })
              ]
            })
          ))
    );
  }

  private _onStatus(_: IFeatureVizEngine, status: IEngineStatus): void {
    this._status.replaceChildren(
      h('div', {
        children: [h('span', { text: 'Backend: ' }), backendBadge(status)]
      }),
      h('div', {
        className: 'jp-FeatureViz-sidebar-detail',
        text: status.reason
      }),
      h('div', {
        className: 'jp-FeatureViz-sidebar-detail',
        text: `Available here: ${status.available.join(', ')}`
      }),
      ...(status.memory
        ? [
            h('div', {
              className: 'jp-FeatureViz-sidebar-memory',
              attrs: {
                'data-tensors': String(status.memory.numTensors),
                'data-bytes': String(status.memory.numBytes)
              },
              text: `Engine memory: ${describeMemory(status.memory)}`
            })
          ]
        : []),
      ...describeFaults(status).map(text =>
        h('div', { className: 'jp-FeatureViz-sidebar-detail', text })
      )
    );
  }
}
