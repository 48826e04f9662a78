/**
 * Examples of the dataset an output's last job read, for views that show
 * thumbnails on demand (the PCA view's hover and selection grid) rather
 * than carrying them in the result.
 */
import type { DataRequest } from '../engine/dataset/store';
import type { IFeatureVizEngine } from '../tokens';
import type { IViewProps } from '../views/view';

/** `data`: the last job's data, read when a view asks (null: not run). */
export function jobExamples(
  engine: IFeatureVizEngine,
  data: () => DataRequest | null
): NonNullable<IViewProps['examples']> {
  return (indices, shape) => {
    const read = data();
    return read
      ? engine
          .examplePixels({ data: read, shape, indices })
          .then(examples => examples.pixels)
      : Promise.reject(new Error('This output has not run.'));
  };
}
