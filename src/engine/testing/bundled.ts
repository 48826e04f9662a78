/**
 * Test support: the bundled CNN and digits, loaded the way the product
 * loads them (the engine's loaders over the checkout's assets).
 * (Not part of the product bundle: only tests import it.)
 */
import { type IImageDataset, loadIdxDataset } from '../dataset/images';
import { type ILoadedLayersModel, loadModel } from '../model/load';
import { fileFetch, fileUrl } from './files';

export async function bundledModel(): Promise<ILoadedLayersModel> {
  return (await loadModel(fileUrl('assets/models/mnist-cnn/model.json'), {
    fetch: fileFetch()
  })) as ILoadedLayersModel;
}

export function bundledDigits(): Promise<IImageDataset> {
  return loadIdxDataset(fileUrl('assets/datasets/mnist/mnist.json'), {
    fetch: fileFetch()
  });
}
