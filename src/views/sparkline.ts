/**
 * A sparkline of the objective over the steps (inline SVG, theme colours).
 */
const SVG = 'http://www.w3.org/2000/svg';

export function createSparkline(
  width = 140,
  height = 28
): {
  readonly node: SVGSVGElement;
  update(points: readonly { step: number; value: number }[]): void;
} {
  const node = document.createElementNS(SVG, 'svg');
  node.setAttribute('class', 'jp-FeatureViz-sparkline');
  node.setAttribute('width', String(width));
  node.setAttribute('height', String(height));
  node.setAttribute('viewBox', `0 0 ${width} ${height}`);
  node.setAttribute('role', 'img');
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke-width', '1.5');
  node.appendChild(line);
  const update = (points: readonly { step: number; value: number }[]) => {
    const usable = points.filter(p => Number.isFinite(p.value));
    if (usable.length === 0) {
      line.setAttribute('points', '');
      node.setAttribute('aria-label', 'Objective: no values yet');
      return;
    }
    const steps = usable.map(p => p.step);
    const values = usable.map(p => p.value);
    const [s0, s1] = [Math.min(...steps), Math.max(...steps)];
    const [v0, v1] = [Math.min(...values), Math.max(...values)];
    const x = (s: number) =>
      s1 === s0 ? width / 2 : ((s - s0) / (s1 - s0)) * (width - 2) + 1;
    const y = (v: number) =>
      v1 === v0
        ? height / 2
        : height - 1 - ((v - v0) / (v1 - v0)) * (height - 2);
    line.setAttribute(
      'points',
      usable
        .map(p => `${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`)
        .join(' ')
    );
    const first = values[0];
    const last = values[values.length - 1];
    node.setAttribute(
      'aria-label',
      `Objective went from ${first.toPrecision(3)} to ${last.toPrecision(3)}`
    );
  };
  update([]);
  return { node, update };
}
