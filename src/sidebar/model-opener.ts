/**
 * Opening a model in the explorer: the bundled MNIST CNN, or a model.json
 * by a path on the Jupyter server or a URL (held to the settings' allowed
 * origins when it loads). Errors are said here, in the panel, and touch
 * nothing else (docs/architecture.md, "The explorer").
 */
import type { ModelRef } from '../spec';
import { h } from '../views/dom';

/** A path or URL as the spec's model reference; null when empty. */
export function modelRefOf(text: string): ModelRef | null {
  const value = text.trim();
  if (value === '') {
    return null;
  }
  if (value === 'mnist-cnn') {
    return { builtin: 'mnist-cnn' };
  }
  // A path from the file browser is from the server's root.
  return /^[a-z][a-z0-9+.-]*:/i.test(value) || value.startsWith('/')
    ? { url: value }
    : { url: `/${value}` };
}

export class ModelOpener {
  readonly node: HTMLElement;
  private readonly _input: HTMLInputElement;
  private readonly _message: HTMLElement;

  constructor(
    private readonly _open: (ref: ModelRef) => void,
    signal: AbortSignal
  ) {
    this._input = h('input', {
      className: 'jp-FeatureViz-explorer-url jp-mod-styled',
      attrs: {
        type: 'text',
        placeholder: 'path/to/model.json or https://…',
        'aria-label': 'Model path on the server, or URL'
      }
    });
    const bundled = h('button', {
      className:
        'jp-FeatureViz-button jp-mod-styled jp-FeatureViz-explorer-bundled',
      // Short enough for the sidebar's default width.
      text: 'Bundled MNIST CNN',
      attrs: { type: 'button', 'aria-label': 'Open the bundled MNIST CNN' }
    });
    const open = h('button', {
      className: 'jp-FeatureViz-button jp-mod-styled',
      text: 'Open',
      attrs: {
        type: 'submit',
        'aria-label': 'Open the model at this path or URL'
      }
    });
    const form = h('form', {
      className: 'jp-FeatureViz-explorer-openform',
      children: [this._input, open]
    });
    this._message = h('div', {
      className: 'jp-FeatureViz-explorer-message',
      attrs: { role: 'status', 'aria-live': 'polite' }
    });
    bundled.addEventListener(
      'click',
      () => this._open({ builtin: 'mnist-cnn' }),
      {
        signal
      }
    );
    form.addEventListener(
      'submit',
      event => {
        event.preventDefault();
        const ref = modelRefOf(this._input.value);
        if (ref) {
          this._open(ref);
        } else {
          this.say('Give a model.json path on the server or a URL.', true);
        }
      },
      { signal }
    );
    this.node = h('div', {
      className: 'jp-FeatureViz-explorer-opener',
      children: [bundled, form, this._message]
    });
  }

  /** Shows what happened: loading, or an error. */
  say(text: string, error = false): void {
    this._message.textContent = text;
    this._message.classList.toggle('jp-mod-error', error);
    this._message.setAttribute('role', error ? 'alert' : 'status');
  }
}
