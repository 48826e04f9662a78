/** The output spec's public surface: generated types, MIME types, validation. */
export * from './types.generated';
export { MIME_TYPE, SPEC_VERSION, SUMMARY_MIME_TYPE } from './mime';
export {
  SpecError,
  fieldPath,
  validateSpec,
  type SpecValidation
} from './validate';
