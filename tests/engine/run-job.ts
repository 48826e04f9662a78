/**
 * Runs one engine job in Node and prints its summary as JSON: how the Python
 * tests compare the engine with an independent NumPy oracle
 * (tests/python/test_top_examples.py). Bundled by the test with esbuild.
 *
 *   node run-job.cjs '<job JSON>' <backend>
 */
import * as path from 'path';
import { EngineCore } from '../../src/engine/runtime/core';
import type { BackendName } from '../../src/engine/runtime/capabilities';
import type { JobRequest } from '../../src/engine/runtime/protocol';
import { fileFetch } from '../../src/engine/testing/files';

async function main(): Promise<void> {
  const [job, backend = 'wasm'] = process.argv.slice(2);
  const core = new EngineCore({
    candidates: [backend as BackendName],
    wasmPaths: path.join(
      path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')),
      path.sep
    ),
    fetch: fileFetch()
  });
  await core.start();
  await new Promise<void>((resolve, reject) => {
    core.submit(JSON.parse(job) as JobRequest, event => {
      if (event.type === 'done') {
        process.stdout.write(JSON.stringify(event.summary));
        resolve();
      } else if (event.type === 'failed') {
        reject(new Error(event.error.message));
      }
    });
  });
}

main().then(
  () => process.exit(0),
  reason => {
    process.stderr.write(String(reason));
    process.exit(1);
  }
);
