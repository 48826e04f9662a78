#!/usr/bin/env node
/**
 * Where a PCA pass's time goes (bench/pca-profile.ts): per-part totals of
 * one pass over the bundled digits, one WASM thread. Figures, not a test.
 *
 *   node bench/pca-profile.mjs [--layer conv2d] [--limit 10000]
 *                              [--batch 256] [--columns 22]
 */
import {
  ROOT,
  bundleForNode,
  machineLine,
  option,
  runJson,
  wasmDir
} from './common.mjs';

const bundle = await bundleForNode('bench/pca-profile.ts', 'pca-profile.cjs');
console.log(machineLine());
const row = runJson(process.execPath, [
  bundle,
  ROOT,
  wasmDir(),
  option('layer', 'conv2d'),
  String(option('limit', 10000)),
  String(option('batch', 256)),
  String(option('columns', 22))
]);
console.log(JSON.stringify(row, null, 1));
