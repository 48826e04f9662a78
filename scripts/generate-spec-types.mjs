// Generates src/spec/types.generated.ts from the spec's JSON Schema, the single
// source of truth (DESIGN.md §4). With --check, fails if the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { format } from 'prettier';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = join(root, 'src/spec/featureviz.v1.schema.json');
const outPath = join(root, 'src/spec/types.generated.ts');
const prettierConfig = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8')
).prettier;

const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const banner = `/**
 * Generated from featureviz.v1.schema.json by scripts/generate-spec-types.mjs.
 * Do not edit: change the schema and run \`jlpm build:spec-types\`.
 */`;

// Formatted with the project's own prettier, so that `prettier --check` and
// `--check` here agree whatever prettier json-schema-to-typescript bundles.
const ts = await format(
  await compile(schema, 'FeatureVizSpec', {
    bannerComment: banner,
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    format: false
  }),
  { ...prettierConfig, overrides: undefined, parser: 'typescript' }
);

if (process.argv.includes('--check')) {
  const current = readFileSync(outPath, 'utf8');
  if (current !== ts) {
    console.error(
      'src/spec/types.generated.ts is out of date with the schema: run `jlpm build:spec-types`.'
    );
    process.exit(1);
  }
  console.log('spec types are up to date');
} else {
  writeFileSync(outPath, ts);
  console.log(`wrote ${outPath}`);
}
