/**
 * The constants the schema allows for a definition (its `oneOf` of `const`s),
 * read from the schema itself (docs/architecture.md, "One schema"): code that
 * checks a saved value against a choice never copies the list.
 */
import schema from './featureviz.v1.schema.json';

type Definitions = Record<string, { oneOf?: { const?: unknown }[] }>;

/** The `const` values of a definition's `oneOf`, in the schema's order. */
export function schemaConstants(definition: string): readonly unknown[] {
  const node = (schema.definitions as unknown as Definitions)[definition];
  return (node?.oneOf ?? [])
    .filter(option => 'const' in option)
    .map(option => option.const);
}
