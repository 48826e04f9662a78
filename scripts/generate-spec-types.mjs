// Generates, from the spec's JSON Schema (the single source of truth for the
// wire contract, docs/architecture.md "One schema"):
//   src/spec/types.generated.ts     the spec's TypeScript types
//   src/spec/defaults.generated.ts  every `default` keyword, by definition
// Both are leaves with no imports, so every layer (the engine too) may read
// them. With --check, fails if either file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { format } from 'prettier';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = join(root, 'src/spec/featureviz.v1.schema.json');
const typesPath = join(root, 'src/spec/types.generated.ts');
const defaultsPath = join(root, 'src/spec/defaults.generated.ts');
const prettierConfig = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8')
).prettier;

const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const banner = `/**
 * Generated from featureviz.v1.schema.json by scripts/generate-spec-types.mjs.
 * Do not edit: change the schema and run \`jlpm build:spec-types\`.
 */`;

const prettierOptions = {
  ...prettierConfig,
  overrides: undefined,
  parser: 'typescript'
};

// Formatted with the project's own prettier, so that `prettier --check` and
// `--check` here agree whatever prettier json-schema-to-typescript bundles.
const types = await format(
  await compile(schema, 'FeatureVizSpec', {
    bannerComment: banner,
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    format: false
  }),
  prettierOptions
);

/** { Definition: { property: default } } for every property with a default. */
function collectDefaults(definitions) {
  const found = {};
  for (const [name, definition] of Object.entries(definitions)) {
    for (const [property, value] of Object.entries(
      definition.properties ?? {}
    )) {
      if (value.default !== undefined) {
        found[name] ??= {};
        found[name][property] = value.default;
      }
    }
  }
  return found;
}

const defaults = await format(
  `${banner}

/**
 * The value a spec field takes when it is left out, by the schema definition
 * that declares it. The engine fills in missing fields from here and the
 * Python builders read the same \`default\` keywords from the schema file.
 */
export const SPEC_DEFAULTS = ${JSON.stringify(
    collectDefaults(schema.definitions)
  )} as const;
`,
  prettierOptions
);

const outputs = [
  [typesPath, types],
  [defaultsPath, defaults]
];
if (process.argv.includes('--check')) {
  const stale = outputs.filter(
    ([path, text]) => readFileSync(path, 'utf8') !== text
  );
  if (stale.length > 0) {
    for (const [path] of stale) {
      console.error(
        `${path} is out of date with the schema: run \`jlpm build:spec-types\`.`
      );
    }
    process.exit(1);
  }
  console.log('spec types and defaults are up to date');
} else {
  for (const [path, text] of outputs) {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
