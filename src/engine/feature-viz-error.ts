/**
 * The base of the engine's typed errors (`errors.ts` re-exports it with the
 * rest). Each message says what is wrong and how to fix it; views show
 * `message` as text and may use the fields. No TensorFlow.js here: the page
 * imports this module.
 */
export class FeatureVizError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
