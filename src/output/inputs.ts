/**
 * What an output's spec refers to, resolved for its job (docs/architecture.md,
 * "Data flow"): the model (resolve.ts) and, for specs with data, the data
 * (resolve-data.ts). Only trusted outputs get here.
 */
import type { FeatureVizSpec } from '../spec';
import { resolveModel } from './resolve';
import { type IDataContext, resolveData } from './resolve-data';
import type { IJobInputs } from './view-table';

export async function resolveInputs(
  spec: FeatureVizSpec,
  context: IDataContext
): Promise<IJobInputs> {
  const model = await resolveModel(spec.model, context);
  return 'data' in spec
    ? { model, data: await resolveData(spec.data, context) }
    : { model };
}
