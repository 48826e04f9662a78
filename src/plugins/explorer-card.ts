/**
 * The neuron card's place in the main area (docs/architecture.md, "The
 * explorer"): one tab, "Neuron card: model/layer/unit", opened beside the
 * notebook the first time a unit is selected and reused for the next unit
 * (as a help or inspector panel is), tracked so that the layout restorer puts
 * it back where it was after a reload (the sidebar keeps the keyboard: the
 * tab opens without taking focus, and "Show card" brings it to the front); the explorer's own restore then fills
 * it with the selected unit's card. Closing the tab cancels the card's runs.
 */
import type { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { featureVizIcon } from '../icons';
import type { ICardArea } from '../sidebar/host';
import { h } from '../views/dom';

export const SHOW_CARD_COMMAND = 'featureviz:show-neuron-card';

const EMPTY =
  'Select a unit in the Feature Viz sidebar (a layer, then one of its cells) to see its card here.';

export function cardArea(
  app: JupyterFrontEnd,
  restorer: ILayoutRestorer | null
): ICardArea {
  const tracker = new WidgetTracker<MainAreaWidget>({
    namespace: 'featureviz-neuron-card'
  });
  let widget: MainAreaWidget | null = null;
  let onClosed: (() => void) | null = null;

  /** The tab, made (empty) and added to the main area if it is not there. */
  const ensure = (): MainAreaWidget => {
    if (widget && !widget.isDisposed) {
      return widget;
    }
    const content = new Widget();
    content.addClass('jp-FeatureViz-cardarea');
    content.node.append(
      h('p', { className: 'jp-FeatureViz-sidebar-detail', text: EMPTY })
    );
    const made = new MainAreaWidget({ content });
    made.id = 'jp-featureviz-neuron-card';
    made.title.label = 'Neuron card';
    made.title.icon = featureVizIcon;
    made.title.closable = true;
    made.disposed.connect(() => {
      const closed = onClosed;
      onClosed = null;
      widget = null;
      closed?.();
    });
    widget = made;
    void tracker.add(made);
    // Beside the notebook, without taking the keyboard from the sidebar's
    // grid: arrow keys go on choosing units while the card follows.
    app.shell.add(made, 'main', { mode: 'split-right', activate: false });
    return made;
  };

  app.commands.addCommand(SHOW_CARD_COMMAND, {
    label: 'Show the Feature Viz Neuron Card',
    caption: "Show the card of the explorer's selected unit",
    icon: featureVizIcon,
    execute: () => {
      app.shell.activateById(ensure().id);
    }
  });
  void restorer?.restore(tracker, {
    command: SHOW_CARD_COMMAND,
    name: () => 'neuron-card'
  });

  return {
    show(id, node, closed) {
      const tab = ensure();
      onClosed = closed;
      tab.content.node.replaceChildren(node);
      tab.title.label = `Neuron card: ${id}`;
      tab.title.caption = `The Feature Viz card of ${id}`;
    },
    reveal() {
      if (!widget || widget.isDisposed) {
        return false;
      }
      app.shell.activateById(widget.id);
      return true;
    },
    close() {
      onClosed = null;
      widget?.dispose();
    }
  };
}
