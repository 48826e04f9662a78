/**
 * The explorer's layer tree: each layer's name, type, output shape and
 * parameter count, a filter box, and keyboard navigation (arrows, Home,
 * End; Enter or Space selects), with the ARIA roles of a tree
 * (docs/architecture.md, "The explorer").
 */
import type { ILayerInfo } from '../engine/model/inspect';
import { h } from '../views/dom';

/** "(None, 12, 12, 64)" as Keras prints a shape. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `(${shape.map(d => (d === null ? 'None' : String(d))).join(', ')})`;
}

/** Whether a layer matches the filter's text (name or type, any case). */
export function matchesFilter(layer: ILayerInfo, filter: string): boolean {
  const text = filter.trim().toLowerCase();
  return (
    text === '' ||
    layer.name.toLowerCase().includes(text) ||
    layer.className.toLowerCase().includes(text)
  );
}

export class LayerTree {
  readonly node: HTMLElement;
  private readonly _tree: HTMLElement;
  private readonly _items: HTMLElement[];
  private _selected: string | null = null;

  constructor(
    private readonly _layers: readonly ILayerInfo[],
    private readonly _select: (layer: ILayerInfo) => void,
    signal: AbortSignal
  ) {
    const filter = h('input', {
      className: 'jp-FeatureViz-explorer-filter jp-mod-styled',
      attrs: {
        type: 'search',
        placeholder: 'Filter layers',
        'aria-label': 'Filter layers by name or type'
      }
    });
    this._items = _layers.map((layer, i) =>
      h('li', {
        className: 'jp-FeatureViz-explorer-layer',
        attrs: {
          role: 'treeitem',
          'aria-level': '1',
          'aria-selected': 'false',
          tabindex: i === 0 ? '0' : '-1',
          'data-layer': layer.name,
          'aria-label': `${layer.name}, ${layer.className}, output ${formatShape(layer.outputShape)}, ${layer.params.toLocaleString('en-US')} parameters`
        },
        children: [
          h('span', {
            className: 'jp-FeatureViz-explorer-layer-name',
            text: layer.name
          }),
          h('span', {
            className: 'jp-FeatureViz-explorer-layer-type',
            text: layer.className
          }),
          h('span', {
            className: 'jp-FeatureViz-explorer-layer-shape',
            text: formatShape(layer.outputShape)
          }),
          h('span', {
            className: 'jp-FeatureViz-explorer-layer-params',
            text: `${layer.params.toLocaleString('en-US')} params`
          })
        ]
      })
    );
    this._tree = h('ul', {
      className: 'jp-FeatureViz-explorer-tree',
      attrs: { role: 'tree', 'aria-label': 'Layers' },
      children: this._items
    });
    filter.addEventListener('input', () => this._filter(filter.value), {
      signal
    });
    this._tree.addEventListener('click', event => this._onClick(event), {
      signal
    });
    this._tree.addEventListener('keydown', event => this._onKey(event), {
      signal
    });
    this.node = h('div', {
      className: 'jp-FeatureViz-explorer-layers',
      children: [filter, this._tree]
    });
  }

  /** Marks `name` selected (a restored selection) without asking again. */
  mark(name: string | null): void {
    this._selected = name;
    for (const item of this._items) {
      const on = item.dataset.layer === name;
      item.setAttribute('aria-selected', String(on));
      if (on) {
        this._focusable(item);
      }
    }
  }

  private _filter(text: string): void {
    this._layers.forEach((layer, i) => {
      this._items[i].hidden = !matchesFilter(layer, text);
    });
    const first = this._visible()[0];
    if (first && !this._visible().some(i => i.tabIndex === 0)) {
      this._focusable(first);
    }
  }

  private _visible(): HTMLElement[] {
    return this._items.filter(item => !item.hidden);
  }

  private _focusable(item: HTMLElement): void {
    for (const other of this._items) {
      other.tabIndex = other === item ? 0 : -1;
    }
  }

  private _choose(item: HTMLElement): void {
    const layer = this._layers[this._items.indexOf(item)];
    if (layer && layer.name !== this._selected) {
      this.mark(layer.name);
      this._select(layer);
    }
  }

  private _onClick(event: MouseEvent): void {
    const item = (event.target as Element).closest('li');
    if (item instanceof HTMLElement && this._items.includes(item)) {
      this._focusable(item);
      this._choose(item);
    }
  }

  private _onKey(event: KeyboardEvent): void {
    const visible = this._visible();
    const current = visible.indexOf(event.target as HTMLElement);
    if (current < 0) {
      return;
    }
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      Home: 0,
      End: visible.length - 1
    };
    if (event.key in moves) {
      const next =
        visible[Math.max(0, Math.min(visible.length - 1, moves[event.key]))];
      this._focusable(next);
      next.focus();
      event.preventDefault();
    } else if (event.key === 'Enter' || event.key === ' ') {
      this._choose(visible[current]);
      event.preventDefault();
    }
  }
}
