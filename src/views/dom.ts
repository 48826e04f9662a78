/**
 * Builds DOM elements whose text is always set through `textContent`: strings
 * from a spec are untrusted (docs/architecture.md, "Trust and safety") and
 * never become markup. Also the two elements every view shares: a labelled
 * button, and the one `<img>` of a saved result.
 */
export interface IElementOptions {
  readonly className?: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children?: readonly (Node | null | undefined | false)[];
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: IElementOptions = {}
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) {
    node.className = options.className;
  }
  if (options.text !== undefined) {
    node.textContent = options.text;
  }
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    node.setAttribute(name, value);
  }
  for (const child of options.children ?? []) {
    if (child) {
      node.appendChild(child);
    }
  }
  return node;
}

/** A button with an accessible name (`label`) and visible `text`. */
export function button(
  label: string,
  text: string,
  onClick: () => void,
  signal: AbortSignal
): HTMLButtonElement {
  const node = h('button', {
    className: 'jp-FeatureViz-button jp-mod-styled',
    text,
    attrs: { type: 'button', 'aria-label': label, title: label }
  });
  node.addEventListener('click', onClick, { signal });
  return node;
}

/**
 * The image of a saved result: `png` is base64 that the stored-result reader
 * validated, so it can only ever be a data: URL of a PNG. It is shown at the
 * size the live view had (`width`, in screen pixels); a result saved without
 * its size (by an older version) is scaled up by a whole factor. Small
 * images stay pixelated; a figure drawn larger than it is shown is smoothed.
 */
export function storedImage(
  png: string,
  alt = 'Saved result of this visualization',
  width?: number
): HTMLImageElement {
  const image = h('img', {
    className: 'jp-FeatureViz-stored',
    attrs: { src: `data:image/png;base64,${png}`, alt }
  });
  if (width) {
    image.style.width = `${width}px`;
  }
  const fit = () => {
    const natural = image.naturalWidth;
    if (!natural) {
      return;
    }
    const shown =
      width ??
      natural *
        Math.max(
          1,
          Math.floor(
            Math.min(
              LEGACY_MAX_WIDTH / natural,
              LEGACY_MIN_HEIGHT / image.naturalHeight
            )
          )
        );
    image.style.width = `${shown}px`;
    image.classList.toggle('jp-mod-pixelated', shown > natural);
  };
  image.addEventListener('load', fit, { once: true });
  return image;
}

// An older saved result (no size): scaled up until it is about this wide
// or high, as the live view would have shown it.
const LEGACY_MAX_WIDTH = 880;
const LEGACY_MIN_HEIGHT = 224;
