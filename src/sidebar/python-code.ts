/**
 * "Insert code": the `featureviz` Python calls that build exactly the specs
 * the neuron card shows (card-spec.ts). A jest test runs this code in Python
 * and compares the specs it builds with the card's (docs/architecture.md,
 * "The explorer").
 */
import type { DataRef, ModelRef } from '../spec';
import { type ICardOptions, type IExplorerUnit, unitId } from './card-spec';

/** A Python string literal (JSON's escapes are Python's for these strings). */
export function pyString(text: string): string {
  return JSON.stringify(text);
}

/** The Python expression of a model reference. */
export function pyModel(model: ModelRef): string {
  if ('builtin' in model) {
    return `fv.models.${model.builtin.replace(/-/g, '_')}()`;
  }
  if ('kernel' in model) {
    // A kernel's model lives in the kernel: the notebook names it itself.
    return 'net';
  }
  return `fv.Model(${pyString(model.url)}${
    model.format ? `, format=${pyString(model.format)}` : ''
  })`;
}

/** The Python expression of a dataset reference. */
export function pyData(data: DataRef): string {
  if ('builtin' in data) {
    const args = [
      data.split !== undefined ? `split=${pyString(data.split)}` : '',
      data.limit !== undefined ? `limit=${data.limit}` : ''
    ].filter(Boolean);
    return `fv.datasets.${data.builtin}(${args.join(', ')})`;
  }
  if ('path' in data) {
    const limit = data.limit !== undefined ? `, limit=${data.limit}` : '';
    if (data.path.endsWith('/')) {
      return `fv.datasets.from_folder(${pyString(data.path)}${limit})`;
    }
    const key = data.key !== undefined ? `, key=${pyString(data.key)}` : '';
    const labels =
      data.labels !== undefined ? `, labels=${pyString(data.labels)}` : '';
    return `fv.datasets.from_file(${pyString(data.path)}${key}${labels}${limit})`;
  }
  return 'data';
}

/** `layer, channel=5` and its kin: how a call names the unit. */
function pyUnit(unit: IExplorerUnit): string {
  const layer = pyString(unit.layer);
  return `${layer}, ${unit.kind}=${unit.unit}`;
}

function pyOptimization(options: ICardOptions): string {
  return [
    options.steps !== null ? `, steps=${options.steps}` : '',
    options.size !== null ? `, size=${options.size}` : ''
  ].join('');
}

/**
 * The cell's code: the card's three lenses on `unit`, each titled with the
 * unit's id, and the last one displayed by the cell.
 */
export function cardCode(unit: IExplorerUnit, options: ICardOptions): string {
  const id = pyString(unitId(unit));
  const patches = unit.kind === 'channel' ? ', patches=True' : '';
  return [
    `# ${unitId(unit)}: the Feature Viz explorer's neuron card`,
    'import featureviz as fv',
    '',
    `net = ${pyModel(unit.model)}`,
    `data = ${pyData(options.data)}`,
    `ascent = fv.gradient_ascent(net, ${pyUnit(unit)}${pyOptimization(options)}, title=${id})`,
    `examples = fv.top_examples(net, ${pyUnit(unit)}, data=data, bottom=True${patches}, histogram=True, title=${id})`,
    `pca = fv.pca(net, ${pyUnit(unit)}, data=data, title=${id})`,
    'display(ascent, examples)',
    'pca'
  ].join('\n');
}
