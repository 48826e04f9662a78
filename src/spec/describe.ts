/**
 * Words for a spec, for headers and labels: the view's name, the model, the
 * subject ("channel 5 of conv2d_1"), and a batched row's per-image labels.
 */
import type {
  DataRef,
  FeatureVizSpec,
  ModelRef,
  Objective,
  UnitTarget
} from './types.generated';
import { SPEC_DEFAULTS } from './defaults.generated';

const VIEW_NAMES: Record<FeatureVizSpec['view'], string> = {
  'gradient-ascent': 'Gradient ascent',
  'layer-atlas': 'Layer atlas',
  'top-examples': 'Top-activating examples',
  pca: 'PCA',
  occlusion: 'Occlusion',
  saliency: 'Saliency',
  filters: 'First-layer filters'
};

/** A spec in a few words, for captions, notices and screen readers. */
export interface ISpecDescription {
  readonly view: string;
  readonly model: string;
  readonly subject: string;
}

export function describeModel(model: ModelRef): string {
  return 'builtin' in model
    ? model.builtin
    : 'kernel' in model
      ? `the kernel's model${model.name ? ` ${model.name}` : ''}`
      : model.url;
}

export function describeData(data: DataRef): string {
  const name =
    'builtin' in data
      ? `${data.builtin}${data.split ? ` (${data.split})` : ''}`
      : 'path' in data
        ? `${data.path}${data.key ? `[${data.key}]` : ''}`
        : `kernel arrays ${data.shape.join('×')} ${data.dtype}`;
  const limited =
    data.limit !== undefined
      ? `${name}, first ${data.limit.toLocaleString('en-US')}`
      : name;
  return data.index !== undefined ? `${limited} #${data.index}` : limited;
}

/** A lens's unit: "channel 5 of conv2d_1 (max over positions)", "logit 8". */
export function describeUnit(target: UnitTarget): string {
  switch (target.type) {
    case 'channel':
      return `channel ${target.channel} of ${target.layer} (${target.reduce ?? SPEC_DEFAULTS.ChannelTarget.reduce} over positions)`;
    case 'neuron':
      return `neuron ${target.channel} of ${target.layer}${
        target.x !== undefined && target.y !== undefined
          ? ` at (${target.x}, ${target.y})`
          : ''
      }`;
    case 'logit':
      return `logit ${target.index}${target.layer ? ` of ${target.layer}` : ''}`;
  }
}

/** A term of a sum with its sign: `- 0.5 × tv` rather than `+ -0.5 × tv`. */
function signed(term: Objective, first: boolean): string {
  const negative = term.type === 'scale' && term.factor < 0;
  const text = describeObjective(
    negative ? { ...term, factor: -term.factor } : term
  );
  if (first) {
    return negative ? `-${text}` : text;
  }
  return negative ? ` - ${text}` : ` + ${text}`;
}

/** An objective tree in Lucid's notation, e.g. `channel(conv2d_1, 5) - 0.5 × tv`. */
export function describeObjective(objective: Objective): string {
  switch (objective.type) {
    case 'channel':
      return `channel ${objective.channel} of ${objective.layer}`;
    case 'neuron':
      return `neuron ${objective.channel} of ${objective.layer}${
        objective.x !== undefined ? ` at (${objective.x}, ${objective.y})` : ''
      }`;
    case 'layer':
      return `all of ${objective.layer}`;
    case 'logit':
      return `logit ${objective.index}`;
    case 'direction':
      return `a direction in ${objective.layer}`;
    case 'diversity':
      return `diversity of ${objective.layer}`;
    case 'l1':
      return 'L1';
    case 'l2':
      return 'L2';
    case 'total-variation':
      return 'total variation';
    case 'blur-input-each-step':
      return 'blur';
    case 'sum': {
      // A batched row (one logit or channel per image) reads as one phrase.
      const row = objective.terms.filter(
        t =>
          (t.type === 'logit' || t.type === 'channel') && t.batch !== undefined
      );
      if (row.length >= 3) {
        const units = row.map(t =>
          t.type === 'logit' ? t.index : t.type === 'channel' ? t.channel : 0
        );
        const first = row[0];
        const head =
          first.type === 'channel'
            ? `channels ${units.join(', ')} of ${first.layer}, one per image`
            : `logits ${units.join(', ')}, one per image`;
        const rest = objective.terms.filter(t => !row.includes(t));
        return head + rest.map(t => signed(t, false)).join('');
      }
      return objective.terms.map((t, i) => signed(t, i === 0)).join('');
    }
    case 'scale':
      if (objective.factor === 1) {
        return describeObjective(objective.term);
      }
      return objective.factor === -1
        ? `-(${describeObjective(objective.term)})`
        : `${objective.factor} × ${describeObjective(objective.term)}`;
  }
}

/**
 * Captions for the images of a batched row of logits or channels (e.g. "0" …
 * "9"); other terms of the sum (penalties such as L1) do not change the row.
 */
export function batchLabels(objective: Objective): string[] | undefined {
  if (objective.type !== 'sum') {
    return undefined;
  }
  const labels: string[] = [];
  for (const term of objective.terms) {
    if (term.type === 'logit' && term.batch !== undefined) {
      labels[term.batch] = String(term.index);
    } else if (term.type === 'channel' && term.batch !== undefined) {
      labels[term.batch] = `ch ${term.channel}`;
    }
  }
  return labels.length > 1 ? Array.from(labels, l => l ?? '') : undefined;
}

export function describeSpec(spec: FeatureVizSpec): ISpecDescription {
  const view = VIEW_NAMES[spec.view];
  const model = describeModel(spec.model);
  switch (spec.view) {
    case 'gradient-ascent':
      return { view, model, subject: describeObjective(spec.objective) };
    case 'layer-atlas':
      return {
        view,
        model,
        subject: spec.channels
          ? `${spec.channels.length} channels of ${spec.layer}`
          : `every channel of ${spec.layer}`
      };
    case 'pca':
      return {
        view,
        model,
        subject: `${spec.layer} on ${describeData(spec.data)}`
      };
    case 'filters':
      return {
        view,
        model,
        subject: spec.layer ?? 'the first convolution'
      };
    case 'top-examples':
      return {
        view,
        model,
        subject: `${describeUnit(spec.target)} on ${describeData(spec.data)}`
      };
    case 'occlusion':
    case 'saliency':
      return {
        view,
        model,
        subject: `${spec.target ? describeUnit(spec.target) : 'the predicted class'} on ${describeData(spec.data)}`
      };
  }
}
