// Proves that the lint rules enforcing the layers (docs/architecture.md,
// "Layers") really fire:
// each case lints source text as if it lived at a path in src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function problems(filePath, code) {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages
    .filter(m => m.severity === 2 && m.ruleId !== 'prettier/prettier')
    .map(m => `${m.ruleId}: ${m.message}`);
}

async function assertFails(filePath, code, rule, pattern) {
  const found = await problems(filePath, code);
  assert.ok(
    found.some(p => p.startsWith(`${rule}:`) && pattern.test(p)),
    `expected ${rule} matching ${pattern} for ${filePath}, got ${JSON.stringify(found)}`
  );
}

async function assertPasses(filePath, code) {
  assert.deepEqual(await problems(filePath, code), []);
}

test('the engine may not import JupyterLab', async () => {
  await assertFails(
    'src/engine/optvis/render.ts',
    "import { JupyterFrontEnd } from '@jupyterlab/application';\nexport const x = JupyterFrontEnd;\n",
    '@typescript-eslint/no-restricted-imports',
    /src\/engine may not import JupyterLab/
  );
});

test('the engine may not import Lumino widgets', async () => {
  await assertFails(
    'src/engine/model/load.ts',
    "import { Widget } from '@lumino/widgets';\nexport const x = Widget;\n",
    '@typescript-eslint/no-restricted-imports',
    /pure TypeScript \+ tfjs/
  );
});

test('the engine may not touch the DOM', async () => {
  await assertFails(
    'src/engine/runtime/scheduler.ts',
    'export const canvas = document.createElement("canvas");\n',
    'no-restricted-globals',
    /no DOM/
  );
});

test('the engine may not import views, the spec or plugins', async () => {
  for (const target of [
    '../../views/dom',
    '../../spec',
    '../../plugins/engine'
  ]) {
    await assertFails(
      'src/engine/optvis/objectives.ts',
      `import { x } from '${target}';\nexport const y = x;\n`,
      '@typescript-eslint/no-restricted-imports',
      /dependencies point one way/
    );
  }
});

test("the engine may read the spec's generated types and defaults", async () => {
  await assertPasses(
    'src/engine/optvis/ascent.ts',
    "import { SPEC_DEFAULTS } from '../../spec/defaults.generated';\nimport type { Optimization } from '../../spec/types.generated';\n\nexport const seed: Optimization['seed'] = SPEC_DEFAULTS.Optimization.seed;\n"
  );
  await assertFails(
    'src/engine/optvis/ascent.ts',
    "import { validateSpec } from '../../spec/validate';\nexport const v = validateSpec;\n",
    '@typescript-eslint/no-restricted-imports',
    /dependencies point one way/
  );
});

test('views may not run tfjs, but may use its types', async () => {
  await assertFails(
    'src/views/player.ts',
    "import * as tf from '@tensorflow/tfjs-core';\nexport const t = tf.tensor([1]);\n",
    '@typescript-eslint/no-restricted-imports',
    /src\/views may not run tfjs/
  );
  await assertPasses(
    'src/views/player.ts',
    "import type { Tensor } from '@tensorflow/tfjs-core';\n\nexport type T = Tensor;\n"
  );
});

test('views may use engine types but not run the engine', async () => {
  await assertFails(
    'src/views/badge.ts',
    "import { EngineCore } from '../engine/runtime/core';\n\nexport const e = new EngineCore();\n",
    '@typescript-eslint/no-restricted-imports',
    /never run the engine/
  );
  await assertPasses(
    'src/views/badge.ts',
    "import type { IEngineStatus } from '../engine/runtime/protocol';\n\nexport type S = IEngineStatus;\n"
  );
});

test('only plugins know JupyterLab tokens', async () => {
  const code =
    "import { ILabShell } from '@jupyterlab/application';\n\nexport const t = ILabShell;\n";
  for (const file of [
    'src/sidebar/panel.ts',
    'src/output/renderer.ts',
    'src/views/dom.ts'
  ]) {
    await assertFails(
      file,
      code,
      '@typescript-eslint/no-restricted-imports',
      /Only src\/plugins/
    );
  }
  await assertPasses('src/plugins/sidebar.ts', code);
});

test('explicit any is an error everywhere in src', async () => {
  await assertFails(
    'src/spec/validate.ts',
    'export const f = (x: any): number => x;\n',
    '@typescript-eslint/no-explicit-any',
    /Unexpected any/
  );
});

test('clean engine code that uses tfjs passes', async () => {
  await assertPasses(
    'src/engine/optvis/objectives.ts',
    "import * as tf from '@tensorflow/tfjs-core';\n\nexport const one = (): tf.Scalar => tf.scalar(1);\n"
  );
});
