/**
 * Validates untrusted JSON as a spec with Ajv against the schema, and turns
 * Ajv's errors into one message that names the field and what it accepts.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from './featureviz.v1.schema.json';
import type { FeatureVizSpec } from './types.generated';
import { SPEC_VERSION } from './mime';

/** The outcome of validating untrusted JSON as a spec. */
export type SpecValidation =
  | { readonly ok: true; readonly spec: FeatureVizSpec }
  | { readonly ok: false; readonly error: SpecError };

/** A validation failure that names the offending field. */
export class SpecError extends Error {
  constructor(
    /** The field, as a path such as `objective.terms[1].channel`; '' for the whole spec. */
    readonly field: string,
    /** What is wrong and, where it helps, what to give instead. */
    readonly problem: string
  ) {
    super(field ? `${field}: ${problem}` : problem);
    this.name = 'SpecError';
  }
}

let ajv: Ajv | undefined;

function compiler(): Ajv {
  if (!ajv) {
    ajv = new Ajv({
      allErrors: false,
      discriminator: true,
      strict: true,
      // Errors carry their schema, so messages can list what is allowed.
      verbose: true,
      // The schema uses draft-07's `definitions` and the `discriminator` keyword.
      strictTuples: false
    });
    ajv.addSchema(schema);
  }
  return ajv;
}

function validator(ref = ''): ValidateFunction {
  const validate = compiler().getSchema(`${schema.$id}${ref}`);
  if (!validate) {
    throw new Error(`the spec schema has no ${ref || 'root'}`);
  }
  return validate;
}

/**
 * Validates untrusted JSON (from a notebook output) against the spec's schema.
 * Never throws: the caller shows the error inline.
 */
export function validateSpec(data: unknown): SpecValidation {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return {
      ok: false,
      error: new SpecError('', 'the spec must be a JSON object')
    };
  }
  const version = (data as { version?: unknown }).version;
  if (version !== SPEC_VERSION) {
    return {
      ok: false,
      error: new SpecError(
        'version',
        version === undefined
          ? `missing; this front end reads version ${SPEC_VERSION}`
          : `${JSON.stringify(version)} is not supported; this front end reads version ${SPEC_VERSION}. Update jupyterlab-featureviz so that Python and JupyterLab match.`
      )
    };
  }
  const validate = validator();
  if (validate(data)) {
    return { ok: true, spec: data as FeatureVizSpec };
  }
  return { ok: false, error: describe(validate.errors ?? [], data) };
}

/** Turns a JSON pointer such as `/objective/terms/1/channel` into `objective.terms[1].channel`. */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, part) =>
        /^\d+$/.test(part)
          ? `${path}[${part}]`
          : path
            ? `${path}.${part}`
            : part,
      ''
    );
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function list(values: readonly unknown[]): string {
  return values.map(v => JSON.stringify(v)).join(', ');
}

type SchemaNode = {
  $ref?: string;
  const?: unknown;
  oneOf?: SchemaNode[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
};

/** Resolves a local `$ref` such as `#/definitions/Objective`. */
function deref(node: SchemaNode | undefined): SchemaNode | undefined {
  if (!node?.$ref) {
    return node;
  }
  const name = node.$ref.replace(/^#\/definitions\//, '');
  return deref(
    (schema.definitions as Record<string, SchemaNode | undefined>)[name]
  );
}

function valueAt(data: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (node, key) =>
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[key]
          : undefined,
      data
    );
}

/**
 * Picks the most useful of Ajv's errors and words it for a person. For a
 * `oneOf` over object shapes, it finds the branch the data was evidently meant
 * for (by the keys only that branch requires) and reports that branch's error.
 * `base` is the path of `data` inside the whole spec.
 */
function describe(errors: ErrorObject[], data: unknown, base = ''): SpecError {
  const oneOf = errors.find(e => e.keyword === 'oneOf');
  if (!oneOf) {
    return errors[0]
      ? wordError(errors[0], base)
      : new SpecError(base, 'is not valid');
  }
  const pointer = base + oneOf.instancePath;
  const field = fieldPath(pointer);
  const branches = ((oneOf.schema as SchemaNode[] | undefined) ?? []).map(
    b => ({ ref: b.$ref, node: deref(b) })
  );
  if (branches.length > 0 && branches.every(b => b.node && 'const' in b.node)) {
    return new SpecError(
      field,
      `must be one of ${list(branches.map(b => b.node?.const))}`
    );
  }
  const value = valueAt(data, oneOf.instancePath);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new SpecError(field, 'must be an object');
  }
  // Object shapes: each branch is told apart by the keys only it requires.
  const keysOf = branches.map(b => b.node?.required ?? []);
  const shared = keysOf.reduce((a, b) => a.filter(k => b.includes(k)));
  const distinct = keysOf.map(keys => keys.filter(k => !shared.includes(k)));
  const meant = branches.filter(
    (_, i) => distinct[i].length > 0 && distinct[i].every(k => k in value)
  );
  if (meant.length === 1 && meant[0].ref) {
    const branch = validator(meant[0].ref);
    if (!branch(value)) {
      return describe(branch.errors ?? [], value, pointer);
    }
  }
  const alternatives = distinct
    .filter(keys => keys.length > 0)
    .map(keys => keys.map(k => `'${k}'`).join(' and '));
  return new SpecError(
    field,
    `give exactly one of ${alternatives.join(' or ')}`
  );
}

function wordError(error: ErrorObject, base: string): SpecError {
  const field = fieldPath(base + error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return new SpecError(
        join(field, String(params.missingProperty)),
        'is required but missing'
      );
    case 'additionalProperties':
      return new SpecError(
        join(field, String(params.additionalProperty)),
        'is not a known field here'
      );
    case 'discriminator': {
      const tag = String(params.tag);
      const union = error.parentSchema as SchemaNode | undefined;
      const known = (union?.oneOf ?? []).map(
        b => deref(b)?.properties?.[tag]?.const
      );
      return new SpecError(
        join(field, tag),
        params.error === 'mapping'
          ? `${JSON.stringify(params.tagValue)} is not one of ${list(known)}`
          : `is required: one of ${list(known)}`
      );
    }
    case 'const':
      return new SpecError(
        field,
        `must be ${JSON.stringify(params.allowedValue)}`
      );
    case 'type':
      return new SpecError(field, `must be of type ${String(params.type)}`);
    default:
      return new SpecError(field, error.message ?? 'is not valid');
  }
}
