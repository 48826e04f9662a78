/** The spec's version and MIME types, read from the schema. */
import schema from './featureviz.v1.schema.json';

/** The spec's major version, read from the schema so the two cannot disagree. */
export const SPEC_VERSION: number = schema.definitions.SpecVersion.const;

/**
 * The MIME type of a featureviz output. The Python package emits the same
 * string; a pytest compares the two.
 */
export const MIME_TYPE = `application/vnd.featureviz.v${SPEC_VERSION}+json`;

/** The MIME type of the small JSON summary a finished run writes back. */
export const SUMMARY_MIME_TYPE = `application/vnd.featureviz.summary.v${SPEC_VERSION}+json`;
