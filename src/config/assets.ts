/**
 * URLs of the extension's static files (the bundled model and digits, the
 * WebAssembly binaries), served by the Jupyter server with the extension.
 */
// Set by the bundler: the URL of this extension's static folder.
declare let __webpack_public_path__: string;

export function staticUrl(): string {
  return new URL(__webpack_public_path__, document.baseURI).toString();
}

export function assetUrl(path: string): string {
  return new URL(`assets/${path}`, staticUrl()).toString();
}
