/**
 * Words and numbers of the attribution views (docs/architecture.md,
 * "Views"): the methods' names, how values and percentages are printed, and
 * what a result or a saved summary says in a sentence (the line under a
 * saved figure, the note over a saved output).
 */
import type {
  AttributionMethod,
  ICompleteness,
  IOcclusionSummary,
  ISaliencySummary
} from '../engine/attribution/types';

export const METHOD_NAMES: Readonly<Record<AttributionMethod, string>> = {
  gradient: 'Gradient',
  smoothgrad: 'SmoothGrad',
  'integrated-gradients': 'Integrated Gradients',
  'guided-backprop': 'Guided backprop',
  deconvnet: 'Deconvnet',
  'grad-cam': 'Grad-CAM'
};

/** A value with 3 significant digits ("12.3", "-0.0457"). */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) {
    return '–';
  }
  return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3)
    ? value.toExponential(2)
    : String(Number(value.toPrecision(3)));
}

/** A signed percentage: "−42%", "+3.5%", "0%"; "–" when undefined. */
export function formatPercent(percent: number): string {
  if (!Number.isFinite(percent)) {
    return '–';
  }
  // Halves round away from zero: −49.5 % is "−50%".
  const size = Math.abs(percent);
  const rounded =
    Math.sign(percent) *
    (size >= 9.95 ? Math.round(size) : Number(size.toFixed(1)));
  if (rounded === 0) {
    return '0%';
  }
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded)}%`;
}

/** "Σ 3.21 = f(x) − f(b) 3.25 (1.2% off)": Integrated Gradients' check. */
export function completenessNote(c: ICompleteness): string {
  const off = Number.isFinite(c.error)
    ? ` (${(c.error * 100).toFixed(c.error < 0.1 ? 2 : 1)}% off)`
    : '';
  return `Σ ${formatValue(c.sum)} vs f(x) − f(b) ${formatValue(c.delta)}${off}`;
}

interface IAbout {
  readonly example: string;
  readonly unit: string;
  readonly value: number;
  readonly label: number | null;
  readonly predicted: number | null;
}

/** "logit 8 = 12.3 on mnist test #7 (label 8, predicted 8)". */
export function aboutInput(about: IAbout): string {
  const known = [
    about.label !== null ? `label ${about.label}` : '',
    about.predicted !== null ? `predicted ${about.predicted}` : ''
  ].filter(Boolean);
  return `${about.unit} = ${formatValue(about.value)} on ${about.example}${
    known.length ? ` (${known.join(', ')})` : ''
  }`;
}

/** What an occlusion found, in a sentence. */
export function occlusionSentence(summary: IOcclusionSummary): string {
  const parts = [aboutInput(summary)];
  const drop = summary.largestDrop;
  if (drop) {
    parts.push(
      `covering row ${drop.row}, column ${drop.col} changes it most: ${formatPercent(drop.percent)}`
    );
  }
  if (summary.changedPrediction !== null) {
    parts.push(
      `the prediction changes at ${summary.changedPrediction} of ${summary.rows * summary.cols} positions`
    );
  }
  return parts.join('; ') + '.';
}

/** What a saliency run computed, in a sentence. */
export function saliencySentence(summary: ISaliencySummary): string {
  const methods = summary.methods.map(m =>
    m.completeness
      ? `${METHOD_NAMES[m.method]} (${completenessNote(m.completeness)})`
      : m.camLayer
        ? `${METHOD_NAMES[m.method]} at ${m.camLayer}`
        : METHOD_NAMES[m.method]
  );
  return `${methods.join(', ')} of ${aboutInput(summary)}.`;
}
