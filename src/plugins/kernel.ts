/**
 * The kernel plugin: one bridge per notebook kernel over the `featureviz`
 * comm (docs/architecture.md, "The kernel bridge"), provided as
 * IFeatureVizKernels. It adapts JupyterLab's kernel connection to the plain
 * IKernelLike of src/kernel, and drops a bridge when its notebook's kernel
 * changes, restarts or dies (the next use opens a new comm). Works in
 * JupyterLab and Notebook 7: both track notebooks with INotebookTracker.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import type { JSONObject } from '@lumino/coreutils';
import { FeatureVizError } from '../engine/errors';
import { KernelBridge } from '../kernel/bridge';
import { KernelDataCache } from '../kernel/data-cache';
import type { IKernelLike, Json } from '../kernel/comm';
import { IFeatureVizEngine, IFeatureVizKernels } from '../tokens';

/** A notebook's kernel connection (@jupyterlab/services' IKernelConnection). */
type KernelConnection = NonNullable<
  NonNullable<NotebookPanel['sessionContext']['session']>['kernel']
>;

/** A JupyterLab kernel connection as the bridge sees it. */
export function adaptKernel(kernel: KernelConnection): IKernelLike {
  return {
    id: kernel.id,
    openComm(target, data, handlers) {
      const comm = kernel.createComm(target);
      comm.onMsg = msg =>
        handlers.onMessage({
          data: msg.content.data as Json,
          buffers: (msg.buffers ?? []).map(b =>
            ArrayBuffer.isView(b) ? b : new Uint8Array(b)
          )
        });
      comm.onClose = () => handlers.onClose();
      // The bridge's JSON is Lumino's, with readonly fields and optional keys.
      comm.open(data as unknown as JSONObject);
      return {
        send: (message, buffers) =>
          void comm.send(
            message as unknown as JSONObject,
            undefined,
            buffers ? [...buffers] : []
          ),
        close: () => {
          if (!comm.isDisposed) {
            comm.close();
          }
        }
      };
    }
  };
}

const kernelPlugin: JupyterFrontEndPlugin<IFeatureVizKernels> = {
  id: 'jupyterlab-featureviz:kernel',
  description:
    'Connects Feature Viz outputs to their notebook kernel over the featureviz comm.',
  autoStart: true,
  provides: IFeatureVizKernels,
  requires: [IFeatureVizEngine],
  optional: [INotebookTracker],
  activate: (
    _app: JupyterFrontEnd,
    engine: IFeatureVizEngine,
    notebooks: INotebookTracker | null
  ): IFeatureVizKernels => {
    // One cache for the page: the same arrays from any kernel are fetched once.
    const cache = new KernelDataCache((key, arrays) =>
      engine.putArrays(key, arrays)
    );
    // Arrays and models put into the engine live in its worker: when the
    // worker is replaced (docs/architecture.md, "One engine per page"), the
    // next use must fetch them again.
    let restarts = 0;
    engine.statusChanged.connect((_, status) => {
      if ((status.restarts ?? 0) !== restarts) {
        restarts = status.restarts ?? 0;
        cache.clear();
      }
    });
    const bridges = new Map<
      NotebookPanel,
      { kernel: KernelConnection; bridge: KernelBridge }
    >();
    const drop = (panel: NotebookPanel) => {
      bridges.get(panel)?.bridge.dispose();
      bridges.delete(panel);
    };
    const watch = (panel: NotebookPanel) => {
      const context = panel.sessionContext;
      context.kernelChanged.connect(() => drop(panel));
      context.statusChanged.connect((_, status) => {
        // A restarted kernel forgot its comms and arrays.
        if (['restarting', 'autorestarting', 'dead'].includes(status)) {
          drop(panel);
        }
      });
      panel.disposed.connect(() => drop(panel));
    };
    notebooks?.forEach(watch);
    notebooks?.widgetAdded.connect((_, panel) => watch(panel));

    const bridgeOf = (panel: NotebookPanel): KernelBridge | null => {
      const kernel = panel.sessionContext.session?.kernel;
      if (!kernel) {
        return null;
      }
      let held = bridges.get(panel);
      if (held && held.kernel !== kernel) {
        drop(panel);
        held = undefined;
      }
      if (!held) {
        held = { kernel, bridge: new KernelBridge(adaptKernel(kernel)) };
        bridges.set(panel, held);
      }
      return held.bridge;
    };
    const bridgeFor = (node: HTMLElement) => {
      const panel = notebooks?.find(p => p.node.contains(node));
      return panel ? bridgeOf(panel) : null;
    };
    return {
      bridgeFor,
      ensureArrays: (node, key, signal) =>
        cache.ensure(
          key,
          () => {
            const bridge = bridgeFor(node);
            if (!bridge) {
              throw new FeatureVizError(
                'This output shows arrays from a kernel, but its notebook has no running kernel: start one and run the cell.'
              );
            }
            return bridge;
          },
          signal
        )
    };
  }
};

export default kernelPlugin;
