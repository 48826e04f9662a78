#!/usr/bin/env node
/**
 * Where an atlas step's time goes at each batch size (bench/atlas-profile.ts):
 * ms per step, per channel-step and in kernels, one WASM thread, for the
 * batches a pooled atlas's shares run. Figures, not a test.
 *
 *   node bench/atlas-profile.mjs [--steps 16] [--batches 16,32,64]
 */
import {
  ROOT,
  bundleForNode,
  machineLine,
  option,
  wasmDir
} from './common.mjs';
import { execFileSync } from 'node:child_process';

const bundle = await bundleForNode(
  'bench/atlas-profile.ts',
  'atlas-profile.cjs'
);
console.log(machineLine());
const out = execFileSync(
  process.execPath,
  [
    bundle,
    ROOT,
    wasmDir(),
    String(option('steps', 16)),
    String(option('batches', '16,32,64'))
  ],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }
);
for (const line of out.trim().split('\n')) {
  console.log(JSON.stringify(JSON.parse(line), null, 1));
}
