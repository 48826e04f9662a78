/**
 * Extra build configuration, merged by @jupyter/builder into its own. Copies
 * the files the extension serves as static assets from the Jupyter server:
 * the bundled model and dataset (assets/) and TensorFlow.js's WebAssembly
 * binaries, so that nothing is downloaded from elsewhere at run time.
 */
const path = require('path');
const { CopyRspackPlugin } = require('@rspack/core');

const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));

module.exports = {
  // tfjs-backend-wasm's Emscripten loader reads __filename and __dirname on
  // Node only; in the browser build they are mocked, which is what we want.
  ignoreWarnings: [/"__(filename|dirname)" is used and has been mocked/],
  plugins: [
    new CopyRspackPlugin({
      patterns: [
        { from: 'assets', to: 'assets' },
        { from: path.join(wasmDir, '*.wasm'), to: 'assets/wasm/[name][ext]' }
      ]
    })
  ]
};
